import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { staffSession, storeHost } from '../../../test/support/auth.ts';
import { type TestApp, makeTenant, startTestApp } from '../../../test/support/platform.ts';
import type { Tenant } from '../tenancy/service.ts';

describe('staff login, tokens and sessions', () => {
  let t: TestApp;
  let store: Tenant;
  let other: Tenant;
  beforeAll(async () => {
    t = await startTestApp();
    store = await makeTenant(t.platform.db, 'Login Store');
    other = await makeTenant(t.platform.db, 'Other Store');
  });
  afterAll(() => t.close());

  it('logs in with e-mail and password and answers /auth/me with the token', async () => {
    const session = await staffSession(t.platform, store.id, 'manager');
    const response = await t.app.inject({
      method: 'POST',
      url: '/auth/login',
      headers: { host: storeHost(store) },
      payload: { email: session.email.toUpperCase(), password: session.password },
    });
    expect(response.statusCode).toBe(200);
    expect(response.headers['cache-control']).toBe('no-store');
    const tokens = response.json();
    expect(tokens).toMatchObject({ token_type: 'Bearer', expires_in: 900 });
    const me = await t.app.inject({ url: '/auth/me', headers: { host: storeHost(store), authorization: `Bearer ${tokens.access_token}` } });
    expect(me.statusCode).toBe(200);
    expect(me.json()).toMatchObject({ kind: 'staff', subject: session.userId, tenant_id: store.id, roles: ['manager'], impersonation: null });
    expect(me.json().scopes).toContain('catalog:write');
  });

  it("refuses a store's token on another store's host", async () => {
    const session = await staffSession(t.platform, store.id, 'owner');
    const response = await t.app.inject({ url: '/auth/me', headers: { host: storeHost(other), ...session.headers } });
    expect(response.statusCode).toBe(401);
    expect(response.headers['content-type']).toContain('application/problem+json');
    expect(response.json()).toMatchObject({ status: 401, detail: 'The access token was issued for another store.' });
    expect(response.json().request_id).toBeTruthy();
  });
});
