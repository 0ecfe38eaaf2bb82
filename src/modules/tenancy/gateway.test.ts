import { connect } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type TestApp, makeTenant, startTestApp, testDb } from '../../../test/support/platform.ts';
import { type Tenant, tenancy } from './index.ts';
import { buildApp } from '../../platform/http/app.ts';
import { misclassifications, rateLimited, resolutions } from './telemetry.ts';

const BROWSER = 'text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8';

async function counter(
  metric: typeof resolutions | typeof rateLimited | typeof misclassifications,
  labels: Record<string, string> = {},
): Promise<number> {
  const { values } = await metric.get();
  return values.find((value) => Object.entries(labels).every(([key, label]) => (value.labels as Record<string, unknown>)[key] === label))?.value ?? 0;
}

describe('tenant access gateway (HTTP)', () => {
  let t: TestApp;
  let store: Tenant;
  const hostOf = (tenant: Tenant) => `${tenant.subdomain}.localhost:8080`;

  beforeAll(async () => {
    // The store exists before the app listens for changes, so its creation notice cannot arrive between the
    // requests of the cache test and evict the entry they expect to hit.
    const db = testDb();
    store = await makeTenant(db, 'Gateway Goods');
    await db.close();
    t = await startTestApp({ SUPPORT_URL: 'https://help.example.test/' });
  });
  afterAll(() => t.close());

  it('resolves a subdomain, from the database first and from the cache after', async () => {
    const misses = await counter(resolutions, { outcome: 'miss' });
    const hits = await counter(resolutions, { outcome: 'hit' });
    const resolved: { cached: boolean }[] = [];
    const off = t.platform.events.on('TenantResolved', (event) => {
      if (event.tenantId === store.id) resolved.push(event);
    });
    for (let i = 0; i < 2; i++) {
      const response = await t.app.inject({ url: '/', headers: { host: hostOf(store).toUpperCase() } });
      expect(response.statusCode).toBe(200);
      expect(response.body).toContain('Gateway Goods');
      // One shopper's bucket: half of the shoppers' bucket, the starter plan's burst of 200.
      expect(response.headers['ratelimit-limit']).toBe('100');
    }
    off();
    expect(resolved.map((event) => event.cached)).toEqual([false, true]);
    expect(await counter(resolutions, { outcome: 'miss' })).toBe(misses + 1);
    expect(await counter(resolutions, { outcome: 'hit' })).toBe(hits + 1);
  });

  it('answers an unknown store with a branded page for browsers and a problem for API clients', async () => {
    const missing = t.platform.events.next('TenantMissing', (event) => event.host === 'nobody-here.localhost');
    const page = await t.app.inject({ url: '/catalog', headers: { host: 'nobody-here.localhost', accept: BROWSER, 'x-request-id': 'req-404' } });
    expect(page.statusCode).toBe(404);
    expect(page.headers['content-type']).toContain('text/html');
    expect(page.headers['x-request-id']).toBe('req-404');
    expect(page.body).toContain('Store not found');
    expect(page.body).toContain('nobody-here.localhost');
    expect(page.body).toContain('req-404');
    await missing;

    const api = await t.app.inject({ url: '/api/products', headers: { host: 'nobody-here.localhost', accept: 'application/json' } });
    expect(api.statusCode).toBe(404);
    expect(api.headers['content-type']).toContain('application/problem+json');
    expect(api.json()).toMatchObject({ status: 404, title: 'Store not found', request_id: api.headers['x-request-id'] });
  });

  it.each([
    ['malformed', 'not a host!'],
    ['with a bad port', 'shop.localhost:http'],
    ['over-long', `${'a'.repeat(60)}.${'b'.repeat(60)}.${'c'.repeat(60)}.${'d'.repeat(60)}.${'e'.repeat(60)}.com`],
  ])('refuses a %s Host with 400 problem+json', async (_case, host) => {
    const response = await t.app.inject({ url: '/', headers: { host } });
    expect(response.statusCode).toBe(400);
    expect(response.headers['content-type']).toContain('application/problem+json');
    expect(response.json()).toMatchObject({ status: 400, title: 'Bad Request', request_id: response.headers['x-request-id'] });
  });

  it('refuses a request without a Host header (HTTP/1.0 on a real socket)', async () => {
    const address = await t.app.listen({ host: '127.0.0.1', port: 0 });
    const { port } = new URL(address);
    const socket = connect(Number(port), '127.0.0.1');
    socket.write('GET /catalog HTTP/1.0\r\nAccept: application/json\r\n\r\n');
    const chunks: Buffer[] = [];
    for await (const chunk of socket) chunks.push(chunk as Buffer);
    const raw = Buffer.concat(chunks).toString();
    expect(raw).toMatch(/^HTTP\/1\.[01] 400/);
    expect(raw).toContain('application/problem+json');
    expect(raw).toContain('"request_id"');
    expect(raw).toContain('no Host header');
  });

  it('leaves the platform host and /q/* without a tenant', async () => {
    expect((await t.app.inject({ url: '/', headers: { host: 'localhost:8080' } })).statusCode).toBe(200);
    expect((await t.app.inject({ url: '/q/health/live', headers: { host: 'no-such-store.localhost' } })).statusCode).toBe(200);
  });

  it('suspends a store: 503 page pointing to support, JSON for APIs, and back after resume without a restart', async () => {
    const tenant = await makeTenant(t.platform.db, 'Paused Parlour');
    const service = tenancy(t.platform);
    expect((await t.app.inject({ url: '/', headers: { host: hostOf(tenant) } })).statusCode).toBe(200);

    await service.suspendTenant({ tenantId: tenant.id, reason: 'Chargeback fraud review', actor: 'admin-7', ticket: 'SUP-42' });
    const page = await t.app.inject({ url: '/', headers: { host: hostOf(tenant), accept: BROWSER } });
    expect(page.statusCode).toBe(503);
    expect(page.headers['content-type']).toContain('text/html');
    expect(page.body).toContain('Paused Parlour is temporarily unavailable');
    expect(page.body).toContain('https://help.example.test/');
    const api = await t.app.inject({ url: '/api/cart', headers: { host: hostOf(tenant) } });
    expect(api.statusCode).toBe(503);
    expect(api.json()).toMatchObject({ status: 503, title: 'Store suspended', support_url: 'https://help.example.test/' });

    await service.resumeTenant({ tenantId: tenant.id, reason: 'Review cleared', actor: 'admin-7' });
    expect((await t.app.inject({ url: '/', headers: { host: hostOf(tenant) } })).statusCode).toBe(200);
  });

  it('answers 429 with Retry-After and RateLimit headers over a shopper\'s and the shoppers\' budget, and counts it', async () => {
    const tenant = await makeTenant(t.platform.db, 'Busy Boutique');
    const { flags } = tenancy(t.platform);
    await flags.setOverride({ tenantId: tenant.id, key: 'rate_limit.burst', value: 7, reason: 'test budget' });
    await flags.setOverride({ tenantId: tenant.id, key: 'rate_limit.per_second', value: 0.01, reason: 'test budget' });
    const before = { requester: await counter(rateLimited, { scope: 'requester' }), tenant: await counter(rateLimited, { scope: 'tenant' }) };
    const get = (ip: string) => t.app.inject({ url: '/', headers: { host: hostOf(tenant) }, remoteAddress: ip });

    // One address gets half of the shoppers' 7 requests: 3 (the plan's burst, 7 here).
    const statuses: number[] = [];
    let last = await get('192.0.2.71');
    statuses.push(last.statusCode);
    for (let i = 0; i < 4; i++) {
      last = await get('192.0.2.71');
      statuses.push(last.statusCode);
    }
    expect(statuses).toEqual([200, 200, 200, 429, 429]);
    expect(last.headers['content-type']).toContain('application/problem+json');
    expect(last.json()).toMatchObject({ status: 429, title: 'Too Many Requests', request_id: last.headers['x-request-id'] });
    expect(Number(last.headers['retry-after'])).toBeGreaterThanOrEqual(1);
    expect(last.headers['ratelimit-limit']).toBe('3');
    expect(last.headers['ratelimit-remaining']).toBe('0');
    expect(Number(last.headers['ratelimit-reset'])).toBeGreaterThan(0);
    expect(await counter(rateLimited, { scope: 'requester' })).toBe(before.requester + 2);
    // More addresses exhaust the shoppers' share of the store: 3 + 3 + 1.
    const others = [];
    for (const ip of ['192.0.2.72', '192.0.2.72', '192.0.2.72', '192.0.2.73', '192.0.2.73']) others.push((await get(ip)).statusCode);
    expect(others).toEqual([200, 200, 200, 200, 429]);
    expect(await counter(rateLimited, { scope: 'tenant' })).toBe(before.tenant + 1);
  });

  it("allows CORS from the store's own origins only", async () => {
    const own = await t.app.inject({ url: '/', headers: { host: hostOf(store), origin: `http://${hostOf(store)}` } });
    expect(own.headers['access-control-allow-origin']).toBe(`http://${hostOf(store)}`);
    const foreign = await t.app.inject({ url: '/', headers: { host: hostOf(store), origin: 'https://evil.example' } });
    expect(foreign.headers['access-control-allow-origin']).toBeUndefined();
    const sameOrigin = await t.app.inject({ url: '/', headers: { host: hostOf(store) } });
    expect(sameOrigin.headers['access-control-allow-origin']).toBeUndefined();
  });

  it('answers a preflight from an own origin only, and refuses one without its method', async () => {
    const origin = `http://${hostOf(store)}`;
    const preflight = (headers: Record<string, string>) => t.app.inject({ method: 'OPTIONS', url: '/products', headers: { host: hostOf(store), ...headers } });
    const own = await preflight({ origin, 'access-control-request-method': 'POST', 'access-control-request-headers': 'content-type, authorization' });
    expect(own.statusCode).toBe(204);
    expect(own.headers).toMatchObject({
      'access-control-allow-origin': origin,
      'access-control-allow-methods': 'GET,HEAD,POST',
      'access-control-allow-headers': 'content-type, authorization',
      'content-length': '0',
    });
    expect(own.headers.vary).toContain('Origin');
    expect(own.headers.vary).toContain('Access-Control-Request-Headers');
    const foreign = await preflight({ origin: 'https://evil.example', 'access-control-request-method': 'POST' });
    expect(foreign.statusCode).toBe(404);
    expect(foreign.headers['access-control-allow-origin']).toBeUndefined();
    const noMethod = await preflight({ origin });
    expect(noMethod.statusCode).toBe(400);
    expect(noMethod.body).toBe('Invalid Preflight Request');
  });

  it("counts a credential of one store presented on another store's host as a misclassification", async () => {
    const other = await makeTenant(t.platform.db, 'Elsewhere Emporium');
    const app = await buildApp(t.platform, t.modules);
    app.addHook('onRequest', async (request) => {
      const tenantId = request.headers['x-test-token-store'];
      if (typeof tenantId === 'string') request.principal = { kind: 'staff', subject: 'u-1', tenantId, roles: [], scopes: [] };
    });
    try {
      const before = await counter(misclassifications);
      await app.inject({ url: '/', headers: { host: hostOf(store), 'x-test-token-store': store.id } });
      expect(await counter(misclassifications)).toBe(before);
      await app.inject({ url: '/', headers: { host: hostOf(store), 'x-test-token-store': other.id } });
      expect(await counter(misclassifications)).toBe(before + 1);
    } finally {
      await app.close();
    }
  });

  it("answers 429 over the platform host's budget per address, with the same headers as any response", async () => {
    const small = await startTestApp({ PLATFORM_RATE_LIMIT_BURST: '2', PLATFORM_RATE_LIMIT_PER_SECOND: '1' });
    try {
      const before = await counter(rateLimited, { scope: 'ip' });
      const get = () => small.app.inject({ url: '/', headers: { host: 'localhost:8080' }, remoteAddress: '198.18.0.19' });
      const passed = await get();
      expect(passed.statusCode).toBe(200);
      expect(passed.headers['ratelimit-limit']).toBe('2');
      expect(passed.headers['ratelimit-remaining']).toBeDefined();
      expect((await get()).statusCode).toBe(200);
      const refused = await get();
      expect(refused.statusCode).toBe(429);
      expect(refused.json()).toMatchObject({ status: 429, title: 'Too Many Requests', request_id: refused.headers['x-request-id'] });
      expect(Number(refused.headers['retry-after'])).toBeGreaterThanOrEqual(1);
      expect(refused.headers['ratelimit-remaining']).toBe('0');
      expect(refused.headers['x-content-type-options']).toBe('nosniff');
      expect(refused.headers['content-security-policy']).toBe("default-src 'none'; frame-ancestors 'none'");
      expect(await counter(rateLimited, { scope: 'ip' })).toBe(before + 1);
    } finally {
      await small.close();
    }
  });
});
