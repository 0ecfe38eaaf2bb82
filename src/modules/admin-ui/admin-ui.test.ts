import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { staffSession, storeHost } from '../../../test/support/auth.ts';
import { type TestApp, makeTenant, startTestApp } from '../../../test/support/platform.ts';
import { scrapeMetrics } from '../../platform/observability/metrics.ts';
import type { Tenant } from '../tenancy/service.ts';

describe('admin app delivery', () => {
  let t: TestApp;
  let store: Tenant;
  let other: Tenant;
  let owner: { host: string; authorization: string };

  beforeAll(async () => {
    t = await startTestApp();
    store = await makeTenant(t.platform.db, 'Admin Store');
    other = await makeTenant(t.platform.db, 'Other Admin Store');
    owner = { host: storeHost(store), ...(await staffSession(t.platform, store.id, 'owner')).headers };
  });
  afterAll(() => t?.close());

  it('serves the app shell without caching on every admin path, and hashed assets immutable and gzipped', async () => {
    for (const path of ['/admin', '/admin/', '/admin/products/123']) {
      const shell = await t.app.inject({ url: path, headers: { host: storeHost(store) } });
      expect(shell.statusCode).toBe(200);
      expect(shell.headers['cache-control']).toBe('no-cache');
      expect(shell.body).toContain('<div id="app"></div>');
      // Uploads go to the app's own object routes here: the page connects to nothing else.
      expect(String(shell.headers['content-security-policy']).split('; ')).toContain("connect-src 'self'");
    }
    const shell = await t.app.inject({ url: '/admin', headers: { host: storeHost(store) } });
    const script = shell.body.match(/src="(\/admin\/assets\/index-[\w-]+\.js)"/)?.[1];
    expect(script).toBeDefined();
    const asset = await t.app.inject({ url: script!, headers: { host: storeHost(store), 'accept-encoding': 'gzip' } });
    expect(asset.statusCode).toBe(200);
    expect(asset.headers['cache-control']).toBe('public, max-age=31536000, immutable');
    expect(asset.headers['content-encoding']).toBe('gzip');
    expect(asset.headers['content-type']).toContain('text/javascript');
    const missing = await t.app.inject({ url: '/admin/assets/index-old.js', headers: { host: storeHost(store) } });
    expect(missing.statusCode).toBe(404);
    expect(missing.headers['content-type']).toContain('application/problem+json');
  });

  it('answers unknown admin API paths with a problem, not the app shell, and serves no admin on the platform host', async () => {
    const unknown = await t.app.inject({ url: '/admin/api/v1/nothing-here', headers: { host: storeHost(store) } });
    expect(unknown.statusCode).toBe(404);
    expect(unknown.json().request_id).toEqual(expect.any(String));
    expect((await t.app.inject({ url: '/admin', headers: { host: 'localhost' } })).statusCode).toBe(404);
  });

  it('bootstraps the store and its tokens before sign-in, and adds scopes, roles and flags for a member of that store only', async () => {
    const anonymous = await t.app.inject({ url: '/admin/bootstrap', headers: { host: storeHost(store) } });
    expect(anonymous.statusCode).toBe(200);
    expect(anonymous.headers['cache-control']).toBe('private, no-cache');
    expect(anonymous.json()).toMatchObject({
      store: { id: store.id, name: 'Admin Store' },
      design_tokens: { 'color-primary': '#1f3a5f' },
      api_base_url: '/admin/api/v1',
      flags: {},
      user: null,
    });
    const signedIn = (await t.app.inject({ url: '/admin/bootstrap', headers: owner })).json();
    expect(signedIn.user).toMatchObject({ roles: ['owner'], impersonation: null });
    expect(signedIn.user.scopes).toContain('settings:write');
    expect(signedIn.flags).toMatchObject({ 'rate_limit.burst': expect.any(Number) });
    const foreign = await t.app.inject({ url: '/admin/bootstrap', headers: { ...owner, host: storeHost(other) } });
    expect(foreign.statusCode === 403 || foreign.statusCode === 401 || foreign.json().user === null).toBe(true);
  });

  it('turns telemetry batches into metrics, and refuses malformed batches', async () => {
    const batch = {
      events: [
        { type: 'navigation', route: 'products', duration_ms: 120 },
        { type: 'navigation', route: 'products', duration_ms: 80, failed: true },
        { type: 'vital', name: 'LCP', value: 900 },
        { type: 'error', kind: 'script' },
      ],
    };
    const sent = await t.app.inject({ method: 'POST', url: '/admin/telemetry', headers: { host: storeHost(store) }, payload: batch });
    expect(sent.statusCode).toBe(204);
    const metrics = await scrapeMetrics();
    expect(metrics).toMatch(/villagecompute_storefront_admin_spa_navigation_latency_seconds_count\{route="products"\} [1-9]/);
    expect(metrics).toMatch(/villagecompute_storefront_admin_spa_client_errors_total\{kind="navigation"\} [1-9]/);
    expect(metrics).toMatch(/villagecompute_storefront_admin_spa_web_vital_count\{vital="LCP"\} [1-9]/);
    expect(metrics).toMatch(/villagecompute_storefront_admin_spa_bundle_size_bytes\{type="initial"\} \d+/);
    for (const bad of [{ events: [{ type: 'navigation', route: 'Products!', duration_ms: 1 }] }, { events: [] }, { events: [{ type: 'error', kind: 'segfault' }] }]) {
      const refused = await t.app.inject({ method: 'POST', url: '/admin/telemetry', headers: { host: storeHost(store) }, payload: bad });
      expect(refused.statusCode).toBe(400);
    }
  });

  it('edits branding with strict validation, and the storefront renders the same tokens', async () => {
    const bad = await t.app.inject({ method: 'PATCH', url: '/admin/api/v1/store/settings', headers: owner, payload: { primary_color: 'red', font: 'x' } });
    expect(bad.statusCode).toBe(400);
    const saved = await t.app.inject({ method: 'PATCH', url: '/admin/api/v1/store/settings', headers: owner, payload: { primary_color: '#224466', tagline: 'Hand made' } });
    expect(saved.statusCode).toBe(200);
    expect(saved.json()).toMatchObject({ primary_color: '#224466', tagline: 'Hand made' });
    const bootstrap = (await t.app.inject({ url: '/admin/bootstrap', headers: { host: storeHost(store) } })).json();
    expect(bootstrap.design_tokens['color-primary']).toBe('#224466');
    const staff = { host: storeHost(store), ...(await staffSession(t.platform, store.id, 'staff')).headers };
    expect((await t.app.inject({ method: 'PATCH', url: '/admin/api/v1/store/settings', headers: staff, payload: { tagline: 'x' } })).statusCode).toBe(403);
    const foreign = await t.app.inject({ method: 'PATCH', url: '/admin/api/v1/store/settings', headers: { ...owner, host: storeHost(other) }, payload: { tagline: 'x' } });
    expect(foreign.statusCode).toBeGreaterThanOrEqual(401);
    expect(foreign.statusCode).toBeLessThan(404);
  });

  it('adds a custom domain with the TXT record to publish, lists and removes it', async () => {
    const added = await t.app.inject({ method: 'POST', url: '/admin/api/v1/domains', headers: owner, payload: { hostname: 'shop.admin-store.example' } });
    expect(added.statusCode).toBe(201);
    expect(added.json()).toMatchObject({ hostname: 'shop.admin-store.example', status: 'pending', verification: { type: 'TXT', value: expect.stringMatching(/^village-verification=/) } });
    const listed = (await t.app.inject({ url: '/admin/api/v1/domains', headers: owner })).json();
    expect(listed.items.map((domain: { hostname: string }) => domain.hostname)).toEqual(['shop.admin-store.example']);
    const otherOwner = { host: storeHost(other), ...(await staffSession(t.platform, other.id, 'owner')).headers };
    expect((await t.app.inject({ url: '/admin/api/v1/domains', headers: otherOwner })).json().items).toEqual([]);
    expect((await t.app.inject({ method: 'DELETE', url: '/admin/api/v1/domains/shop.admin-store.example', headers: owner })).statusCode).toBe(204);
  });
});

describe('admin app page policy', () => {
  let t: TestApp;
  afterAll(() => t?.close());

  it('lets the page connect to the storage host that media uploads go to, and nowhere else', async () => {
    t = await startTestApp({ STORAGE_PUBLIC_URL: 'https://media.example.test' });
    const store = await makeTenant(t.platform.db, 'Policy Store');
    const shell = await t.app.inject({ url: '/admin/products/1', headers: { host: storeHost(store) } });
    const policy = String(shell.headers['content-security-policy']);
    expect(policy.split('; ')).toContain("connect-src 'self' https://media.example.test");
    const upload = await t.platform.storage.presignPut(`tenants/${store.id}/media/x/original`, { contentType: 'image/png', contentLength: 10, expiresInS: 60 });
    expect(new URL(upload.url).origin).toBe('https://media.example.test');
  });
});
