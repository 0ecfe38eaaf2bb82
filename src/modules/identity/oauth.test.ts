import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type TestSession, staffSession, storeHost } from '../../../test/support/auth.ts';
import { type TestApp, makeTenant, startTestApp } from '../../../test/support/platform.ts';
import { tenancy } from '../tenancy/index.ts';
import type { Tenant } from '../tenancy/service.ts';

describe('OAuth 2.0 client credentials (RFC 6749 §4.4)', () => {
  let t: TestApp;
  let store: Tenant;
  let other: Tenant;
  let owner: TestSession;
  let client: { client_id: string; client_secret: string; scopes: string[] };

  const token = (form: Record<string, string>, headers: Record<string, string> = {}, host = storeHost(store)) =>
    t.app.inject({
      method: 'POST',
      url: '/oauth/token',
      headers: { host, 'content-type': 'application/x-www-form-urlencoded', ...headers },
      payload: new URLSearchParams(form).toString(),
    });
  const basic = (id: string, secret: string) => ({ authorization: `Basic ${Buffer.from(`${id}:${secret}`).toString('base64')}` });
  const expectOAuthError = (response: Awaited<ReturnType<typeof token>>, status: number, error: string) => {
    expect(response.statusCode).toBe(status);
    expect(response.headers['content-type']).toContain('application/json');
    expect(response.headers['cache-control']).toBe('no-store');
    expect(response.json()).toMatchObject({ error, error_description: expect.any(String), request_id: expect.any(String) });
  };

  beforeAll(async () => {
    t = await startTestApp();
    store = await makeTenant(t.platform.db, 'OAuth Store');
    other = await makeTenant(t.platform.db, 'OAuth Other');
    owner = await staffSession(t.platform, store.id, 'owner');
    const created = await t.app.inject({
      method: 'POST',
      url: '/admin/api/v1/api-clients',
      headers: { host: storeHost(store), ...owner.headers },
      payload: { name: 'Headless shop', scopes: ['catalog:read', 'orders:write'] },
    });
    expect(created.statusCode).toBe(201);
    client = created.json();
  });
  afterAll(() => t.close());

  it('issues a scoped token to a client authenticating with HTTP Basic', async () => {
    const response = await token({ grant_type: 'client_credentials' }, basic(client.client_id, client.client_secret));
    expect(response.statusCode).toBe(200);
    expect(response.headers['cache-control']).toBe('no-store');
    const body = response.json();
    expect(body).toMatchObject({ token_type: 'Bearer', expires_in: 900, scope: 'catalog:read orders:write' });
    expect(body).not.toHaveProperty('refresh_token');
    const me = await t.app.inject({ url: '/auth/me', headers: { host: storeHost(store), authorization: `Bearer ${body.access_token}` } });
    expect(me.json()).toMatchObject({ kind: 'client', subject: client.client_id, tenant_id: store.id, scopes: ['catalog:read', 'orders:write'] });
  });

  it('accepts client_secret_post and narrows to the requested scope', async () => {
    const response = await token({ grant_type: 'client_credentials', client_id: client.client_id, client_secret: client.client_secret, scope: 'catalog:read' });
    expect(response.statusCode).toBe(200);
    expect(response.json().scope).toBe('catalog:read');
  });

  it('answers every failure with an RFC 6749 §5.2 error body', async () => {
    expectOAuthError(await token({ grant_type: 'client_credentials' }, basic(client.client_id, 'wrong-secret')), 401, 'invalid_client');
    expectOAuthError(await token({ grant_type: 'client_credentials' }, basic('vsc_unknownunknownun', 'x')), 401, 'invalid_client');
    expectOAuthError(await token({ grant_type: 'client_credentials' }), 401, 'invalid_client');
    expectOAuthError(await token({ client_id: client.client_id, client_secret: client.client_secret }), 400, 'invalid_request');
    expectOAuthError(await token({ grant_type: 'password', username: 'a', password: 'b' }), 400, 'unsupported_grant_type');
    expectOAuthError(await token({ grant_type: 'client_credentials', scope: 'catalog:write' }, basic(client.client_id, client.client_secret)), 400, 'invalid_scope');
    expectOAuthError(
      await token({ grant_type: 'client_credentials', client_id: client.client_id }, basic(client.client_id, client.client_secret)),
      400,
      'invalid_request',
    );
    const repeated = await t.app.inject({
      method: 'POST',
      url: '/oauth/token',
      headers: { host: storeHost(store), 'content-type': 'application/x-www-form-urlencoded', ...basic(client.client_id, client.client_secret) },
      payload: 'grant_type=client_credentials&grant_type=client_credentials',
    });
    expectOAuthError(repeated, 400, 'invalid_request');
  });

  it("refuses a client on another store's host and on the platform host", async () => {
    expectOAuthError(await token({ grant_type: 'client_credentials' }, basic(client.client_id, client.client_secret), storeHost(other)), 401, 'invalid_client');
    expectOAuthError(await token({ grant_type: 'client_credentials' }, basic(client.client_id, client.client_secret), 'localhost'), 400, 'invalid_request');
  });

  it('stores only a hash of the secret, and a revoked client gets no more tokens', async () => {
    const created = await t.app.inject({
      method: 'POST',
      url: '/admin/api/v1/api-clients',
      headers: { host: storeHost(store), ...owner.headers },
      payload: { name: 'Short-lived', scopes: ['catalog:read'] },
    });
    const { client_id, client_secret } = created.json();
    const list = await t.app.inject({ url: '/admin/api/v1/api-clients', headers: { host: storeHost(store), ...owner.headers } });
    expect(JSON.stringify(list.json())).not.toContain(client_secret);
    const revoke = await t.app.inject({ method: 'DELETE', url: `/admin/api/v1/api-clients/${client_id}`, headers: { host: storeHost(store), ...owner.headers } });
    expect(revoke.statusCode).toBe(204);
    expectOAuthError(await token({ grant_type: 'client_credentials' }, basic(client_id, client_secret)), 401, 'invalid_client');
    const again = await t.app.inject({ method: 'DELETE', url: `/admin/api/v1/api-clients/${client_id}`, headers: { host: storeHost(store), ...owner.headers } });
    expect(again.statusCode).toBe(404);
  });

  it("limits each client's requests on its own budget (rate_limit.client_* flags), separately from other clients", async () => {
    await tenancy(t.platform).flags.setOverride({ tenantId: store.id, key: 'rate_limit.client_burst', value: 2, reason: 'test' });
    await tenancy(t.platform).flags.setOverride({ tenantId: store.id, key: 'rate_limit.client_per_second', value: 0.01, reason: 'test' });
    const tokenOf = async (id: string, secret: string) => (await token({ grant_type: 'client_credentials' }, basic(id, secret))).json().access_token;
    const me = (accessToken: string) => t.app.inject({ url: '/auth/me', headers: { host: storeHost(store), authorization: `Bearer ${accessToken}` } });
    const newClient = async (name: string) =>
      (
        await t.app.inject({
          method: 'POST',
          url: '/admin/api/v1/api-clients',
          headers: { host: storeHost(store), ...owner.headers },
          payload: { name, scopes: ['catalog:read'] },
        })
      ).json();
    const first = await newClient('Busy');
    const second = await newClient('Quiet');
    const busy = await tokenOf(first.client_id, first.client_secret);
    const statuses = [(await me(busy)).statusCode, (await me(busy)).statusCode, (await me(busy)).statusCode];
    expect(statuses).toEqual([200, 200, 429]);
    const limited = await me(busy);
    expect(limited.headers['content-type']).toContain('application/problem+json');
    expect(Number(limited.headers['retry-after'])).toBeGreaterThan(0);
    expect((await me(await tokenOf(second.client_id, second.client_secret))).statusCode).toBe(200);
    // Staff are not API clients: the store's own budget applies to them, not a client's.
    expect((await t.app.inject({ url: '/auth/me', headers: { host: storeHost(store), ...owner.headers } })).statusCode).toBe(200);
  });

  it('refuses to create a client with a scope a store may not grant, or without the right scope', async () => {
    const bad = await t.app.inject({
      method: 'POST',
      url: '/admin/api/v1/api-clients',
      headers: { host: storeHost(store), ...owner.headers },
      payload: { name: 'Greedy', scopes: ['staff:write'] },
    });
    expect(bad.statusCode).toBe(400);
    expect(bad.headers['content-type']).toContain('application/problem+json');
    const manager = await staffSession(t.platform, store.id, 'manager');
    const forbidden = await t.app.inject({
      method: 'POST',
      url: '/admin/api/v1/api-clients',
      headers: { host: storeHost(store), ...manager.headers },
      payload: { name: 'Nope', scopes: ['catalog:read'] },
    });
    expect(forbidden.statusCode).toBe(403);
  });
});
