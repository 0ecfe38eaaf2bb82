import { createHash, randomUUID } from 'node:crypto';
import { createServer } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PLATFORM_HOST, type PlatformTestSession, platformSession } from '../../../test/support/auth.ts';
import { type TestApp, ownerClient, startTestApp } from '../../../test/support/platform.ts';
import { startSmtpServer } from '../../../test/support/smtp-server.ts';
import { formVisitor } from '../../../test/support/visitor.ts';
import type { Mail } from '../../platform/mail/mail.ts';
import { createStore } from '../platform-admin/index.ts';

const LINK = /http:\/\/([a-z0-9-]+)\.localhost\/admin\/welcome\/([A-Za-z0-9_-]{43})/;
const sha256 = (value: string) => createHash('sha256').update(value).digest();

async function onboard(t: TestApp, operator: PlatformTestSession, subdomain: string) {
  const owner = { email: `owner-${subdomain}@example.test`, name: 'Opal Owner' };
  const response = await t.app.inject({
    method: 'POST',
    url: '/admin/platform/stores',
    headers: { host: PLATFORM_HOST, ...operator.headers },
    payload: { subdomain, name: `Shop ${subdomain}`, reason: 'Signed contract', owner },
  });
  return { response, owner };
}

describe('owner invitation', () => {
  let t: TestApp;
  let operator: PlatformTestSession;

  beforeAll(async () => {
    t = await startTestApp();
    operator = await platformSession(t.platform);
  });
  afterAll(() => t.close());

  it('e-mails the new store owner a single-use link that sets the password; then the owner signs in to /admin', async () => {
    const subdomain = `inv-${randomUUID().slice(0, 8)}`;
    const { response, owner } = await onboard(t, operator, subdomain);
    expect(response.statusCode).toBe(201);
    const created = response.json();
    expect(created.owner).toMatchObject({ email: owner.email, invitation_expires_at: expect.any(String) });
    expect(new Date(created.owner.invitation_expires_at).getTime() - Date.now()).toBeGreaterThan(6.9 * 24 * 3600_000);

    const [mail] = await t.platform.mail.recent({ to: owner.email });
    expect(mail).toMatchObject({ tenant_id: created.store.id, subject: `Your store Shop ${subdomain} is ready` });
    const [, linkHost, token] = LINK.exec(mail!.body_text)!;
    expect(linkHost).toBe(subdomain);

    // Only the token's hash is at rest.
    const db = await ownerClient();
    try {
      const { rows } = await db.query('select * from password_reset_tokens where subject_id = $1', [created.owner.id]);
      expect(rows).toEqual([expect.objectContaining({ purpose: 'invitation', token_hash: sha256(token!), used_at: null })]);
      expect(JSON.stringify(rows)).not.toContain(token);
    } finally {
      await db.end();
    }

    const store = { subdomain };
    const login = (password: string) =>
      t.app.inject({ method: 'POST', url: '/auth/login', headers: { host: `${subdomain}.localhost` }, payload: { email: owner.email, password } });
    expect((await login('!')).statusCode).toBe(401);

    const owner1 = formVisitor(t.app, store);
    const path = `/admin/welcome/${token}`;
    const page = await owner1.request('GET', path);
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain(`Welcome to Shop ${subdomain}`);
    const short = await owner1.request('POST', path, { _csrf: await owner1.csrf(path), password: 'short' });
    expect(short.statusCode).toBe(400);
    expect(short.body).toContain('A password has 10 characters at least');
    const set = await owner1.request('POST', path, { _csrf: await owner1.csrf(path), password: 'opal-owns-the-shop' });
    expect(set.statusCode).toBe(200);
    expect(set.body).toContain('Your password is set');

    const signedIn = await login('opal-owns-the-shop');
    expect(signedIn.statusCode).toBe(200);
    const me = await t.app.inject({ url: '/auth/me', headers: { host: `${subdomain}.localhost`, authorization: `Bearer ${signedIn.json().access_token}` } });
    expect(me.json()).toMatchObject({ kind: 'staff', roles: ['owner'] });

    const again = await owner1.request('POST', path, { _csrf: await owner1.csrf(path), password: 'someone-else-now' });
    expect(again.statusCode).toBe(410);
    expect(again.body).toContain('used already or has expired');
    expect((await login('someone-else-now')).statusCode).toBe(401);
  });

  it('refuses an expired invitation, and a reset token on the invitation page', async () => {
    const subdomain = `exp-${randomUUID().slice(0, 8)}`;
    const { owner } = await onboard(t, operator, subdomain);
    const token = LINK.exec((await t.platform.mail.recent({ to: owner.email }))[0]!.body_text)![2]!;
    const db = await ownerClient();
    try {
      await db.query("update password_reset_tokens set expires_at = now() - interval '1 second' where token_hash = $1", [sha256(token)]);
    } finally {
      await db.end();
    }
    const visitor = formVisitor(t.app, { subdomain });
    const path = `/admin/welcome/${token}`;
    expect((await visitor.request('POST', path, { _csrf: await visitor.csrf(path), password: 'too-late-for-this' })).statusCode).toBe(410);

    // A reset mail works for an invited owner (the way out of an expired invitation), but not on this page.
    await t.app.inject({ method: 'POST', url: '/auth/password-reset', headers: { host: `${subdomain}.localhost` }, payload: { email: owner.email } });
    const resetMail = (await t.platform.mail.recent({ to: owner.email })).find((mail) => mail.subject === 'Reset your password')!;
    const resetToken = /^ {2}([A-Za-z0-9_-]{43})$/m.exec(resetMail.body_text)![1]!;
    const resetPath = `/admin/welcome/${resetToken}`;
    expect((await visitor.request('POST', resetPath, { _csrf: await visitor.csrf(resetPath), password: 'not-through-here' })).statusCode).toBe(410);
  });

  it('sends a new link to an owner who never chose a password, as an audited command; the old link stops working', async () => {
    const subdomain = `again-${randomUUID().slice(0, 8)}`;
    const { response, owner } = await onboard(t, operator, subdomain);
    const storeId = response.json().store.id;
    const firstToken = LINK.exec((await t.platform.mail.recent({ to: owner.email }))[0]!.body_text)![2]!;
    const reinvite = () =>
      t.app.inject({
        method: 'POST',
        url: `/admin/platform/stores/${storeId}/owner-invitation`,
        headers: { host: PLATFORM_HOST, ...operator.headers },
        payload: { reason: 'Owner lost the first mail', ticket: 'SUP-12' },
      });
    const again = await reinvite();
    expect(again.statusCode).toBe(201);
    expect(again.json()).toMatchObject({ command: { command: 'tenant.owner.invite', actor: operator.userId, ticket: 'SUP-12' }, owner: { email: owner.email } });
    const mails = await t.platform.mail.recent({ to: owner.email });
    expect(mails).toHaveLength(2);
    const secondToken = LINK.exec(mails[0]!.body_text)![2]!;
    expect(secondToken).not.toBe(firstToken);

    const visitor = formVisitor(t.app, { subdomain });
    const stale = `/admin/welcome/${firstToken}`;
    expect((await visitor.request('POST', stale, { _csrf: await visitor.csrf(stale), password: 'first-link-password' })).statusCode).toBe(410);
    const fresh = `/admin/welcome/${secondToken}`;
    expect((await visitor.request('POST', fresh, { _csrf: await visitor.csrf(fresh), password: 'second-link-password' })).statusCode).toBe(200);
    expect((await reinvite()).statusCode).toBe(409);
    const missing = await t.app.inject({
      method: 'POST',
      url: `/admin/platform/stores/${randomUUID()}/owner-invitation`,
      headers: { host: PLATFORM_HOST, ...operator.headers },
      payload: { reason: 'r' },
    });
    expect(missing.statusCode).toBe(404);
  });

  it('leaves no store behind when the owner cannot be invited', async () => {
    const subdomain = `half-${randomUUID().slice(0, 8)}`;
    const brokenMail = { ...t.platform.mail, enqueue: () => Promise.reject(new Error('outbox unavailable')) } satisfies Mail;
    const store = { subdomain, name: 'Half Store', reason: 'r', actor: 'test', owner: { email: `o@${subdomain}.test`, name: 'O' } };
    await expect(createStore(t.platform.db, brokenMail, (sub) => `http://${sub}.localhost`, store)).rejects.toThrow('outbox unavailable');
    const db = await ownerClient();
    try {
      expect((await db.query('select 1 from tenants where subdomain = $1', [subdomain])).rowCount).toBe(0);
      expect((await db.query('select 1 from staff_users where email = $1', [store.owner.email])).rowCount).toBe(0);
    } finally {
      await db.end();
    }
  });
});

