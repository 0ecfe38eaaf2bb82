import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { staffSession, storeHost } from '../../../test/support/auth.ts';
import { type TestApp, makeTenant, startTestApp } from '../../../test/support/platform.ts';
import type { Tenant } from '../tenancy/service.ts';
import { createStaffUser } from './accounts.ts';
import { identityOf } from './identity.ts';

describe('login and throttling', () => {
  let t: TestApp;
  let store: Tenant;
  let other: Tenant;
  beforeAll(async () => {
    // inject() connects from loopback, standing in for the ingress proxy whose X-Forwarded-For is believed.
    t = await startTestApp({ TRUST_PROXY: 'loopback' });
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

  const loginAs = (email: string, password: string, ip: string, url = '/auth/login', host = storeHost(store)) =>
    t.app.inject({ method: 'POST', url, headers: { host }, remoteAddress: ip, payload: { email, password } });

  it('answers a wrong password and an unknown e-mail alike, with a 401 problem', async () => {
    const session = await staffSession(t.platform, store.id);
    const wrong = await loginAs(session.email, 'not the password', '198.51.100.1');
    const unknown = await loginAs('nobody@example.test', 'not the password', '198.51.100.1');
    for (const response of [wrong, unknown]) {
      expect(response.statusCode).toBe(401);
      expect(response.headers['content-type']).toContain('application/problem+json');
      expect(response.json()).toMatchObject({ title: 'Invalid credentials', detail: 'The e-mail or password is wrong.' });
    }
  });

  it('throttles an account from one address with 429 after five wrong passwords, even for the right one', async () => {
    const session = await staffSession(t.platform, store.id);
    const statuses: number[] = [];
    for (let attempt = 1; attempt <= 9; attempt++) statuses.push((await loginAs(session.email, `wrong-${attempt}`, '198.51.100.11')).statusCode);
    expect(statuses.slice(0, 5)).toEqual([401, 401, 401, 401, 401]);
    expect(statuses.slice(5)).toEqual([429, 429, 429, 429]);
    const right = await loginAs(session.email, session.password, '198.51.100.11');
    expect(right.statusCode).toBe(429);
    expect(Number(right.headers['retry-after'])).toBeGreaterThan(0);
    expect(right.json()).toMatchObject({ status: 429, title: 'Too many failed logins' });
    // The guesser does not lock the owner out: the right password from the owner's own address works.
    expect((await loginAs(session.email, session.password, '198.51.100.99')).statusCode).toBe(200);
    // Another store's account with the same e-mail is not affected.
    await createStaffUser(identityOf(t.platform), other.id, { email: session.email, password: session.password, displayName: 'Twin', role: 'staff' });
    expect((await loginAs(session.email, session.password, '198.51.100.98', '/auth/login', storeHost(other))).statusCode).toBe(200);
  });

  it('throttles an IP that tries many accounts', async () => {
    const ip = '198.51.100.200';
    const statuses: number[] = [];
    for (let attempt = 1; attempt <= 21; attempt++) statuses.push((await loginAs(`guess-${attempt}@example.test`, 'password1', ip)).statusCode);
    expect(statuses.filter((status) => status === 401)).toHaveLength(20);
    expect(statuses.at(-1)).toBe(429);
    const session = await staffSession(t.platform, store.id);
    expect((await loginAs(session.email, session.password, ip)).statusCode).toBe(429);
    expect((await loginAs(session.email, session.password, '198.51.100.201')).statusCode).toBe(200);
  });

  it('refuses invalid login input with 400 and records no failure', async () => {
    const session = await staffSession(t.platform, store.id);
    for (const payload of [{ email: session.email }, { email: 'not-an-email', password: 'x' }, { email: session.email, password: 'x'.repeat(73) }]) {
      const response = await t.app.inject({ method: 'POST', url: '/auth/login', headers: { host: storeHost(store) }, remoteAddress: '198.51.100.50', payload });
      expect(response.statusCode).toBe(400);
      expect(response.json()).toMatchObject({ title: 'Validation failed' });
      expect(response.json().request_id).toBeTruthy();
    }
    for (let attempt = 0; attempt < 5; attempt++) await t.app.inject({ method: 'POST', url: '/auth/login', headers: { host: storeHost(store) }, payload: { email: session.email } });
    expect((await loginAs(session.email, session.password, '198.51.100.50')).statusCode).toBe(200);
  });

  it('keeps customers per store: one e-mail, two unrelated accounts', async () => {
    const email = `shopper-${other.id.slice(0, 8)}@example.test`;
    const register = (tenant: Tenant, password: string) =>
      t.app.inject({ method: 'POST', url: '/auth/customers', headers: { host: storeHost(tenant) }, payload: { email, password, display_name: 'Shopper' } });
    const inStore = await register(store, 'first-store-password');
    const inOther = await register(other, 'other-store-password');
    expect([inStore.statusCode, inOther.statusCode]).toEqual([202, 202]);
    // A known e-mail gets the same answer; its owner learns of it by mail.
    const again = await register(store, 'again-password');
    expect([again.statusCode, again.json()]).toEqual([202, inStore.json()]);
    const login = await loginAs(email, 'first-store-password', '198.51.100.60', '/auth/customers/login');
    expect(login.statusCode).toBe(200);
    expect(login.json().scope).toBe('account:read account:write cart:write');
    expect((await loginAs(email, 'other-store-password', '198.51.100.60', '/auth/customers/login')).statusCode).toBe(401);
    // A customer is not staff: the staff login does not know the account.
    expect((await loginAs(email, 'first-store-password', '198.51.100.60')).statusCode).toBe(401);
  });

  it('refuses a customer registration with a short password', async () => {
    const response = await t.app.inject({
      method: 'POST',
      url: '/auth/customers',
      headers: { host: storeHost(store) },
      payload: { email: 'short@example.test', password: 'short', display_name: 'S' },
    });
    expect(response.statusCode).toBe(400);
    expect(response.json().errors[0].field).toContain('password');
  });

  it('exposes issuance, refresh and login-failure metrics at /q/metrics', async () => {
    const session = await staffSession(t.platform, store.id);
    await loginAs(session.email, 'not the password', '198.51.100.70');
    await t.app.inject({ method: 'POST', url: '/auth/refresh', headers: { host: storeHost(store) }, payload: { refresh_token: session.tokens.refresh_token } });
    const body = (await t.app.inject({ url: '/q/metrics' })).body;
    expect(body).toMatch(/villagecompute_storefront_identity_token_issuance_duration_seconds_count\{grant="password"\} [1-9]/);
    expect(body).toMatch(/villagecompute_storefront_identity_token_issuance_duration_seconds_count\{grant="refresh"\} [1-9]/);
    expect(body).toMatch(/villagecompute_storefront_identity_token_refresh_success_total [1-9]/);
    expect(body).toMatch(/villagecompute_storefront_identity_login_failures_total\{reason="bad_credentials"\} [1-9]/);
  });
});
