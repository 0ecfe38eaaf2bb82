import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Tenant } from '../../src/modules/tenancy/service.ts';
import { PLATFORM_HOST, staffSession, storeHost } from '../support/auth.ts';
import { type TestApp, makeTenant, ownerClient, startTestApp } from '../support/platform.ts';
import { startSmtpServer } from '../support/smtp-server.ts';

/** Account lifecycle: enumeration, reset and change by mail, disable, revocation, absolute session lifetime. */
describe('identity under attack: accounts and sessions', () => {
  let t: TestApp;
  let store: Tenant;
  beforeAll(async () => {
    t = await startTestApp();
    store = await makeTenant(t.platform.db, 'Account Store');
  });
  afterAll(() => t.close());

  const post = (url: string, payload: object, headers: Record<string, string> = {}, host = storeHost(store)) =>
    t.app.inject({ method: 'POST', url, headers: { host, ...headers }, remoteAddress: '192.0.2.60', payload });
  const me = (headers: Record<string, string>) => t.app.inject({ url: '/auth/me', headers: { host: storeHost(store), ...headers } });
  const tokenIn = (text: string) => /^ {2}([A-Za-z0-9_-]{43})$/m.exec(text)?.[1];

  it('answers registration alike for a new and a known e-mail; only the mailbox learns the difference', async () => {
    const email = `shopper-${store.id.slice(0, 6)}@example.test`;
    const first = await post('/auth/customers', { email, password: 'first-password', display_name: 'Shopper' });
    const second = await post('/auth/customers', { email, password: 'other-password', display_name: 'Impostor' });
    expect([first.statusCode, second.statusCode]).toEqual([202, 202]);
    expect(second.body).toBe(first.body);
    const mails = await t.platform.mail.recent({ to: email });
    expect(mails.map((mail) => mail.subject).sort()).toEqual(['Welcome to Account Store', 'Your account at Account Store']);
  });

  it('resets a password with a single-use token by mail, ends every session, and reveals no account', async () => {
    const member = await staffSession(t.platform, store.id, 'manager');
    const unknown = await post('/auth/password-reset', { email: 'nobody-here@example.test' });
    const known = await post('/auth/password-reset', { email: member.email });
    expect([unknown.statusCode, known.statusCode]).toEqual([202, 202]);
    expect(known.body).toBe(unknown.body);
    const [mail] = await t.platform.mail.recent({ to: member.email });
    const token = tokenIn(mail!.body_text)!;
    expect(token).toBeTruthy();

    expect((await post('/auth/password-reset/complete', { token, new_password: 'brand-new-password' })).statusCode).toBe(204);
    expect((await post('/auth/password-reset/complete', { token, new_password: 'another-new-password' })).statusCode).toBe(400);
    expect((await me(member.headers)).statusCode).toBe(401);
    expect((await post('/auth/refresh', { refresh_token: member.tokens.refresh_token })).statusCode).toBe(401);
    expect((await post('/auth/login', { email: member.email, password: member.password })).statusCode).toBe(401);
    expect((await post('/auth/login', { email: member.email, password: 'brand-new-password' })).statusCode).toBe(200);
  });

  it('refuses an expired reset token', async () => {
    const member = await staffSession(t.platform, store.id, 'staff');
    await post('/auth/password-reset', { email: member.email });
    const token = tokenIn((await t.platform.mail.recent({ to: member.email }))[0]!.body_text)!;
    const client = await ownerClient();
    await client.query(`update password_reset_tokens set expires_at = now() - interval '1 second' where subject_id = $1`, [member.userId]);
    await client.end();
    expect((await post('/auth/password-reset/complete', { token, new_password: 'too-late-password' })).statusCode).toBe(400);
  });

  it('changes a password: the current session goes on, the others stop at once', async () => {
    const member = await staffSession(t.platform, store.id, 'manager');
    const other = (await post('/auth/login', { email: member.email, password: member.password })).json();
    const wrong = await post('/auth/password', { current_password: 'not-it-at-all', new_password: 'changed-password-1' }, member.headers);
    expect(wrong.statusCode).toBe(403);
    const changed = await post('/auth/password', { current_password: member.password, new_password: 'changed-password-1' }, member.headers);
    expect(changed.statusCode).toBe(204);
    expect((await me(member.headers)).statusCode).toBe(200);
    expect((await me({ authorization: `Bearer ${other.access_token}` })).statusCode).toBe(401);
    expect((await t.platform.mail.recent({ to: member.email }))[0]!.subject).toBe('Your password was changed');
  });

  it('refuses an access token right after logout', async () => {
    const member = await staffSession(t.platform, store.id);
    expect((await me(member.headers)).statusCode).toBe(200);
    expect((await post('/auth/logout', { refresh_token: member.tokens.refresh_token })).statusCode).toBe(204);
    const after = await me(member.headers);
    expect(after.statusCode).toBe(401);
    expect(after.json().detail).toContain('revoked');
  });

  it('disables a staff member: their tokens stop at once and they cannot sign in; nobody disables a higher role', async () => {
    const owner = await staffSession(t.platform, store.id, 'owner');
    const admin = await staffSession(t.platform, store.id, 'admin');
    const member = await staffSession(t.platform, store.id, 'staff');
    const patch = (headers: Record<string, string>, id: string, payload: object) =>
      t.app.inject({ method: 'PATCH', url: `/admin/api/v1/staff/${id}`, headers: { host: storeHost(store), ...headers }, payload });
    expect((await patch(admin.headers, owner.userId, { status: 'disabled' })).statusCode).toBe(403);
    const disabled = await patch(admin.headers, member.userId, { status: 'disabled' });
    expect([disabled.statusCode, disabled.json().status]).toEqual([200, 'disabled']);
    expect((await me(member.headers)).statusCode).toBe(401);
    expect((await post('/auth/refresh', { refresh_token: member.tokens.refresh_token })).statusCode).toBe(401);
    expect((await post('/auth/login', { email: member.email, password: member.password })).statusCode).toBe(401);
  });

  it('refuses a revoked API client’s access token at once', async () => {
    const owner = await staffSession(t.platform, store.id, 'owner');
    const created = (await post('/admin/api/v1/api-clients', { name: 'Feed', scopes: ['catalog:read'] }, owner.headers)).json();
    const token = await t.app.inject({
      method: 'POST',
      url: '/oauth/token',
      headers: { host: storeHost(store), 'content-type': 'application/x-www-form-urlencoded' },
      payload: new URLSearchParams({ grant_type: 'client_credentials', client_id: created.client_id, client_secret: created.client_secret }).toString(),
    });
    const bearer = { authorization: `Bearer ${token.json().access_token}` };
    const products = () => t.app.inject({ url: '/admin/api/v1/products', headers: { host: storeHost(store), ...bearer } });
    expect((await products()).statusCode).toBe(200);
    await t.app.inject({ method: 'DELETE', url: `/admin/api/v1/api-clients/${created.client_id}`, headers: { host: storeHost(store), ...owner.headers } });
    expect((await products()).statusCode).toBe(401);
  });

  it('ends a session at its absolute lifetime however often it is refreshed', async () => {
    const member = await staffSession(t.platform, store.id);
    const refreshed = await post('/auth/refresh', { refresh_token: member.tokens.refresh_token });
    expect(refreshed.statusCode).toBe(200);
    const client = await ownerClient();
    await client.query(`update refresh_tokens set session_expires_at = now() - interval '1 second' where subject_id = $1`, [member.userId]);
    await client.end();
    const late = await post('/auth/refresh', { refresh_token: refreshed.json().refresh_token });
    expect([late.statusCode, late.json().reason]).toEqual([401, 'expired']);
  });

  it('serves the platform host too: a platform reset request answers alike', async () => {
    const response = await post('/auth/password-reset', { email: 'nobody@platform.test' }, {}, PLATFORM_HOST);
    expect(response.statusCode).toBe(202);
  });
});

