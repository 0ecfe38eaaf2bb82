import { randomInt, randomUUID } from 'node:crypto';
import { mkdir } from 'node:fs/promises';
import { type Browser, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { screenshotAtRest, seriousViolations } from '../../../test/support/accessibility.ts';
import { PLATFORM_HOST } from '../../../test/support/auth.ts';
import { ownerQuery } from '../../../test/support/jobs.ts';
import { CHROMIUM_ARGS, chromiumPath } from '../../../test/support/os-tools.ts';
import { startTestApp, type TestApp } from '../../../test/support/platform.ts';
import { tenancy } from '../tenancy/index.ts';

const ARTIFACTS = new URL('../../../test-results/signup/', import.meta.url);

/**
 * The merchant's own sign-up on the platform host, then the owner's first password on the new store's host, in a
 * real headless Chromium. The `platform.signup` flag is platform-wide and only this file turns it on.
 */
describe('merchant sign-up in a browser', () => {
  let t: TestApp;
  let browser: Browser;
  let port: number;
  let origin: string;

  beforeAll(async () => {
    t = await startTestApp();
    const address = await t.app.listen({ host: '127.0.0.1', port: 0 });
    port = Number(new URL(address).port);
    origin = `http://${PLATFORM_HOST}:${port}`;
    browser = await chromium.launch({ executablePath: chromiumPath(), args: CHROMIUM_ARGS });
    await mkdir(ARTIFACTS, { recursive: true });
  });
  afterAll(async () => {
    await tenancy(t.platform).flags.setPlatformValue('platform.signup', false);
    await browser?.close();
    await t?.close();
  });

  const newPage = async () => {
    // screenshotAtRest adds an inline style, which the page's policy rightly refuses.
    const page = await browser.newPage({ viewport: { width: 1100, height: 900 }, bypassCSP: true });
    page.setDefaultTimeout(8_000);
    return page;
  };

  const check = async (page: Page, name: string) => {
    await screenshotAtRest(page, new URL(`${name}.png`, ARTIFACTS).pathname);
    expect(await seriousViolations(page), name).toEqual([]);
  };

  it('is not there while the flag is off', async () => {
    await tenancy(t.platform).flags.setPlatformValue('platform.signup', false);
    expect((await fetch(`${origin}/signup`, { headers: { accept: 'text/html' } })).status).toBe(404);
    const post = await fetch(`${origin}/signup`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'store_name=x' });
    expect(post.status).toBe(404);
  });

  it('claims a subdomain under the platform rules, creates the store, and the e-mailed link sets the owner password', async () => {
    await tenancy(t.platform).flags.setPlatformValue('platform.signup', true);
    const page = await newPage();
    expect((await page.goto(`${origin}/signup`))!.status()).toBe(200);
    await page.getByRole('heading', { name: 'Open your store' }).waitFor();
    await check(page, '01-signup');

    const subdomain = `meadow-${randomUUID().slice(0, 6)}`;
    const email = `${subdomain}@example.test`;
    await page.getByLabel('Store name').fill('Meadow & Moss');
    await page.getByLabel('Store address').fill('supp0rt');
    await page.getByLabel('Your name').fill('Mina Meadow');
    await page.getByLabel('Your e-mail').fill('mina');
    await page.getByRole('button', { name: 'Create my store' }).click();
    await page.locator('#subdomain-error').getByText('reads like a name reserved by the platform').waitFor();
    await page.locator('#owner_email-error').waitFor();
    expect(await page.getByLabel('Store name').inputValue()).toBe('Meadow & Moss');
    await check(page, '02-signup-refused');

    await page.getByLabel('Store address').fill('admin');
    await page.getByLabel('Your e-mail').fill(email);
    await page.getByRole('button', { name: 'Create my store' }).click();
    await page.locator('#subdomain-error').getByText('is reserved by the platform').waitFor();
    await page.getByLabel('Store address').fill(subdomain);
    await page.getByRole('button', { name: 'Create my store' }).click();
    await page.getByRole('heading', { name: 'Meadow & Moss is ready' }).waitFor();
    await page.getByText(email).waitFor();
    await check(page, '03-signup-done');

    const [command] = await ownerQuery<{ command: string; actor: string; reason: string }>(
      'select c.command, c.actor, c.reason from platform_commands c join tenants t on t.id = c.tenant_id where t.subdomain = $1',
      [subdomain],
    );
    expect(command).toEqual({ command: 'tenant.create', actor: 'signup:127.0.0.1', reason: 'Merchant sign-up' });
    const [mail] = await t.platform.mail.recent({ to: email });
    const link = new RegExp(`http://${subdomain}\\.localhost:${port}/admin/welcome/[A-Za-z0-9_-]{43}`).exec(mail!.body_text)![0];

    // The same address again is taken.
    await page.goto(`${origin}/signup`);
    await page.getByLabel('Store name').fill('Copycat');
    await page.getByLabel('Store address').fill(subdomain);
    await page.getByLabel('Your name').fill('Cat');
    await page.getByLabel('Your e-mail').fill('cat@example.test');
    await page.getByRole('button', { name: 'Create my store' }).click();
    await page.locator('#subdomain-error').getByText(`${subdomain} is taken`).waitFor();

    await page.goto(link);
    await page.getByRole('heading', { name: 'Welcome to Meadow & Moss' }).waitFor();
    await check(page, '04-welcome');
    await page.getByLabel('New password').fill('meadow-moss-2026');
    await page.getByRole('button', { name: 'Set password' }).click();
    await page.getByRole('heading', { name: 'Your password is set' }).waitFor();
    await check(page, '05-password-set');

    await page.getByRole('link', { name: 'Go to the back office' }).click();
    await page.waitForURL(/\/admin\/sign-in/);
    await page.getByLabel('Email').fill(email);
    await page.locator('#password').fill('meadow-moss-2026');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('heading', { name: 'Dashboard' }).waitFor();
    await check(page, '06-back-office');
    await page.close();
  });

  it('limits the stores one address may create in an hour', async () => {
    await tenancy(t.platform).flags.setPlatformValue('platform.signup', true);
    const limited = await startTestApp({ SIGNUP_RATE_LIMIT_PER_HOUR: '2' });
    try {
      // Its own address: the bucket lives in the shared database.
      const remoteAddress = `198.51.${randomInt(0, 255)}.${randomInt(1, 255)}`;
      const form = await limited.app.inject({ url: '/signup', headers: { host: PLATFORM_HOST }, remoteAddress });
      const csrf = /name="_csrf" value="([^"]+)"/.exec(form.body)![1]!;
      const cookie = [form.headers['set-cookie']].flat()[0]!.split(';')[0]!;
      const signUp = (subdomain: string) =>
        limited.app.inject({
          method: 'POST',
          url: '/signup',
          remoteAddress,
          headers: { host: PLATFORM_HOST, cookie, 'content-type': 'application/x-www-form-urlencoded' },
          payload: new URLSearchParams({ _csrf: csrf, store_name: 'Bulk', subdomain, owner_name: 'B', owner_email: `${subdomain}@example.test` }).toString(),
        });
      const tag = `bulk-${randomUUID().slice(0, 6)}`;
      expect((await signUp(`${tag}-1`)).statusCode).toBe(201);
      expect((await signUp(`${tag}-2`)).statusCode).toBe(201);
      const refused = await signUp(`${tag}-3`);
      expect(refused.statusCode).toBe(429);
      expect(Number(refused.headers['retry-after'])).toBeGreaterThan(0);
      expect(refused.body).toContain('This address opened several stores recently');
      expect(await ownerQuery('select 1 from tenants where subdomain = $1', [`${tag}-3`])).toEqual([]);
    } finally {
      await limited.close();
    }
  });
});
