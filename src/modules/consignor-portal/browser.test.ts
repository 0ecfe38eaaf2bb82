import { randomUUID } from 'node:crypto';
import { mkdir } from 'node:fs/promises';
import { type Browser, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { screenshotAtRest, seriousViolations } from '../../../test/support/accessibility.ts';
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
    await screenshotAtRest(page, new URL(`consignor-portal-${name}.png`, ARTIFACTS).pathname);
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

    // Every data page, reached by keyboard from the portal's navigation: its empty state, axe-clean.
    for (const [index, name] of ['Sales', 'Payouts', 'Statements', 'Notifications'].entries()) {
      const link = page.getByRole('navigation', { name: 'Consignor portal' }).getByRole('link', { name, exact: true });
      await link.focus();
      await page.keyboard.press('Enter');
      await page.waitForSelector('a[aria-current="page"]');
      expect(await page.locator('a[aria-current="page"]').textContent()).toBe(name);
      await check(page, `${4 + index}-${name.toLowerCase().replace(' ', '-')}-empty`);
    }
    expect(scriptErrors).toEqual([]);
  });

  it('shows the balance, sales and a statement of a consignor with activity', async () => {
    const email = `lily-${randomUUID().slice(0, 6)}@example.test`;
    await t.platform.db.withTenant(store.id, async (trx) => {
      const { id } = await consignment.createConsignor(trx, store.id, { display_name: 'Lily Consignor', email });
      await invite(t.platform, trx, store, { id, email, name: 'Lily Consignor' }, origin);
      const line = (days: number, title: string, amount: number) => {
        const orderLineId = randomUUID();
        const common = { tenant_id: store.id, consignor_id: id, currency: 'USD', available_at: new Date(Date.now() + days * 86_400_000), order_id: randomUUID(), order_line_id: orderLineId };
        return [
          { ...common, kind: 'sale_credit' as const, amount_minor: amount, posting_key: `sale:${orderLineId}`, description: `Order #1042: ${title}` },
          { ...common, kind: 'commission' as const, amount_minor: -Math.round(amount * 0.4), posting_key: `commission:${orderLineId}`, description: 'Commission on order #1042' },
        ];
      };
      await trx.insertInto('consignment_ledger_entries').values([...line(-2, 'Wool coat', 12_000), ...line(12, 'Silk scarf', 4_500)]).execute();
      await trx
        .insertInto('consignment_statements')
        .values({ tenant_id: store.id, consignor_id: id, period: '2026-11-01', currency: 'USD', opening_minor: 0, closing_minor: 7_200, entries: 2, html: '<!doctype html><title>Statement</title><h1>Statement</h1>', csv: 'date,type\n' })
        .execute();
    });
    const [mail] = await t.platform.mail.recent({ to: email, limit: 1 });
    const page = await browser.newPage({ viewport: { width: 1100, height: 760 }, bypassCSP: true });
    page.setDefaultTimeout(8_000);
    await page.goto(/http:\/\/\S+\/consignor\/welcome\/\S+/.exec(mail!.body_text)![0]);
    await page.getByLabel('New password').fill('lilies-are-white-7');
    await page.keyboard.press('Enter');
    await page.waitForURL(`${origin}/consignor`);
    expect(await page.locator('[data-figure="payable"]').textContent()).toBe('$72.00');
    expect(await page.locator('[data-figure="pending"]').textContent()).toBe('$27.00');
    await check(page, '10-overview-with-sales');
    await page.getByRole('link', { name: 'Statements', exact: true }).click();
    await page.getByRole('cell', { name: 'November 2026', exact: true }).waitFor();
    await check(page, '11-statements');
  });
});
