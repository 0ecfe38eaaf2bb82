import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPlatformUser } from '../../src/modules/identity/accounts.ts';
import { identityOf } from '../../src/modules/identity/identity.ts';
import { hashPassword, verifyPassword } from '../../src/modules/identity/passwords.ts';
import { tenancy } from '../../src/modules/tenancy/index.ts';
import type { Tenant } from '../../src/modules/tenancy/service.ts';
import { HttpProblem } from '../../src/platform/http/problem.ts';
import { PLATFORM_HOST, staffSession, storeHost } from '../support/auth.ts';
import { type TestApp, makeTenant, startTestApp } from '../support/platform.ts';

/** Attacks on sign-in: parallel guessing, spread guessing, the platform host, bcrypt exhaustion, budget DoS. */
describe('identity under attack: login', () => {
  let t: TestApp;
  let store: Tenant;
  beforeAll(async () => {
    t = await startTestApp({ TRUST_PROXY: '127.0.0.1', PLATFORM_RATE_LIMIT_BURST: '60', PLATFORM_RATE_LIMIT_PER_SECOND: '5' });
    store = await makeTenant(t.platform.db, 'Attacked Store');
  });
  afterAll(() => t.close());

  const login = (email: string, password: string, ip: string, host = storeHost(store)) =>
    t.app.inject({ method: 'POST', url: '/auth/login', headers: { host }, remoteAddress: ip, payload: { email, password } });

  it('lets 50 parallel guesses at one account check only five passwords (no check-then-act race)', async () => {
    const session = await staffSession(t.platform, store.id);
    const responses = await Promise.all(Array.from({ length: 50 }, (_, i) => login(session.email, `guess-${i}`, '203.0.113.7')));
    const statuses = responses.map((response) => response.statusCode);
    // At most five passwords are checked (401). A guess beyond the suspect lane's room is shed (503) and gives
    // its reservation back, so how many are shed rather than refused (429) depends on timing; never more checks.
    const checked = statuses.filter((status) => status === 401).length;
    expect(checked).toBeGreaterThanOrEqual(1);
    expect(checked).toBeLessThanOrEqual(5);
    expect(statuses.filter((status) => status !== 401 && status !== 429 && status !== 503)).toEqual([]);
    expect(statuses.filter((status) => status === 429).length).toBeGreaterThan(0);
  });

  it('stops guessing spread over many addresses at the account limit', async () => {
    const session = await staffSession(t.platform, store.id);
    const statuses: number[] = [];
    for (let i = 0; i < 55; i++) statuses.push((await login(session.email, `spread-${i}`, `203.0.114.${i}`)).statusCode);
    expect(statuses.filter((status) => status === 401)).toHaveLength(50);
    expect(statuses.slice(50)).toEqual([429, 429, 429, 429, 429]);
  });

  it('throttles the platform host too, in parallel', async () => {
    const email = `root-${store.id.slice(0, 8)}@platform.test`;
    await createPlatformUser(identityOf(t.platform), { email, password: 'platform-password-1', displayName: 'Root' });
    const responses = await Promise.all(Array.from({ length: 30 }, (_, i) => login(email, `guess-${i}`, '203.0.113.9', PLATFORM_HOST)));
    const statuses = responses.map((response) => response.statusCode);
    expect(statuses.filter((status) => status === 401).length).toBeLessThanOrEqual(5);
    expect(statuses.filter((status) => status !== 401 && status !== 429 && status !== 503)).toEqual([]);
    expect(statuses.filter((status) => status === 401).length).toBeGreaterThan(0);
  });

  it('gives the platform host a per-address request budget', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 70; i++) statuses.push((await t.app.inject({ url: '/.well-known/jwks.json', headers: { host: PLATFORM_HOST }, remoteAddress: '203.0.113.20' })).statusCode);
    expect(statuses.filter((status) => status === 429).length).toBeGreaterThan(0);
    expect((await t.app.inject({ url: '/.well-known/jwks.json', headers: { host: PLATFORM_HOST }, remoteAddress: '203.0.113.21' })).statusCode).toBe(200);
  });

  it('sheds bcrypt work beyond its bounded lane with 503 and Retry-After instead of queueing it', async () => {
    const stored = await hashPassword('a password of some length', 10);
    const outcomes = await Promise.allSettled(Array.from({ length: 40 }, () => verifyPassword('wrong password here', stored)));
    const shed = outcomes.filter((outcome) => outcome.status === 'rejected').map((outcome) => (outcome as PromiseRejectedResult).reason);
    expect(shed.length).toBeGreaterThan(0);
    expect(shed.length).toBeLessThan(40);
    for (const error of shed) {
      expect(error).toBeInstanceOf(HttpProblem);
      expect(error).toMatchObject({ status: 503, headers: { 'retry-after': '1' } });
    }
  });

  it('refuses one flooding client alone: other shoppers and the staff keep their share of the store budget', async () => {
    const small = await makeTenant(t.platform.db, 'Small Store');
    const { flags } = tenancy(t.platform);
    await flags.setOverride({ tenantId: small.id, key: 'rate_limit.burst', value: 40, reason: 'test budget' });
    await flags.setOverride({ tenantId: small.id, key: 'rate_limit.per_second', value: 0.01, reason: 'test budget' });
    const get = (ip: string, headers: Record<string, string> = {}) =>
      t.app.inject({ url: '/.well-known/jwks.json', headers: { host: storeHost(small), ...headers }, remoteAddress: ip });
    const flood: number[] = [];
    for (let i = 0; i < 30; i++) flood.push((await get('198.18.0.1')).statusCode);
    expect(flood.filter((status) => status === 429)).toHaveLength(10);
    expect((await get('198.18.0.2')).statusCode).toBe(200);
    const owner = await staffSession(t.platform, small.id, 'owner');
    expect((await get('198.18.0.1', owner.headers)).statusCode).toBe(200);
  });

  it('sets the cart and CSRF cookies with the __Host- prefix and Secure over HTTPS', async () => {
    const response = await t.app.inject({ url: '/cart.json', headers: { host: storeHost(store), 'x-forwarded-proto': 'https' }, remoteAddress: '127.0.0.1' });
    const csrf = response.cookies.find((cookie) => cookie.name.endsWith('vs_csrf'));
    expect(csrf).toMatchObject({ name: '__Host-vs_csrf', secure: true, path: '/', httpOnly: true });
    expect(csrf?.domain).toBeUndefined();
  });
});
