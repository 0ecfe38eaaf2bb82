import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PLATFORM_HOST, type PlatformTestSession, platformSession, staffSession, storeHost } from '../../../test/support/auth.ts';
import { waitFor } from '../../../test/support/jobs.ts';
import { type TestApp, type Tenant, makeTenant, startTestApp } from '../../../test/support/platform.ts';
import { traceStoreRetention } from '../../platform/observability/trace-store/retention.ts';

describe('platform console observability API', () => {
  let t: TestApp;
  let operator: PlatformTestSession;
  let store: Tenant;
  let other: Tenant;
  const tag = `obs${Date.now().toString(36)}`;
  const boomId = `${tag}-boom`;

  const get = (url: string, headers: Record<string, string> = operator.headers, host = PLATFORM_HOST) => t.app.inject({ url, headers: { host, ...headers } });
  const stored = (requestId: string) => waitFor(async () => ((await get(`/admin/platform/requests/${requestId}`)).statusCode === 200 ? true : undefined), requestId);

  beforeAll(async () => {
    t = await startTestApp(
      { TRACE_STORE: 'on', TRACE_STORE_SAMPLE_RATIO: '0', TRACE_STORE_SLOW_MS: '300', TRACE_STORE_FLUSH_MS: '50', PROMETHEUS_URL: 'http://prometheus.test:9090/' },
      {
        routes(app, platform) {
          app.get('/test/obs/boom', async () => {
            await platform.jobs.enqueue(traceStoreRetention, { retention_hours: 24 });
            await sql`select 1 as probe_statement`.execute(platform.db.kysely);
            throw new Error(`widget exploded ${tag}`);
          });
          app.get('/test/obs/slow', async () => {
            await new Promise((resolve) => setTimeout(resolve, 350));
            return { ok: true };
          });
          app.get('/test/obs/fast', async () => ({ ok: true }));
        },
      },
    );
    operator = await platformSession(t.platform);
    store = await makeTenant(t.platform.db, 'Observed Store');
    other = await makeTenant(t.platform.db, 'Other Store');
    expect((await t.app.inject({ url: '/test/obs/boom', headers: { host: storeHost(store), 'x-request-id': boomId } })).statusCode).toBe(500);
    expect((await t.app.inject({ url: '/test/obs/slow', headers: { host: storeHost(store), 'x-request-id': `${tag}-slow` } })).statusCode).toBe(200);
    expect((await t.app.inject({ url: '/test/obs/fast', headers: { host: storeHost(other), 'x-request-id': `${tag}-fast` } })).statusCode).toBe(200);
    await stored(boomId);
    await stored(`${tag}-slow`);
  });
  afterAll(() => t.close());

  it("lists each store's requests of the last hour from the trace store's weighted rows", async () => {
    const traffic = async (tenant: Tenant) => (await get(`/admin/platform/stores?q=${tenant.subdomain}`)).json().items[0].requests_last_hour;
    // The failed and the slow request are kept (weight 1); the fast one falls to a sample ratio of 0.
    expect(await traffic(store)).toBe(2);
    expect(await traffic(other)).toBe(0);
  });

  it('finds a failed request by its ID: spans, log lines, SQL, error group, links', async () => {
    const response = await get(`/admin/platform/requests/${boomId}`);
    const body = response.json();
    expect(body).toMatchObject({ request_id: boomId, tenant_id: store.id, status: 'error', http_status: 500, kept: 'error', name: 'GET /test/obs/boom' });
    const root = body.spans.find((span: { parent_span_id: string | null; kind: string }) => span.kind === 'server');
    expect(root).toMatchObject({ start_ms_offset: 0, trace_id: body.trace_id });
    expect(body.spans.length).toBeGreaterThan(1);
    for (const span of body.spans) expect(span.trace_id).toBe(body.trace_id);
    expect(body.sql.map((statement: { text: string }) => statement.text).join('\n')).toContain('probe_statement');
    expect(body.logs.find((line: { msg: string }) => line.msg === 'unhandled error')).toMatchObject({ level: 'error', fields: { correlation_id: boomId } });
    expect(body.error_group).toMatchObject({ error_type: 'Error', message: expect.stringContaining(tag) });
    expect(body.links.prometheus).toMatch(/^http:\/\/prometheus\.test:9090\/graph\?/);
    expect(decodeURIComponent(body.links.prometheus)).toContain(`tenant_id="${store.id}"`);
    expect(body.links.grafana).toBeUndefined();
  });

  it('shows the job the request enqueued, with its spans, under the same request ID', async () => {
    const body = await waitFor(async () => {
      const found = (await get(`/admin/platform/requests/${boomId}`)).json();
      return found.jobs.length > 0 ? found : undefined;
    }, 'the enqueued job');
    expect(body.jobs[0]).toMatchObject({ task: 'trace-store.retention', trace_id: body.trace_id, status: 'ok', job_id: expect.any(String) });
    expect(body.jobs[0].spans[0].start_ms_offset).toBeGreaterThan(0);
    expect(body.jobs[0].spans.map((span: { name: string }) => span.name)).toContain('Job.execute.trace-store.retention');
  });

  it('answers 404 problem+json for a request it did not keep or never saw, and 400 for a malformed ID', async () => {
    for (const id of [`${tag}-fast`, 'never-seen']) {
      const response = await get(`/admin/platform/requests/${id}`);
      expect(response.statusCode).toBe(404);
      expect(response.headers['content-type']).toContain('application/problem+json');
      expect(response.json().request_id).toBeTruthy();
    }
    expect((await get('/admin/platform/requests/bad%20id')).statusCode).toBe(400);
  });

  it('lists recent failed or slow requests, filtered by store, status and duration', async () => {
    const recent = (await get(`/admin/platform/requests?tenant_id=${store.id}`)).json();
    expect(recent.items.map((item: { request_id: string }) => item.request_id)).toEqual([`${tag}-slow`, boomId]);
    expect(recent).toMatchObject({ refresh_seconds: 60, data_as_of: expect.any(String) });
    const errors = (await get(`/admin/platform/requests?tenant_id=${store.id}&status=error`)).json();
    expect(errors.items.map((item: { request_id: string }) => item.request_id)).toEqual([boomId]);
    const slow = (await get(`/admin/platform/requests?tenant_id=${store.id}&min_duration_ms=300`)).json();
    expect(slow.items.map((item: { request_id: string }) => item.request_id)).toEqual([`${tag}-slow`]);
    expect((await get(`/admin/platform/requests?tenant_id=${other.id}`)).json().items).toEqual([]);
    for (const query of ['status=ok', 'limit=0', 'min_duration_ms=-1', 'tenant_id=nope']) {
      expect((await get(`/admin/platform/requests?${query}`)).statusCode, query).toBe(400);
    }
  });

  it('refuses without a second factor, to store tokens and to anonymous callers', async () => {
    const withoutOtp = await platformSession(t.platform, { secondFactor: false });
    const owner = await staffSession(t.platform, store.id, 'owner');
    for (const url of [`/admin/platform/requests/${boomId}`, '/admin/platform/requests', '/admin/platform/widgets/error-heatmap', `/admin/platform/stores/${store.id}/drilldown`]) {
      const refused = await get(url, withoutOtp.headers);
      expect(refused.statusCode, url).toBe(403);
      expect(refused.json()).toMatchObject({ reason: 'mfa_required' });
      expect((await get(url, owner.headers, storeHost(store))).statusCode, url).toBe(403);
      expect((await get(url, {})).statusCode, url).toBe(401);
    }
  });

  it('keeps the store platform-only: a tenant unit of work sees none of its rows', async () => {
    const seen = await t.platform.db.withTenant(store.id, (trx) =>
      sql<{ traces: number; spans: number; logs: number }>`
        select (select count(*) from obs_traces)::int as traces, (select count(*) from obs_spans)::int as spans, (select count(*) from obs_logs)::int as logs`.execute(trx),
    );
    expect(seen.rows[0]).toEqual({ traces: 0, spans: 0, logs: 0 });
    const platformSeen = await t.platform.db.withPlatform((trx) => sql<{ n: number }>`select count(*)::int as n from obs_traces where tenant_id = ${store.id}`.execute(trx));
    expect(platformSeen.rows[0]!.n).toBeGreaterThanOrEqual(2);
  });

  describe('widgets', () => {
    it('error heatmap: the failing store has an error in the current bucket', async () => {
      const body = (await get('/admin/platform/widgets/error-heatmap?minutes=30&bucket_minutes=5')).json();
      expect(body).toMatchObject({ refresh_seconds: 60, data_as_of: expect.any(String) });
      const row = body.tenants.find((tenant: { tenant_id: string }) => tenant.tenant_id === store.id);
      expect(row.subdomain).toBe(store.subdomain);
      expect(row.cells).toHaveLength(body.buckets.length);
      const total = row.cells.reduce((sum: { requests: number; errors: number }, cell: { requests: number; errors: number }) => ({ requests: sum.requests + cell.requests, errors: sum.errors + cell.errors }), { requests: 0, errors: 0 });
      expect(total).toEqual({ requests: 2, errors: 1 });
    });

    it('queue depth by priority, top error groups and the impersonation audit', async () => {
      const depth = (await get('/admin/platform/widgets/queue-depth')).json();
      expect(Object.keys(depth.queued).sort()).toEqual(['BULK', 'CRITICAL', 'DEFAULT', 'HIGH', 'LOW']);
      expect(depth.refresh_seconds).toBe(30);
      const groups = (await get('/admin/platform/widgets/error-groups?limit=50')).json();
      expect(groups.items.some((group: { message: string; sample_request_id: string }) => group.message.includes(tag))).toBe(true);
      const audit = await get('/admin/platform/widgets/impersonation-audit?limit=5');
      expect(audit.statusCode).toBe(200);
      expect(audit.json()).toMatchObject({ refresh_seconds: 300, items: expect.any(Array) });
      expect((await get('/admin/platform/widgets/error-groups?limit=500')).statusCode).toBe(400);
    });
  });

  it("drills down into a store: error rate, latency, queue depth, recent traces, links with its tenant_id", async () => {
    const body = (await get(`/admin/platform/stores/${store.id}/drilldown?minutes=30`)).json();
    expect(body).toMatchObject({ store_id: store.id, subdomain: store.subdomain, window_minutes: 30, requests: 2, errors: 1, error_rate: 0.5, refresh_seconds: 60 });
    expect(body.latency_ms.p95).toBeGreaterThanOrEqual(300);
    expect(Object.keys(body.queue_depth.queued)).toContain('DEFAULT');
    expect(body.recent_traces.map((item: { request_id: string }) => item.request_id)).toEqual([`${tag}-slow`, boomId]);
    expect(decodeURIComponent(body.links.prometheus)).toContain(`tenant_id="${store.id}"`);
    expect((await get('/admin/platform/stores/00000000-0000-4000-8000-000000000000/drilldown')).statusCode).toBe(404);
  });
});
