import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { staffSession, storeHost } from '../../../test/support/auth.ts';
import { makeTenant, startTestApp, type Tenant, type TestApp } from '../../../test/support/platform.ts';
import { formVisitor } from '../../../test/support/visitor.ts';
import { consignment } from '../consignment/index.ts';
import { invite } from './auth.ts';

/** The consignor portal's sign-in: invitation link, password, session cookie, throttle, and what the session cannot reach. */
describe('consignor portal sign-in', () => {
  let t: TestApp;
  let storeX: Tenant;
  let storeY: Tenant;

  beforeAll(async () => {
    t = await startTestApp();
    storeX = await makeTenant(t.platform.db, 'Second Hand Rose');
    storeY = await makeTenant(t.platform.db, 'Other Boutique');
  });
  afterAll(() => t?.close());

  const visitor = (store: Tenant) => formVisitor(t.app, store);

  const invited = async (store: Tenant, email: string) => {
    const consignorId = await t.platform.db.withTenant(store.id, async (trx) => {
      const { id } = await consignment.createConsignor(trx, store.id, { display_name: 'Rose Consignor', email });
      await invite(t.platform, trx, store, { id, email, name: 'Rose Consignor' }, `http://${storeHost(store)}`);
      return id;
    });
    const [mail] = await t.platform.mail.recent({ to: email, limit: 1 });
    const link = /\/consignor\/welcome\/([A-Za-z0-9_-]{43})/.exec(mail!.body_text)!;
    return { consignorId, linkPath: link[0], token: link[1]! };
  };

  it('sets a password through the e-mailed link, then signs in and out with it', async () => {
    const email = `rose-${randomUUID().slice(0, 6)}@example.test`;
    const { linkPath } = await invited(storeX, email);
    const rose = visitor(storeX);
    expect((await rose.request('GET', '/consignor')).headers.location).toBe('/consignor/sign-in');

    const short = await rose.request('POST', linkPath, { _csrf: await rose.csrf(linkPath), password: 'short' });
    expect(short.statusCode).toBe(400);
    expect(short.body).toContain('A password has 10 characters at least');

    const set = await rose.request('POST', linkPath, { _csrf: await rose.csrf(linkPath), password: 'roses-are-red-42' });
    expect(set.statusCode).toBe(303);
    expect([set.headers['set-cookie']].flat()).toEqual(expect.arrayContaining([expect.stringMatching(/^vs_consignor=.+Path=\/consignor; HttpOnly; SameSite=Lax/)]));
    const home = await rose.request('GET', '/consignor');
    expect(home.statusCode).toBe(200);
    expect(home.body).toContain('Signed in as <strong>Rose Consignor</strong>');
    expect(home.body).toContain('Second Hand Rose');

    // The link works once.
    const again = visitor(storeX);
    const reused = await again.request('POST', linkPath, { _csrf: await again.csrf(linkPath), password: 'another-password-1' });
    expect(reused.statusCode).toBe(410);

    await rose.request('POST', '/consignor/sign-out', { _csrf: await rose.csrf('/consignor') });
    expect((await rose.request('GET', '/consignor')).headers.location).toBe('/consignor/sign-in');

    const later = visitor(storeX);
    const wrong = await later.request('POST', '/consignor/sign-in', { _csrf: await later.csrf('/consignor/sign-in'), email, password: 'roses-are-blue-42' });
    expect(wrong.statusCode).toBe(401);
    expect(wrong.body).toContain('The e-mail or password is wrong.');
    const right = await later.request('POST', '/consignor/sign-in', { _csrf: await later.csrf('/consignor/sign-in'), email: email.toUpperCase(), password: 'roses-are-red-42' });
    expect(right.statusCode).toBe(303);
    expect((await later.request('GET', '/consignor')).statusCode).toBe(200);
  });

  it('throttles guessing like every sign-in: the sixth attempt from one address is refused unchecked', async () => {
    const email = `guess-${randomUUID().slice(0, 6)}@example.test`;
    const { linkPath } = await invited(storeX, email);
    const owner = visitor(storeX);
    await owner.request('POST', linkPath, { _csrf: await owner.csrf(linkPath), password: 'the-real-password' });
    const guesser = visitor(storeX);
    const token = await guesser.csrf('/consignor/sign-in');
    const headers = { 'x-forwarded-for': '198.51.100.7' };
    const statuses: number[] = [];
    for (let i = 0; i < 6; i++) statuses.push((await guesser.request('POST', '/consignor/sign-in', { _csrf: token, email, password: `guess-${i}-password` }, headers)).statusCode);
    expect(statuses.slice(0, 5)).toEqual([401, 401, 401, 401, 401]);
    expect(statuses[5]).toBe(429);
  });

  it('the portal session reaches nothing else: not the staff API, not the shopper account, not another store', async () => {
    const email = `iso-${randomUUID().slice(0, 6)}@example.test`;
    const { linkPath } = await invited(storeX, email);
    const rose = visitor(storeX);
    await rose.request('POST', linkPath, { _csrf: await rose.csrf(linkPath), password: 'isolated-password' });
    const session = rose.jar.get('vs_consignor')!;
    expect(session).toMatch(/^[A-Za-z0-9_-]{43}$/);

    const asBearer = await t.app.inject({ method: 'GET', url: '/admin/api/v1/orders', headers: { host: storeHost(storeX), authorization: `Bearer ${session}` } });
    expect(asBearer.statusCode).toBe(401);
    const asCookie = await t.app.inject({ method: 'GET', url: '/admin/api/v1/orders', headers: { host: storeHost(storeX), cookie: `vs_consignor=${session}` } });
    expect(asCookie.statusCode).toBe(401);
    const asShopper = await t.app.inject({ method: 'GET', url: '/account', headers: { host: storeHost(storeX), cookie: `vs_session=${session}; vs_consignor=${session}` } });
    expect(asShopper.headers.location).toBe('/account/sign-in');
    const otherStore = await t.app.inject({ method: 'GET', url: '/consignor', headers: { host: storeHost(storeY), cookie: `vs_consignor=${session}` } });
    expect(otherStore.headers.location).toBe('/consignor/sign-in');
    // Store Y knows neither the link nor the account.
    const y = visitor(storeY);
    expect((await y.request('POST', linkPath, { _csrf: await y.csrf(linkPath), password: 'takeover-password' })).statusCode).toBe(410);
    const ySignIn = await y.request('POST', '/consignor/sign-in', { _csrf: await y.csrf('/consignor/sign-in'), email, password: 'isolated-password' });
    expect(ySignIn.statusCode).toBe(401);
  });

  it('inviting needs the consignment:write scope, checked before the body is read', async () => {
    const staff = await staffSession(t.platform, storeX.id, 'staff');
    const url = `/admin/api/v1/consignment/consignors/${randomUUID()}/portal-invitations`;
    const refused = await t.app.inject({ method: 'POST', url, headers: { host: storeHost(storeX), ...staff.headers }, payload: { email: 'a@example.test', name: 'A' } });
    expect(refused.statusCode).toBe(403);
    expect(refused.json().missing_scopes).toEqual(['consignment:write']);
  });

  it('invites only a consignor of the store', async () => {
    const manager = await staffSession(t.platform, storeX.id, 'manager');
    const url = `/admin/api/v1/consignment/consignors/${randomUUID()}/portal-invitations`;
    const unknown = await t.app.inject({ method: 'POST', url, headers: { host: storeHost(storeX), ...manager.headers }, payload: { email: 'a@example.test', name: 'A' } });
    expect(unknown.statusCode).toBe(404);
    expect(unknown.headers['content-type']).toContain('application/problem+json');
  });
});
