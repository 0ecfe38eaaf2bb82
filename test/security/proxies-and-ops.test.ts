import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Tenant } from '../../src/modules/tenancy/service.ts';
import { storeHost } from '../support/auth.ts';
import { type TestApp, makeTenant, startTestApp } from '../support/platform.ts';

const PROXY = '192.0.2.10';
const SCRAPER = '198.51.100.7';
const ATTACKER = '203.0.113.66';

describe('forwarded headers, operational endpoints and security headers', () => {
  let t: TestApp;
  let victim: Tenant;
  let evil: Tenant;

  beforeAll(async () => {
    t = await startTestApp({ TRUST_PROXY: PROXY, OPS_ALLOWED_ADDRESSES: '198.51.100.0/24' });
    victim = await makeTenant(t.platform.db, 'Victim Boutique');
    evil = await makeTenant(t.platform.db, 'Evil Twin');
  });
  afterAll(() => t.close());

  const get = (url: string, remoteAddress: string, headers: Record<string, string> = {}) => t.app.inject({ url, remoteAddress, headers });

  it('ignores X-Forwarded-Host from a peer that is not a configured proxy (no cross-store cache poisoning)', async () => {
    const page = await get('/', ATTACKER, { host: storeHost(victim), 'x-forwarded-host': storeHost(evil) });
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('Victim Boutique');
    expect(page.body).not.toContain('Evil Twin');
    const proxied = await get('/', PROXY, { host: 'internal', 'x-forwarded-host': storeHost(victim) });
    expect(proxied.body).toContain('Victim Boutique');
  });

  it('makes publicly cacheable pages vary on the host the store was resolved from', async () => {
    const page = await get('/', ATTACKER, { host: storeHost(victim) });
    expect(page.headers['cache-control']).toMatch(/public/);
    expect(String(page.headers.vary).toLowerCase()).toContain('host');
    expect(String(page.headers.vary).toLowerCase()).toContain('x-forwarded-host');
  });

  it('serves /q/* only to allow-listed addresses, judged by the address a trusted proxy reports', async () => {
    for (const path of ['/q/metrics', '/q/health/ready', '/q/health/live']) {
      expect((await get(path, ATTACKER, { host: storeHost(victim) })).statusCode, path).toBe(404);
      // A spoofed X-Forwarded-For from an untrusted peer does not help.
      expect((await get(path, ATTACKER, { host: storeHost(victim), 'x-forwarded-for': SCRAPER })).statusCode, path).toBe(404);
      expect((await get(path, PROXY, { host: storeHost(victim), 'x-forwarded-for': ATTACKER })).statusCode, path).toBe(404);
      expect((await get(path, SCRAPER, { host: 'localhost' })).statusCode, path).toBe(200);
      expect((await get(path, PROXY, { host: 'localhost', 'x-forwarded-for': SCRAPER })).statusCode, path).toBe(200);
    }
  });

  it('answers an address off the allow-list on /q/* (HEAD too) as it answers a /q/ path that does not exist', async () => {
    const refused = await get('/q/metrics', ATTACKER, { host: 'localhost' });
    const unknown = await get('/q/nothing-here', SCRAPER, { host: 'localhost' });
    expect([refused.statusCode, unknown.statusCode]).toEqual([404, 404]);
    expect(refused.json()).toMatchObject({ title: 'Not Found', detail: 'No route for GET /q/metrics' });
    expect(unknown.json()).toMatchObject({ title: 'Not Found', detail: 'No route for GET /q/nothing-here' });
    expect(refused.headers['x-request-id']).toBeDefined();
    const head = (remoteAddress: string) => t.app.inject({ method: 'HEAD', url: '/q/health/live', remoteAddress, headers: { host: 'localhost' } });
    expect((await head(ATTACKER)).statusCode).toBe(404);
    expect((await head(SCRAPER)).statusCode).toBe(200);
  });

  it('puts security headers on pages, API answers and errors', async () => {
    const page = await get('/', ATTACKER, { host: storeHost(victim) });
    const csp = String(page.headers['content-security-policy']);
    expect(csp).toContain("script-src 'self'");
    expect(csp).toContain("frame-ancestors 'self'");
    expect(csp).not.toContain('unsafe-inline');
    expect(csp).toMatch(/style-src 'self' 'sha256-[A-Za-z0-9+/=]+'/);
    for (const response of [page, await get('/admin/api/v1/products', ATTACKER, { host: storeHost(victim) }), await get('/nowhere', ATTACKER)]) {
      expect(response.headers['x-content-type-options']).toBe('nosniff');
      expect(response.headers['x-frame-options']).toBe('SAMEORIGIN');
      expect(response.headers['referrer-policy']).toBe('strict-origin-when-cross-origin');
      expect(response.headers['content-security-policy']).toBeDefined();
      expect(response.headers['strict-transport-security']).toBeUndefined();
    }
    const https = await get('/', PROXY, { host: storeHost(victim), 'x-forwarded-proto': 'https' });
    expect(https.headers['strict-transport-security']).toMatch(/max-age=\d+/);
    const spoofed = await get('/', ATTACKER, { host: storeHost(victim), 'x-forwarded-proto': 'https' });
    expect(spoofed.headers['strict-transport-security']).toBeUndefined();
  });
});
