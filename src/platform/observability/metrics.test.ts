import { execFileSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { requireTool } from '../../../test/support/os-tools.ts';
import { type TestApp, makeTenant, startTestApp } from '../../../test/support/platform.ts';
import { defineMetric, metricCatalog } from './metrics.ts';
import { OTHER_TENANT, TenantLabeler } from './tenant-label.ts';

const NAME = /^villagecompute_storefront_[a-z0-9]+(_[a-z0-9]+)+$/;

describe('metrics', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp({}, { routes: (app) => app.get('/fabric/items/:id', async () => ({ ok: true })) });
  });
  afterAll(() => t.close());

  it('serves /q/metrics in a text format promtool accepts', async () => {
    const tenant = await makeTenant(t.platform.db);
    await t.app.inject({ url: '/', headers: { host: `${tenant.subdomain}.localhost` } });
    await t.app.inject('/q/health/ready');
    const response = await t.app.inject('/q/metrics');
    expect(response.statusCode).toBe(200);
    expect(response.headers['content-type']).toContain('text/plain; version=0.0.4');
    execFileSync(requireTool('promtool'), ['check', 'metrics'], { input: response.body });
    for (const name of [
      'villagecompute_storefront_http_request_duration_seconds_bucket',
      'villagecompute_storefront_http_requests_total',
      'villagecompute_storefront_http_in_flight_requests',
      'villagecompute_storefront_db_pool_connections{pool="app",state="total"}',
      'villagecompute_storefront_db_pool_waiting_clients{pool="app"}',
      'villagecompute_storefront_db_query_duration_seconds_bucket{le="0.001",operation="select"}',
      'villagecompute_storefront_runtime_process_cpu_seconds_total',
      'villagecompute_storefront_runtime_nodejs_eventloop_lag_seconds',
    ]) {
      expect(response.body).toContain(name);
    }
    // Counted at the scrape: the scrape itself is in flight.
    expect(response.body).toMatch(/^villagecompute_storefront_http_in_flight_requests [1-9]/m);
  });

  it('labels requests by route template and status class, never the raw path', async () => {
    await t.app.inject('/fabric/items/8f1d2c');
    await t.app.inject('/no/such/path/42');
    const body = (await t.app.inject('/q/metrics')).body;
    expect(body).toContain('villagecompute_storefront_http_requests_total{method="GET",route="/fabric/items/:id",status_class="2xx",tenant_id="none"} 1');
    expect(body).toContain('route="unmatched",status_class="4xx"');
    expect(body).toContain('villagecompute_storefront_http_errors_total{endpoint="unmatched",status_code="404",error_type="NotFound"} 1');
    expect(body).not.toContain('8f1d2c');
    const tenant = await makeTenant(t.platform.db);
    await t.app.inject({ url: '/fabric/items/1', headers: { host: `${tenant.subdomain}.localhost` } });
    const withTenant = (await t.app.inject('/q/metrics')).body;
    // A tenant below the top-K threshold is folded into `other`, never labelled by its own id.
    expect(withTenant).toContain('route="/fabric/items/:id",status_class="2xx",tenant_id="other"} 1');
    expect(withTenant).not.toContain(tenant.id);
    expect(body).not.toContain('/no/such/path');
  });

  it('names every catalogued metric by the convention and says who owns it', () => {
    const catalog = metricCatalog();
    expect(catalog.map((spec) => spec.name)).toEqual(
      expect.arrayContaining(['villagecompute_storefront_http_request_duration_seconds', 'villagecompute_storefront_db_query_duration_seconds']),
    );
    for (const spec of catalog) {
      expect(spec.name).toMatch(NAME);
      expect(spec.component).toMatch(/^[a-z_]+$/);
      if (spec.type === 'counter') expect(spec.name).toMatch(/_total$/);
    }
  });
});

describe('bounded tenant label', () => {
  it('keeps the series count bounded with 10,000 distinct tenants', async () => {
    const labeler = new TenantLabeler({ allowList: ['4b3f6d0e-0000-4000-8000-000000000001'], topK: 5, promoteAfter: 3 });
    const counter = defineMetric({
      name: 'villagecompute_storefront_test_tenant_requests_total',
      help: 'Requests per bounded tenant label (test).',
      type: 'counter',
      labels: ['tenant_id'],
      component: 'test',
    });
    const busy = Array.from({ length: 8 }, () => randomUUID());
    for (let round = 0; round < 3; round++) for (const tenant of busy) counter.inc({ tenant_id: labeler.label(tenant) });
    for (let i = 0; i < 10_000; i++) counter.inc({ tenant_id: labeler.label(randomUUID()) });
    counter.inc({ tenant_id: labeler.label('4b3f6d0e-0000-4000-8000-000000000001') });

    const series = (await counter.get()).values;
    // Top-K (5 of the 8 busy tenants) + the allow-listed one + `other`.
    expect(series).toHaveLength(7);
    const labels = series.map((value) => value.labels.tenant_id);
    expect(labels).toContain(OTHER_TENANT);
    expect(labels).toContain('4b3f6d0e-0000-4000-8000-000000000001');
    expect(busy.filter((tenant) => labels.includes(tenant))).toHaveLength(5);
    const total = series.reduce((sum, value) => sum + value.value, 0);
    expect(total).toBe(8 * 3 + 10_000 + 1);
  });

  it('keeps a promoted tenant labelled and answers none outside any tenant', () => {
    const labeler = new TenantLabeler({ allowList: [], topK: 1, promoteAfter: 2 });
    expect(labeler.label('a')).toBe(OTHER_TENANT);
    expect(labeler.label('a')).toBe('a');
    for (let i = 0; i < 5; i++) expect(labeler.label('b')).toBe(OTHER_TENANT);
    expect(labeler.label('a')).toBe('a');
    expect(labeler.label(undefined)).toBe('none');
  });
});
