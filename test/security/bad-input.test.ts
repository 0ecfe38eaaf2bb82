import { type Server, type Socket, createConnection, createServer } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN_PREFIX } from '../../src/modules/catalog/routes.ts';
import type { Tenant } from '../../src/modules/tenancy/service.ts';
import { createDb } from '../../src/platform/db/database.ts';
import { staffSession, storeHost } from '../support/auth.ts';
import { type TestApp, makeTenant, startTestApp, testDatabaseUrl } from '../support/platform.ts';

const product = (overrides: Record<string, unknown> = {}) => ({
  handle: `h-${Math.random().toString(36).slice(2, 10)}`,
  title: 'Linen shirt',
  variants: [{ sku: `S-${Math.random().toString(36).slice(2, 10)}`, title: 'Default', price_minor: 1999, currency: 'USD' }],
  ...overrides,
});

describe('bad input is a 400 problem naming the field, and changes nothing', () => {
  let t: TestApp;
  let store: Tenant;
  let headers: Record<string, string>;
  const productCount = () =>
    t.platform.db.withTenant(store.id, (trx) => trx.selectFrom('products').select((eb) => eb.fn.countAll<string>().as('n')).executeTakeFirstOrThrow()).then((row) => Number(row.n));
  const post = (body: string, contentType = 'application/json') =>
    t.app.inject({ method: 'POST', url: `${ADMIN_PREFIX}/products`, headers: { ...headers, 'content-type': contentType }, payload: body });

  beforeAll(async () => {
    t = await startTestApp();
    store = await makeTenant(t.platform.db, 'Strict Store');
    headers = { host: storeHost(store), ...(await staffSession(t.platform, store.id, 'manager')).headers };
  });
  afterAll(() => t.close());

  it.each([
    ['a number where a string belongs', product({ title: 12345 }), 'body/title'],
    ['a one-element array for a scalar', product({ title: ['Linen shirt'] }), 'body/title'],
    ['a string where a number belongs', product({ variants: [{ ...product().variants[0], price_minor: '1999' }] }), 'body/variants/0/price_minor'],
    ['an unknown field', product({ is_admin: true }), 'body/is_admin'],
  ])('refuses %s', async (_name, body, field) => {
    const before = await productCount();
    const response = await post(JSON.stringify(body));
    expect(response.statusCode).toBe(400);
    expect(response.headers['content-type']).toMatch(/application\/problem\+json/);
    expect(response.json()).toMatchObject({ status: 400, request_id: expect.any(String), errors: [expect.objectContaining({ field })] });
    expect(await productCount()).toBe(before);
  });

  it('refuses 1e309 (not a finite number)', async () => {
    const response = await post(JSON.stringify(product()).replace('"price_minor":1999', '"price_minor":1e309'));
    expect(response.statusCode).toBe(400);
  });

  it('refuses U+0000 in text with a 400, in a body and in a query string', async () => {
    const response = await post(JSON.stringify(product({ title: 'Linen\u0000shirt' })));
    expect(response.statusCode).toBe(400);
    expect(response.json().detail).toMatch(/U\+0000/);
    const search = await t.app.inject({ url: '/search?q=linen%00shirt', headers: { host: storeHost(store) } });
    expect(search.statusCode).toBe(400);
    const listed = await t.app.inject({ url: `${ADMIN_PREFIX}/products?q=%00`, headers });
    expect(listed.statusCode).toBeLessThan(500);
  });

  it('takes invalid UTF-8 without a 500', async () => {
    const body = Buffer.concat([Buffer.from('{"handle":"bad-utf8","title":"Caf'), Buffer.from([0xc3, 0x28]), Buffer.from('","variants":[]}')]);
    const response = await t.app.inject({ method: 'POST', url: `${ADMIN_PREFIX}/products`, headers: { ...headers, 'content-type': 'application/json' }, payload: body });
    expect(response.statusCode).toBeLessThan(500);
  });

  it('accepts only the documented content types on the import route', async () => {
    const response = await t.app.inject({
      method: 'POST',
      url: `${ADMIN_PREFIX}/imports?format=csv`,
      headers: { ...headers, 'content-type': 'application/json' },
      payload: JSON.stringify({ handle: 'x' }),
    });
    expect(response.statusCode).toBe(415);
  });

  it('names the field, not the constraint, of an unknown reference', async () => {
    const response = await post(JSON.stringify(product({ category_id: '00000000-0000-4000-8000-000000000000' })));
    expect(response.body).not.toMatch(/_fkey|_fk\b/);
    expect(response.statusCode).toBeLessThan(500);
  });
});

/** A TCP proxy in front of PostgreSQL that the test can cut and restore. */
function databaseProxy(target: URL) {
  const sockets = new Set<Socket>();
  let server: Server | undefined;
  let port = 0;
  return {
    open: () =>
      new Promise<void>((resolve) => {
        server = createServer((client) => {
          const upstream = createConnection(Number(target.port || 5432), target.hostname);
          sockets.add(client).add(upstream);
          client.pipe(upstream).pipe(client);
          const end = () => {
            client.destroy();
            upstream.destroy();
          };
          client.on('error', end).on('close', end);
          upstream.on('error', end).on('close', end);
        });
        server.listen(port, '127.0.0.1', () => {
          port = (server!.address() as { port: number }).port;
          resolve();
        });
      }),
    cut: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        sockets.clear();
        server!.close(() => resolve());
      }),
    url: () => Object.assign(new URL(target), { port: String(port) }).toString(),
  };
}

describe('an unreachable database', () => {
  it('answers 503 with Retry-After while it is down, never 500, and recovers by itself', async () => {
    const proxy = databaseProxy(new URL(testDatabaseUrl()));
    await proxy.open();
    const t = await startTestApp();
    const store = await makeTenant(t.platform.db, 'Outage Store');
    const headers = { host: storeHost(store), ...(await staffSession(t.platform, store.id, 'manager')).headers };
    // The app's queries go through the proxy from here on.
    const original = { ...t.platform.db };
    const proxied = createDb({ ownerUrl: proxy.url(), poolMax: 2, statementTimeoutMs: 5_000 });
    Object.assign(t.platform.db, { pool: proxied.pool, kysely: proxied.kysely, withTenant: proxied.withTenant, withPlatform: proxied.withPlatform });
    try {
      const list = () => t.app.inject({ url: `${ADMIN_PREFIX}/products`, headers });
      expect((await list()).statusCode).toBe(200);
      await proxy.cut();
      for (let i = 0; i < 3; i++) {
        const down = await list();
        expect(down.statusCode).toBe(503);
        expect(down.headers['retry-after']).toMatch(/^\d+$/);
        expect(down.json()).toMatchObject({ status: 503, request_id: expect.any(String) });
        expect(down.body).not.toMatch(/ECONNREFUSED|127\.0\.0\.1/);
      }
      await proxy.open();
      expect((await list()).statusCode).toBe(200);
    } finally {
      await proxied.close();
      Object.assign(t.platform.db, original);
      await t.close();
    }
  });
});
