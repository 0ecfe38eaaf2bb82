import { SignJWT, base64url, decodeJwt, decodeProtectedHeader, generateKeyPair } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PLATFORM_HOST, platformSession, staffSession, storeHost } from '../../../test/support/auth.ts';
import { type TestApp, makeTenant, startTestApp } from '../../../test/support/platform.ts';
import type { Tenant } from '../tenancy/service.ts';
import { identityOf } from './identity.ts';
import { databaseKeys, rotateDatabaseKey } from './keys.ts';
import { type AccessClaims, ISSUER, TokenRejected, signAccessToken, verifyAccessToken } from './tokens.ts';

describe('access tokens', () => {
  let t: TestApp;
  let store: Tenant;
  let other: Tenant;
  let claims: AccessClaims;

  const me = (host: string, token: string) => t.app.inject({ url: '/auth/me', headers: { host, authorization: `Bearer ${token}` } });
  const expectRefused = async (token: string, detail: RegExp, host = storeHost(store)) => {
    const response = await me(host, token);
    expect(response.statusCode).toBe(401);
    expect(response.headers['content-type']).toContain('application/problem+json');
    expect(response.headers['www-authenticate']).toMatch(/^Bearer error=/);
    expect(response.json().detail).toMatch(detail);
  };

  beforeAll(async () => {
    t = await startTestApp();
    store = await makeTenant(t.platform.db, 'Token Store');
    other = await makeTenant(t.platform.db, 'Token Other');
    claims = { kind: 'staff', subject: '7c9e6679-7425-40de-944b-e07fc1f90ae7', tenantId: store.id, roles: ['owner'], scopes: ['catalog:write'] };
  });
  afterAll(() => t.close());

  it('carries tenant, subject, roles, scopes and a kid, and lives 15 minutes', async () => {
    const token = await signAccessToken(identityOf(t.platform).keys, claims);
    const header = decodeProtectedHeader(token);
    const payload = decodeJwt(token);
    expect(header).toMatchObject({ alg: 'ES256', typ: 'at+jwt' });
    expect(header.kid).toBeTruthy();
    expect(payload).toMatchObject({ iss: ISSUER, sub: claims.subject, tenant_id: store.id, roles: ['owner'], scope: 'catalog:write' });
    expect(payload.exp! - payload.iat!).toBe(900);
    expect((await me(storeHost(store), token)).statusCode).toBe(200);
  });

  it('refuses an expired token', async () => {
    const token = await signAccessToken(identityOf(t.platform).keys, claims, Date.now() - 16 * 60_000);
    await expectRefused(token, /expired/);
  });

  it('refuses a tampered token', async () => {
    const [header, , signature] = (await signAccessToken(identityOf(t.platform).keys, { ...claims, scopes: ['catalog:read'] })).split('.');
    const forged = base64url.encode(JSON.stringify({ ...decodeJwt(await signAccessToken(identityOf(t.platform).keys, claims)), scope: 'platform:impersonate' }));
    await expectRefused(`${header}.${forged}.${signature}`, /refused/);
  });

  it('refuses a token signed by a key with an unknown kid, or by another key under a known kid', async () => {
    const { privateKey } = await generateKeyPair('ES256');
    const payload = { tenant_id: store.id, kind: 'staff', roles: ['owner'], scope: 'catalog:write' };
    const sign = (kid: string) =>
      new SignJWT(payload).setProtectedHeader({ alg: 'ES256', kid, typ: 'at+jwt' }).setIssuer(ISSUER).setSubject(claims.subject).setIssuedAt().setExpirationTime('5m').sign(privateKey);
    await expectRefused(await sign('no-such-key'), /refused/);
    const knownKid = (await identityOf(t.platform).keys.current()).kid;
    await expectRefused(await sign(knownKid), /refused/);
  });

  it('refuses alg "none" and symmetric algorithms', async () => {
    const payload = base64url.encode(JSON.stringify({ ...decodeJwt(await signAccessToken(identityOf(t.platform).keys, claims)) }));
    const none = base64url.encode(JSON.stringify({ alg: 'none', typ: 'at+jwt' }));
    await expectRefused(`${none}.${payload}.`, /refused/);
    const kid = (await identityOf(t.platform).keys.current()).kid;
    const hs = await new SignJWT(decodeJwt(await signAccessToken(identityOf(t.platform).keys, claims)))
      .setProtectedHeader({ alg: 'HS256', kid, typ: 'at+jwt' })
      .sign(new TextEncoder().encode(JSON.stringify((await identityOf(t.platform).keys.current()).jwks.keys[0])));
    await expectRefused(hs, /refused/);
  });

  it('refuses a malformed Authorization header', async () => {
    const response = await t.app.inject({ url: '/auth/me', headers: { host: storeHost(store), authorization: 'Bearer not a token!' } });
    expect(response.statusCode).toBe(401);
    expect(response.headers['www-authenticate']).toBe('Bearer error="invalid_request"');
  });

  it("binds tokens to their host: another store's host and the platform host refuse a store token", async () => {
    const session = await staffSession(t.platform, store.id, 'owner');
    await expectRefused(session.tokens.access_token, /another store/, storeHost(other));
    await expectRefused(session.tokens.access_token, /another store/, PLATFORM_HOST);
  });

  it('accepts a platform token only on the platform host', async () => {
    const operator = await platformSession(t.platform);
    expect((await me(PLATFORM_HOST, operator.tokens.access_token)).json()).toMatchObject({ kind: 'platform', tenant_id: null });
    await expectRefused(operator.tokens.access_token, /platform host/, storeHost(store));
  });

  it('answers a route that needs a token with 401 when none is sent', async () => {
    const response = await t.app.inject({ url: '/auth/me', headers: { host: storeHost(store) } });
    expect(response.statusCode).toBe(401);
    expect(response.json()).toMatchObject({ status: 401, title: 'Unauthorized' });
  });

  it('publishes the verification keys at /.well-known/jwks.json, without private parts', async () => {
    const response = await t.app.inject({ url: '/.well-known/jwks.json' });
    expect(response.statusCode).toBe(200);
    const { keys } = response.json();
    const kid = (await identityOf(t.platform).keys.current()).kid;
    expect(keys.find((key: { kid: string }) => key.kid === kid)).toMatchObject({ kty: 'EC', crv: 'P-256', alg: 'ES256', use: 'sig' });
    expect(keys.every((key: Record<string, unknown>) => !('d' in key))).toBe(true);
  });

  it('rotates the signing key without invalidating tokens already issued', async () => {
    const db = t.platform.db;
    const before = databaseKeys(db);
    const oldToken = await signAccessToken(before, claims);
    const newKid = await rotateDatabaseKey(db);
    // Another process (or this one after its reload) sees the new key signing and the old one still verifying.
    const after = databaseKeys(db);
    const newToken = await signAccessToken(after, claims);
    expect(decodeProtectedHeader(newToken).kid).toBe(newKid);
    expect(decodeProtectedHeader(oldToken).kid).not.toBe(newKid);
    await expect(verifyAccessToken(after, oldToken)).resolves.toMatchObject({ subject: claims.subject });
    await expect(verifyAccessToken(after, newToken)).resolves.toMatchObject({ subject: claims.subject });
    const kids = (await after.current()).jwks.keys.map((key) => key.kid);
    expect(kids).toEqual(expect.arrayContaining([newKid, decodeProtectedHeader(oldToken).kid]));
  });

  it('throws TokenRejected, not a crash, on garbage', async () => {
    await expect(verifyAccessToken(identityOf(t.platform).keys, 'not.a.jwt')).rejects.toBeInstanceOf(TokenRejected);
  });
});
