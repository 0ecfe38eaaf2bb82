import { mkdtemp, rm } from 'node:fs/promises';
import { type Server, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { httpGet } from './support/http.ts';
import { type Stack, startStack, waitFor } from '../scripts/monitoring/stack.ts';
import { type TestApp, startTestApp } from './support/platform.ts';

interface AmAlert {
  labels: Record<string, string>;
  status: { state: string; inhibitedBy: string[] };
}
interface PromRule {
  name: string;
  health: string;
  lastError?: string;
}

/**
 * The real thing: the Debian Prometheus scrapes a running app with the generated rules (their `for` set to
 * 0s so the test takes seconds, not minutes), the Debian Alertmanager routes with the generated config.
 */
describe('Prometheus and Alertmanager against a running app', () => {
  let test: TestApp;
  let stack: Stack;
  let dir: string;
  let hook: Server;
  const notified: string[] = [];
  let appPort = 0;

  beforeAll(async () => {
    test = await startTestApp({}, {
      logs: { write: () => undefined },
      routes(app) {
        app.get('/q/test/fail', async () => {
          throw new Error('induced failure for the alerting test');
        });
      },
    });
    await test.app.listen({ host: '127.0.0.1', port: 0 });
    appPort = (test.app.server.address() as AddressInfo).port;
    hook = createServer((request, response) => {
      let body = '';
      request.on('data', (chunk) => (body += chunk));
      request.on('end', () => {
        notified.push(body);
        response.end();
      });
    });
    await new Promise<void>((resolve) => hook.listen(0, '127.0.0.1', resolve));
    dir = await mkdtemp(join(tmpdir(), 'vs-monitoring-'));
    stack = await startStack({
      root: join(import.meta.dirname, '..'),
      dir,
      appTargets: [`127.0.0.1:${appPort}`],
      receiverUrl: `http://127.0.0.1:${(hook.address() as AddressInfo).port}/`,
      forZero: true,
    });
  }, 60_000);

  afterAll(async () => {
    await stack?.stop();
    await new Promise((resolve) => hook?.close(resolve));
    await test?.close();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  const alerts = async () => (await (await fetch(`${stack.alertmanagerUrl}/api/v2/alerts`)).json()) as AmAlert[];

  it('evaluates every rule with health ok, then a burst of failing requests reaches Alertmanager as HighErrorRate', async () => {
    const rules = await waitFor(
      'every rule evaluated',
      async () => {
        const body = (await (await fetch(`${stack.prometheusUrl}/api/v1/rules`)).json()) as { data: { groups: { rules: PromRule[] }[] } };
        const all = body.data.groups.flatMap((group) => group.rules);
        return all.length > 0 && all.every((rule) => rule.health !== 'unknown') ? all : undefined;
      },
      20_000,
      stack.output,
    );
    expect(rules.filter((rule) => rule.health !== 'ok').map((rule) => `${rule.name}: ${rule.lastError}`)).toEqual([]);
    expect(rules.length).toBeGreaterThan(100);

    const failing = await httpGet(appPort, '/q/test/fail', { 'x-request-id': 'alerting-burst' });
    expect(failing.status).toBe(500);
    const fired = await waitFor(
      'HighErrorRate in Alertmanager',
      async () => {
        await Promise.all(Array.from({ length: 10 }, () => httpGet(appPort, '/q/test/fail')));
        const firing = (await alerts()).find((alert) => alert.labels.alertname === 'HighErrorRate');
        return firing;
      },
      40_000,
      stack.output,
    );
    expect(fired.labels).toMatchObject({ severity: 'critical', oncall: 'true', component: 'platform-http' });
    expect(fired.status.state).toBe('active');
  }, 90_000);

  it('shows the slower burn-rate tiers as suppressed while the fast tier fires', async () => {
    const burning = await waitFor(
      'every availability burn tier',
      async () => {
        const tiers = (await alerts()).filter((alert) => alert.labels.alertname === 'TenantGatewayAvailabilityErrorBudgetBurn');
        return tiers.length === 4 ? tiers : undefined;
      },
      20_000,
      stack.output,
    );
    const state = Object.fromEntries(burning.map((alert) => [alert.labels.burnrate_tier, alert.status]));
    expect(state.fast).toMatchObject({ state: 'active', inhibitedBy: [] });
    for (const tier of ['medium', 'slow', 'long']) {
      expect(state[tier]?.state, tier).toBe('suppressed');
      expect(state[tier]?.inhibitedBy.length, tier).toBeGreaterThan(0);
    }
  }, 30_000);

  it('scrapes OpenMetrics with trace_id exemplars on the request-duration histogram', async () => {
    const open = await httpGet(appPort, '/q/metrics', { accept: 'application/openmetrics-text;version=1.0.0' });
    expect(open.headers['content-type']).toContain('application/openmetrics-text');
    expect(open.body).toMatch(/^# TYPE villagecompute_storefront_http_requests counter$/m);
    expect(open.body).toMatch(/^villagecompute_storefront_http_requests_total\{/m);
    expect(open.body).not.toContain('_total_total');
    expect(open.body).toMatch(/^villagecompute_storefront_http_request_duration_seconds_bucket\{.*\} \d+ # \{trace_id="[0-9a-f]{32}"\}/m);
    expect(open.body.trimEnd().endsWith('# EOF')).toBe(true);

    const exemplars = await waitFor(
      'exemplars in Prometheus',
      async () => {
        const now = Date.now() / 1000;
        const query = new URLSearchParams({ query: 'villagecompute_storefront_http_request_duration_seconds_bucket', start: String(now - 300), end: String(now) });
        const body = (await (await fetch(`${stack.prometheusUrl}/api/v1/query_exemplars?${query}`)).json()) as {
          data: { exemplars: { labels: { trace_id?: string } }[] }[];
        };
        const all = body.data.flatMap((series) => series.exemplars);
        return all.length > 0 ? all : undefined;
      },
      15_000,
      stack.output,
    );
    expect(exemplars[0]!.labels.trace_id).toMatch(/^[0-9a-f]{32}$/);
  }, 30_000);
});
