import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Tenant } from '../../src/modules/tenancy/service.ts';
import { PLATFORM_HOST, platformSession, staffSession, storeHost, totpCode } from '../support/auth.ts';
import { ownerQuery } from '../support/jobs.ts';
import { type TestApp, makeTenant, ownerClient, startTestApp } from '../support/platform.ts';

/** Platform super-users: a second factor before impersonation; impersonation mints no credentials and is attributed. */
describe('identity under attack: platform staff', () => {
  let t: TestApp;
  let store: Tenant;
  beforeAll(async () => {
    t = await startTestApp();
    store = await makeTenant(t.platform.db, 'Supported Store');
  });
  afterAll(() => t.close());

  const onPlatform = (method: 'GET' | 'POST', url: string, headers: Record<string, string>, payload?: object) =>
    t.app.inject({ method, url, headers: { host: PLATFORM_HOST, ...headers }, remoteAddress: '192.0.2.50', ...(payload ? { payload } : {}) });
  const impersonate = (headers: Record<string, string>, userId: string) =>
    onPlatform('POST', '/admin/platform/impersonations', headers, { store_id: store.id, user_id: userId, reason_code: 'customer_support', ticket: 'SUP-9' });

  it('refuses impersonation to a super-user who signed in with the password alone', async () => {
    const owner = await staffSession(t.platform, store.id, 'owner');
    const operator = await platformSession(t.platform, { secondFactor: false });
    const response = await impersonate(operator.headers, owner.userId);
    expect(response.statusCode).toBe(403);
    expect(response.json()).toMatchObject({ reason: 'mfa_required' });
  });

  it('enrols TOTP (secret shown once, confirmed by a code), then demands the code at login; a code works once', async () => {
    const operator = await platformSession(t.platform, { secondFactor: false });
    const enrolment = await onPlatform('POST', '/auth/mfa/totp', operator.headers);
    expect(enrolment.statusCode).toBe(201);
    const { secret, otpauth_uri } = enrolment.json();
    expect(otpauth_uri).toMatch(/^otpauth:\/\/totp\//);
    expect((await onPlatform('POST', '/auth/mfa/totp/confirm', operator.headers, { code: '000000' })).statusCode).toBe(401);
    const code = totpCode(secret);
    const confirmed = await onPlatform('POST', '/auth/mfa/totp/confirm', operator.headers, { code });
    expect(confirmed.statusCode).toBe(200);
    const recovery: string[] = confirmed.json().recovery_codes;
    expect(recovery).toHaveLength(10);
    // Enrolment cannot be restarted to swap the secret once confirmed.
    expect((await onPlatform('POST', '/auth/mfa/totp', operator.headers)).statusCode).toBe(409);

    const credentials = { email: operator.email, password: operator.password };
    const missing = await onPlatform('POST', '/auth/login', {}, credentials);
    expect([missing.statusCode, missing.json().reason]).toEqual([401, 'mfa_required']);
    // The code that confirmed enrolment is spent: a replay is refused.
    expect((await onPlatform('POST', '/auth/login', {}, { ...credentials, otp: code })).statusCode).toBe(401);
    const withRecovery = await onPlatform('POST', '/auth/login', {}, { ...credentials, otp: recovery[0] });
    expect(withRecovery.statusCode).toBe(200);
    expect((await onPlatform('POST', '/auth/login', {}, { ...credentials, otp: recovery[0] })).statusCode).toBe(401);

    const owner = await staffSession(t.platform, store.id, 'owner');
    expect((await impersonate({ authorization: `Bearer ${withRecovery.json().access_token}` }, owner.userId)).statusCode).toBe(201);
  });

  it('keeps a proven second factor through renewals for an hour, then asks for it again by step-up', async () => {
    const operator = await platformSession(t.platform);
    const owner = await staffSession(t.platform, store.id, 'owner');
    const renew = async (refreshToken: string) => (await onPlatform('POST', '/auth/refresh', {}, { refresh_token: refreshToken })).json();
    const bearer = (tokens: { access_token: string }) => ({ authorization: `Bearer ${tokens.access_token}` });

    const renewed = await renew(operator.tokens.refresh_token);
    expect((await impersonate(bearer(renewed), owner.userId)).statusCode).toBe(201);

    const sessionOf = `select family_id from refresh_tokens where token_hash = sha256(convert_to($1, 'UTF8'))`;
    await ownerQuery(`update refresh_tokens set second_factor_at = now() - interval '61 minutes' where family_id = (${sessionOf})`, [renewed.refresh_token]);
    const stale = await renew(renewed.refresh_token);
    expect((await impersonate(bearer(stale), owner.userId)).statusCode).toBe(403);

    const stepped = await onPlatform('POST', '/auth/mfa/verify', bearer(stale), { code: operator.recoveryCodes[0]! });
    expect(stepped.statusCode).toBe(200);
    expect((await impersonate(bearer(stepped.json()), owner.userId)).statusCode).toBe(201);
    // The step-up is the session's: the next renewal keeps it.
    expect((await impersonate(bearer(await renew(stale.refresh_token)), owner.userId)).statusCode).toBe(201);
  });

  it('cannot mint staff logins or API clients while impersonating an owner', async () => {
    const owner = await staffSession(t.platform, store.id, 'owner');
    const operator = await platformSession(t.platform);
    const grant = (await impersonate(operator.headers, owner.userId)).json();
    expect(grant.scope.split(' ')).not.toContain('staff:write');
    const asOwner = { host: storeHost(store), authorization: `Bearer ${grant.access_token}` };
    const staff = await t.app.inject({
      method: 'POST',
      url: '/admin/api/v1/staff',
      headers: asOwner,
      payload: { email: 'backdoor@example.test', password: 'backdoor-password', display_name: 'Backdoor', role: 'owner' },
    });
    expect(staff.statusCode).toBe(403);
    const client = await t.app.inject({ method: 'POST', url: '/admin/api/v1/api-clients', headers: asOwner, payload: { name: 'Backdoor', scopes: ['catalog:read'] } });
    expect(client.statusCode).toBe(403);
  });

  it('records both the super-user and the impersonated user on every write', async () => {
    const owner = await staffSession(t.platform, store.id, 'owner');
    const operator = await platformSession(t.platform);
    const grant = (await impersonate(operator.headers, owner.userId)).json();
    const created = await t.app.inject({
      method: 'POST',
      url: '/admin/api/v1/products',
      headers: { host: storeHost(store), authorization: `Bearer ${grant.access_token}` },
      payload: { handle: 'imp-made', title: 'Made under impersonation', variants: [{ sku: 'IMP-1', price_minor: 100, currency: 'USD' }] },
    });
    expect(created.statusCode).toBe(201);
    const client = await ownerClient();
    try {
      const { rows } = await client.query('select created_by from products where id = $1', [created.json().id]);
      expect(rows[0].created_by).toBe(`platform:${operator.userId}/as:${owner.userId}`);
    } finally {
      await client.end();
    }
  });
});
