import { randomUUID } from 'node:crypto';
import { mkdir } from 'node:fs/promises';
import { type Browser, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seriousViolations } from '../../../test/support/accessibility.ts';
import { storeHost } from '../../../test/support/auth.ts';
import { CHROMIUM_ARGS, chromiumPath } from '../../../test/support/os-tools.ts';
import { makeTenant, startTestApp, type Tenant, type TestApp } from '../../../test/support/platform.ts';
import { consignment } from '../consignment/index.ts';
import { invite } from './auth.ts';

const ARTIFACTS = new URL('../../../test-results/', import.meta.url);

/** A consignor's first visit in headless Chromium: the invitation link, choosing a password, the portal, signing in again. */
describe('consignor portal in a browser', () => {
  let t: TestApp;
  let browser: Browser;
  let store: Tenant;
  let origin: string;

  beforeAll(async () => {
    t = await startTestApp();
    store = await makeTenant(t.platform.db, 'Second Hand Rose');
    const address = await t.app.listen({ host: '127.0.0.1', port: 0 });
    origin = address.replace('127.0.0.1', storeHost(store));
    await mkdir(ARTIFACTS, { recursive: true });
    browser = await chromium.launch({
      executablePath: chromiumPath(),
      args: CHROMIUM_ARGS,
    });
  });
  afterAll(async () => {
    await browser?.close();
    await t?.close();
  });

  /** Screenshot as an artefact, and no serious or critical accessibility violation. */
  const check = async (page: Page, name: string) => {
    await page.screenshot({ path: new URL(`consignor-portal-${name}.png`, ARTIFACTS).pathname, fullPage: true });
    expect(await seriousViolations(page), name).toEqual([]);
  };

  it('follows the invitation, chooses a password with the keyboard, signs out and back in', async () => {
    const email = `rose-${randomUUID().slice(0, 6)}@example.test`;
    await t.platform.db.withTenant(store.id, async (trx) => {
      const { id } = await consignment.createConsignor(trx, store.id, { display_name: 'Rose', email });
      await invite(t.platform, trx, store, { id, email, name: 'Rose' }, origin);
    });
    const [mail] = await t.platform.mail.recent({ to: email, limit: 1 });
    const link = /http:\/\/\S+\/consignor\/welcome\/\S+/.exec(mail!.body_text)![0];
    const page = await browser.newPage({ viewport: { width: 1100, height: 760 }, bypassCSP: true });
    page.setDefaultTimeout(8_000);
    const scriptErrors: string[] = [];
    page.on('pageerror', (error) => scriptErrors.push(error.message));

    await page.goto(link);
    await page.getByLabel('New password').fill('short');
    await page.keyboard.press('Enter');
    // The browser holds back a too-short password (the server refuses it too, see portal.test.ts).
    expect(await page.locator('input[name="password"]:invalid').count()).toBe(1);
    expect(page.url()).toBe(link);
    await check(page, '1-choose-password');
    await page.getByLabel('New password').fill('roses-are-red-42');
    await page.keyboard.press('Enter');
    await page.waitForURL(`${origin}/consignor`);
    expect(await page.locator('h1').textContent()).toBe('Your consignments');
    await check(page, '2-home');

    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.waitForURL(`${origin}/consignor/sign-in`);
    await page.getByLabel('E-mail').fill(email);
    await page.getByLabel('Password').fill('wrong-password-1');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.waitForSelector('[role="alert"]');
    await check(page, '3-sign-in-error');
    await page.getByLabel('Password').fill('roses-are-red-42');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.waitForURL(`${origin}/consignor`);
    expect(scriptErrors).toEqual([]);
  });
});
