import { mkdir } from 'node:fs/promises';
import { sql } from 'kysely';
import { type Browser, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { screenshotAtRest, seriousViolations } from '../../../test/support/accessibility.ts';
import { staffSession, storeHost, type TestSession } from '../../../test/support/auth.ts';
import { waitFor } from '../../../test/support/jobs.ts';
import { CHROMIUM_ARGS, chromiumPath } from '../../../test/support/os-tools.ts';
import { makeTenant, startTestApp, type TestApp } from '../../../test/support/platform.ts';
import type { Tx } from '../../platform/db/database.ts';
import type { Tenant } from '../tenancy/service.ts';

const ARTIFACTS = new URL('../../../test-results/admin/', import.meta.url);
const DAY = 86_400_000;

/**
 * Issue 14 item 11 end to end in headless Chromium: staff add a consignor and take in a batch of three items through
 * the back office, print the price tags, see an item expiring on the dashboard; a shopper buys one item through the
 * storefront checkout; the consignor signs in to the portal and finds the sale and the balance it earned.
 */
describe('consignment intake to the consignor portal in a browser', () => {
  let t: TestApp;
  let browser: Browser;
  let store: Tenant;
  let origin: string;
  let owner: TestSession;
  const scriptErrors: string[] = [];

  beforeAll(async () => {
    t = await startTestApp();
    store = await makeTenant(t.platform.db, 'Juniper Consignment');
    owner = await staffSession(t.platform, store.id, 'owner');
    const category = await t.app.inject({ method: 'POST', url: '/admin/api/v1/categories', headers: { host: storeHost(store), ...owner.headers }, payload: { handle: 'outerwear', name: 'Outerwear' } });
    expect(category.statusCode, category.body).toBe(201);
    const address = await t.app.listen({ host: '127.0.0.1', port: 0 });
    origin = `http://${store.subdomain}.localhost:${new URL(address).port}`;
    browser = await chromium.launch({ executablePath: chromiumPath(), args: CHROMIUM_ARGS });
    await mkdir(ARTIFACTS, { recursive: true });
  });
  afterAll(async () => {
    await browser?.close();
    await t?.close();
  });

  const newPage = async () => {
    // screenshotAtRest adds an inline style, which the pages' policies rightly refuse.
    const page = await browser.newPage({ viewport: { width: 1280, height: 860 }, bypassCSP: true });
    page.setDefaultTimeout(10_000);
    page.on('pageerror', (error) => scriptErrors.push(error.message));
    return page;
  };

  /**
   * The page at rest as an artefact, and no serious or critical accessibility violation on it. Confirmation toasts
   * are closed first, as the merchant would, so the picture shows the screen beneath them.
   */
  const check = async (page: Page, name: string) => {
    await page.waitForFunction(`!document.querySelector('[role="status"] .p-progressspinner')`, undefined, { timeout: 10_000 });
    await page.evaluate(`document.querySelectorAll('.p-toast-close-button').forEach((button) => button.click())`);
    await page.waitForFunction(`!document.querySelector('.p-toast-message')`, undefined, { timeout: 5_000 });
    await screenshotAtRest(page, new URL(`intake-${name}.png`, ARTIFACTS).pathname);
    expect(await seriousViolations(page), name).toEqual([]);
  };

  const inStore = <T>(fn: (trx: Tx) => Promise<T>) => t.platform.db.withTenant(store.id, fn);

  it('takes in three items for a consignor, sells one through checkout, and the consignor sees the sale and balance', async () => {
    const page = await newPage();
    await page.goto(`${origin}/admin/`);
    await page.waitForURL(/\/admin\/sign-in/);
    await page.getByLabel('Email').fill(owner.email);
    await page.locator('#password').fill(owner.password);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.waitForURL(`${origin}/admin/`);

    // Consignors: empty, then a new one refused by the server on the e-mail field, then saved.
    await page.getByRole('link', { name: 'Consignors', exact: true }).click();
    await page.getByText('No consignors yet.').waitFor();
    await check(page, '01-consignors-empty');
    await page.getByRole('button', { name: 'Add consignor' }).click();
    await page.getByLabel('Name').fill('Rose Abernathy');
    await page.getByLabel('E-mail').fill('rose@');
    await page.getByRole('button', { name: 'Add consignor' }).click();
    await page.locator('#email-error').waitFor();
    expect(await page.locator('#email-error').textContent()).toBe('Enter an e-mail address such as rose@example.com.');
    expect(await page.getByLabel('E-mail').getAttribute('aria-describedby')).toBe('email-error');
    await check(page, '02-consignor-invalid-email');
    const email = `rose-${store.subdomain}@example.test`;
    await page.getByLabel('E-mail').fill(email);
    await page.getByLabel('Phone').fill('+1 415 555 0142');
    await page.getByLabel('Street').fill('12 Juniper Lane');
    await page.getByLabel('City').fill('Portland');
    await page.getByLabel('State or region').fill('OR');
    await page.getByLabel('Postal code').fill('97201');
    await page.getByLabel('Country').fill('US');
    await page.locator('#payout-method').click();
    await page.getByRole('option', { name: 'Cash' }).click();
    await page.locator('#outcome').click();
    await page.getByRole('option', { name: 'Donated' }).click();
    await page.locator('#commission').fill('35');
    // Keyboard: from the last field to the submit button.
    await page.locator('#period').focus();
    await page.keyboard.press('Tab');
    expect(await page.evaluate('document.activeElement?.textContent')).toBe('Add consignor');
    await page.keyboard.press('Enter');
    await page.waitForURL(/\/admin\/consignment\/consignors\/[0-9a-f-]{36}$/);
    const consignorId = page.url().split('/').at(-1)!;
    await page.getByRole('heading', { name: 'Rose Abernathy' }).waitFor();
    expect(await page.locator('#commission').inputValue()).toBe('35');
    expect(await page.locator('#outcome').textContent()).toBe('Donated');
    await page.getByRole('button', { name: 'Record signature in the shop' }).click();
    await page.getByText('Signed the current agreement (version 1)').waitFor();
    await page.getByRole('button', { name: 'E-mail a portal invitation' }).click();
    await page.getByText('Invitation sent').waitFor();
    await check(page, '03-consignor');

    await page.getByRole('link', { name: '← All consignors' }).click();
    await page.getByLabel('Search consignors').fill('abern');
    await page.keyboard.press('Enter');
    const list = page.getByRole('table', { name: 'Consignors' });
    await list.waitFor();
    expect(await list.locator('tbody tr').count()).toBe(1);
    expect(await list.textContent()).toContain('Rose Abernathy');
    expect(await list.textContent()).toContain('Signed');
    await check(page, '04-consignors');

    // More consignors than the intake picker's first page, all before Rose by name.
    await inStore((trx) =>
      sql`insert into consignors (tenant_id, display_name) select ${store.id}, 'Aaron Bulk ' || lpad(n::text, 3, '0') from generate_series(1, 205) n`.execute(trx),
    );

    // Intake: three rows; the server refuses a row without a price, on that row's price field.
    await page.getByRole('link', { name: 'Rose Abernathy' }).click();
    await page.getByRole('button', { name: 'Take in items' }).click();
    await page.waitForURL(/\/admin\/consignment\/intake\/new\?consignor=/);
    await page.getByRole('heading', { name: 'New intake batch' }).waitFor();
    expect(await page.locator('#consignor').textContent()).toContain('Rose Abernathy');
    // The picker's filter searches the server for consignors beyond its first page; the choice stays.
    await page.locator('#consignor').click();
    await page.locator('.p-select-filter').fill('bulk 204');
    await page.getByRole('option', { name: 'Aaron Bulk 204' }).waitFor();
    await page.keyboard.press('Escape');
    // PrimeVue closes the picker (and drops its filter, which hides the chosen option's label) a tick later.
    await expect.poll(() => page.locator('#consignor').textContent()).toContain('Rose Abernathy');
    await check(page, '05-intake-new');
    await page.getByLabel('Note (optional)').fill('Spring drop-off');
    const titles = ['Camel wool coat', 'Silk scarf, hand-rolled', 'Brass table lamp'];
    const prices = ['120', '', '64.50'];
    for (const [index, title] of titles.entries()) {
      // The first row is the next field after the note; "Add item" moves the focus to the new row's title.
      if (index === 0) await page.keyboard.press('Tab');
      else await page.getByRole('button', { name: 'Add item' }).click();
      await expect.poll(() => page.evaluate('document.activeElement?.id')).toBe(`item-title-${index}`);
      await page.keyboard.type(title);
      await page.locator(`#item-price-${index}`).fill(prices[index]!);
    }
    await page.locator('#item-description-0').fill('Size M, lined, barely worn');
    await page.locator('#item-category-0').click();
    await page.getByRole('option', { name: 'Outerwear' }).click();
    await page.locator('#item-commission-2').fill('50');
    await page.getByRole('button', { name: 'Save batch' }).click();
    await page.locator('#item-price-1-error').waitFor();
    expect(await page.locator('#item-price-1-error').textContent()).toBe('Enter a price above zero.');
    await check(page, '06-intake-row-error');
    await page.locator('#item-price-1').fill('45');
    await page.locator('#item-price-1').press('Enter');
    await page.waitForURL(/\/admin\/consignment\/intake\/[0-9a-f-]{36}$/);
    const items = page.getByRole('table', { name: 'Items of this batch' });
    await items.waitFor();
    expect(await items.locator('tbody tr').count()).toBe(3);
    const categoryPriceCommission = async (index: number) => (await items.locator('tbody tr').nth(index).locator('td').allTextContents()).slice(1, 4);
    expect([await categoryPriceCommission(0), await categoryPriceCommission(1), await categoryPriceCommission(2)]).toEqual([
      ['Outerwear', '$120.00', 'Per terms'],
      ['—', '$45.00', 'Per terms'],
      ['—', '$64.50', '50%'],
    ]);
    await check(page, '07-intake-saved');
    await page.getByRole('button', { name: 'Accept and put on sale' }).focus();
    await page.keyboard.press('Enter');
    await page.getByText(/Accepted .*: these items are on sale/).waitFor();
    const skus = await items.locator('tbody code').allTextContents();
    expect(skus).toHaveLength(3);
    for (const sku of skus) expect(sku).toMatch(/^CN-[0-9A-F]{12}-00[1-3]$/);
    await check(page, '08-intake-accepted');

    const download = page.waitForEvent('download');
    await page.getByRole('button', { name: 'Print price tags' }).click();
    const file = await download;
    expect(file.suggestedFilename()).toMatch(/^price-tags-[0-9a-f]{8}\.pdf$/);
    const chunks: Buffer[] = [];
    for await (const chunk of await file.createReadStream()) chunks.push(chunk as Buffer);
    const tags = Buffer.concat(chunks).toString('latin1');
    expect(tags.startsWith('%PDF-')).toBe(true);
    expect(tags.match(/\/Type \/Page\b/g)).toHaveLength(3);

    await page.getByRole('link', { name: '← All intake batches' }).click();
    await page.getByText('Nothing waiting for intake.').waitFor();
    await page.locator('#batch-filter').click();
    await page.getByRole('option', { name: 'On the floor' }).click();
    await page.getByRole('table', { name: 'Intake batches' }).waitFor();
    expect(await page.getByRole('table', { name: 'Intake batches' }).textContent()).toContain('Spring drop-off');
    await check(page, '09-intake-list');

    // The lamp's period ends in three days: the dashboard lists it.
    const onFloor = await inStore((trx) => trx.selectFrom('consignment_items').select(['title', 'sku', 'product_id']).where('consignor_id', '=', consignorId).orderBy('position').execute());
    await inStore((trx) => trx.updateTable('consignment_items').set({ expires_at: new Date(Date.now() + 3 * DAY) }).where('sku', '=', onFloor[2]!.sku).execute());
    await page.getByRole('link', { name: 'Dashboard' }).click();
    const expiring = page.getByRole('table', { name: 'Items expiring' });
    await expiring.waitFor();
    expect(await expiring.locator('tbody tr').allTextContents()).toEqual(['Brass table lampRose Abernathy$64.50in 3 days']);
    // Each unique piece has one in stock: that is not running low.
    await page.getByText('Nothing is running low.').waitFor();
    await check(page, '10-dashboard-expiring');
    await page.close();

    // A shopper buys the coat through the storefront with the test provider's card.
    const coat = await inStore((trx) => trx.selectFrom('products').select('handle').where('id', '=', onFloor[0]!.product_id!).executeTakeFirstOrThrow());
    const shop = await newPage();
    await shop.goto(`${origin}/products/${coat.handle}`);
    expect(await shop.locator('h1').textContent()).toBe('Camel wool coat');
    await shop.waitForSelector('html[data-cart-ready="true"]');
    await shop.getByRole('button', { name: 'Add to cart' }).click();
    await expect.poll(() => shop.locator('[data-cart-count]').textContent(), { timeout: 10_000 }).toBe('1');
    await check(shop, '11-storefront-product');
    await shop.goto(`${origin}/checkout`);
    await shop.locator('input[name="email"]').fill('ada@example.test');
    await shop.locator('input[name="name"]').fill('Ada Shopper');
    await shop.locator('input[name="line1"]').fill('1 Main Street');
    await shop.locator('input[name="city"]').fill('San Francisco');
    await shop.locator('input[name="region"]').fill('CA');
    await shop.locator('input[name="postal_code"]').fill('94105');
    await shop.getByRole('button', { name: 'Continue to shipping' }).click();
    await shop.waitForSelector('[data-step="shipping"]:not([hidden]) input[name="shipping_method"]');
    await shop.getByRole('button', { name: 'Continue to payment' }).click();
    await shop.locator('input[name="card_number"]').fill('4242 4242 4242 4242');
    await shop.locator('input[name="card_expiry"]').fill('12/30');
    await shop.locator('input[name="card_cvc"]').fill('123');
    await shop.locator('[data-pay]').click();
    await shop.waitForURL(/\/checkout\/confirmation\//, { timeout: 15_000 });
    expect(await shop.locator('main').textContent()).toContain('is confirmed');
    await check(shop, '12-checkout-confirmation');
    await shop.close();

    // Crediting is a job: wait for the sale's entries in the ledger (35% commission on $120.00).
    const entries = await waitFor(async () => {
      const rows = await inStore((trx) => trx.selectFrom('consignment_ledger_entries').select(['kind', 'amount_minor']).where('consignor_id', '=', consignorId).orderBy('kind').execute());
      return rows.length === 2 && rows;
    }, 'the sale credited to the consignor', 20_000);
    expect(entries.map((entry) => [entry.kind, Number(entry.amount_minor)])).toEqual([
      ['commission', -4_200],
      ['sale_credit', 12_000],
    ]);

    // The consignor follows the invitation, chooses a password and finds the sale and the balance.
    const mails = await t.platform.mail.recent({ to: email });
    expect(mails.map((mail) => mail.subject)).toContain('One of your items sold');
    const link = mails.map((mail) => /http:\/\/\S+\/consignor\/welcome\/\S+/.exec(mail.body_text)?.[0]).find(Boolean)!;
    expect(new URL(link).host).toBe(new URL(origin).host);
    const portal = await newPage();
    await portal.goto(link);
    await portal.getByLabel('New password').fill('juniper-berries-42');
    await portal.keyboard.press('Enter');
    await portal.waitForURL(`${origin}/consignor`);
    expect(await portal.locator('[data-figure="pending"]').textContent()).toBe('$78.00');
    expect(await portal.locator('[data-figure="payable"]').textContent()).toBe('$0.00');
    expect(await portal.locator('main').textContent()).toContain('Camel wool coat');
    expect(await portal.locator('[data-figure="on-floor"]').textContent()).toBe('2');
    await check(portal, '13-portal-overview');
    await portal.getByRole('navigation', { name: 'Consignor portal' }).getByRole('link', { name: 'Sales', exact: true }).click();
    await portal.waitForURL(`${origin}/consignor/sales`);
    expect(await portal.locator('main table').textContent()).toContain('Camel wool coat');
    await check(portal, '14-portal-sales');
    await portal.close();
    expect(scriptErrors).toEqual([]);
  }, 120_000);

  it('shows a clerk without consignment:write the consignors and batches, but no action that changes them', async () => {
    const clerk = await staffSession(t.platform, store.id, 'staff');
    const page = await newPage();
    await page.goto(`${origin}/admin/`);
    await page.waitForURL(/\/admin\/sign-in/);
    await page.getByLabel('Email').fill(clerk.email);
    await page.locator('#password').fill(clerk.password);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.waitForURL(`${origin}/admin/`);
    await page.getByRole('link', { name: 'Consignors', exact: true }).click();
    await page.getByRole('table', { name: 'Consignors' }).waitFor();
    expect(await page.getByRole('button', { name: 'Add consignor' }).count()).toBe(0);
    await page.getByLabel('Search consignors').fill('rose');
    await page.keyboard.press('Enter');
    await page.waitForURL(/\?q=rose/);
    await page.getByRole('link', { name: 'Rose Abernathy' }).click();
    await page.getByRole('heading', { name: 'Rose Abernathy' }).waitFor();
    expect(await page.getByLabel('Name').isDisabled()).toBe(true);
    expect(await page.getByRole('button', { name: /Save changes|Take in items|E-mail a portal invitation/ }).count()).toBe(0);
    await check(page, '15-consignor-read-only');
    await page.getByRole('link', { name: 'Intake', exact: true }).click();
    await page.getByText('Nothing waiting for intake.').waitFor();
    expect(await page.getByRole('button', { name: 'New intake batch' }).count()).toBe(0);
    // The address of a write-only screen sends the clerk back to the dashboard.
    await page.goto(`${origin}/admin/consignment/intake/new`);
    await page.waitForURL(`${origin}/admin/`);
    await page.close();
    expect(scriptErrors).toEqual([]);
  });
});