describe('owner invitation over a failing SMTP relay', () => {
  it('keeps the store when delivery fails, and delivers the invitation on a later attempt', async () => {
    const port = await new Promise<number>((resolve) => {
      const probe = createServer().listen(0, '127.0.0.1', () => {
        const { port } = probe.address() as { port: number };
        probe.close(() => resolve(port));
      });
    });
    const t = await startTestApp({ MAIL_TRANSPORT: 'smtp', SMTP_URL: `smtp://127.0.0.1:${port}` });
    const db = await ownerClient();
    try {
      const operator = await platformSession(t.platform);
      const subdomain = `smtp-${randomUUID().slice(0, 8)}`;
      const { response, owner } = await onboard(t, operator, subdomain);
      expect(response.statusCode).toBe(201);
      const outbox = () => db.query('select attempts, last_error, sent_at from mail_outbox where to_address = $1', [owner.email]).then((result) => result.rows[0]);
      await expect.poll(outbox, { timeout: 15_000 }).toMatchObject({ attempts: 1, last_error: expect.stringMatching(/ECONNREFUSED/), sent_at: null });
      expect((await db.query('select status from tenants where subdomain = $1', [subdomain])).rows).toEqual([{ status: 'active' }]);

      const smtp = await startSmtpServer(port);
      try {
        // The relay backs off a minute per failed attempt: move the failed attempt back instead of waiting.
        await db.query("update mail_outbox set last_attempt_at = now() - interval '2 minutes' where to_address = $1", [owner.email]);
        await expect.poll(() => smtp.received.find((mail) => mail.to.includes(owner.email)), { timeout: 15_000 }).toBeTruthy();
        expect(smtp.received.find((mail) => mail.to.includes(owner.email))!.raw).toContain(`Subject: Your store Shop ${subdomain} is ready`);
        await expect.poll(outbox, { timeout: 5_000 }).toMatchObject({ attempts: 2, sent_at: expect.any(Date) });
      } finally {
        await smtp.close();
      }
    } finally {
      await db.end();
      await t.close();
    }
  }, 60_000);
});