describe('mail over SMTP', () => {
  it('delivers a reset mail to a real SMTP server after the unit of work commits', async () => {
    const smtp = await startSmtpServer();
    const t = await startTestApp({ MAIL_TRANSPORT: 'smtp', SMTP_URL: smtp.url, MAIL_FROM: 'Shop <shop@example.test>' });
    try {
      const store = await makeTenant(t.platform.db, 'Mailing Store');
      const member = await staffSession(t.platform, store.id);
      await t.app.inject({ method: 'POST', url: '/auth/password-reset', headers: { host: storeHost(store) }, payload: { email: member.email } });
      await expect.poll(() => smtp.received.find((mail) => mail.to.includes(member.email)), { timeout: 10_000 }).toBeTruthy();
      const mail = smtp.received.find((m) => m.to.includes(member.email))!;
      expect(mail.from).toBe('shop@example.test');
      expect(mail.raw).toContain('Subject: Reset your password');
      await expect.poll(async () => (await t.platform.mail.recent({ to: member.email }))[0]?.sent_at).toBeTruthy();
      // A rolled-back unit of work leaves no mail behind.
      await t.platform.db
        .withTenant(store.id, async (trx) => {
          await t.platform.mail.enqueue(trx, { to: 'never@example.test', subject: 'Never', text: 'rolled back' });
          throw new Error('rollback');
        })
        .catch(() => {});
      expect(await t.platform.mail.recent({ to: 'never@example.test' })).toEqual([]);
    } finally {
      await t.close();
      await smtp.close();
    }
  });
});
