import { mkdir } from 'node:fs/promises';
import { type Browser, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { screenshotAtRest, seriousViolations } from '../../../test/support/accessibility.ts';
import { staffSession, storeHost } from '../../../test/support/auth.ts';
import { CHROMIUM_ARGS, chromiumPath } from '../../../test/support/os-tools.ts';
import { makeTenant, startTestApp, type TestApp } from '../../../test/support/platform.ts';
import { ADDRESS, Shopper, seedProduct } from '../../../test/support/shop.ts';
import type { Tenant } from '../tenancy/service.ts';

const ARTIFACTS = new URL('../../../test-results/admin/', import.meta.url);

/** The merchant sets the store's shipping zones and tax rates in the back office; checkout quotes from them. */
describe('shipping and tax settings in a browser', () => {
  let t: TestApp;
  let browser: Browser;
  let store: Tenant;
  let origin: string;
  let owner: { email: string; password: string };
  const scriptErrors: string[] = [];

  beforeAll(async () => {
    t = await startTestApp();
    store = await makeTenant(t.platform.db, 'Juniper Goods');
    owner = await staffSession(t.platform, store.id, 'owner');
    const address = await t.app.listen({ host: '127.0.0.1', port: 0 });
    origin = `http://${store.subdomain}.localhost:${new URL(address).port}`;
    browser = await chromium.launch({ executablePath: chromiumPath(), args: CHROMIUM_ARGS });
    await mkdir(ARTIFACTS, { recursive: true });
  });
  afterAll(async () => {
    await browser?.close();
    await t?.close();
  });

  const check = async (page: Page, name: string) => {
    await page.waitForFunction(`!document.querySelector('[role="status"]')`, undefined, { timeout: 10_000 });
    await screenshotAtRest(page, new URL(`${name}.png`, ARTIFACTS).pathname);
    expect(await seriousViolations(page), name).toEqual([]);
  };

  it('shows the built-in rates, refuses a country in two zones beside the field, saves zones and a tax rate, and the next quote uses them', async () => {
    // screenshotAtRest adds an inline style, which the page's policy rightly refuses.
    const page = await browser.newPage({ viewport: { width: 1280, height: 860 }, bypassCSP: true });
    page.setDefaultTimeout(8_000);
    page.on('pageerror', (error) => scriptErrors.push(error.message));
    await page.goto(`${origin}/admin/`);
    await page.waitForURL(/\/admin\/sign-in/);
    await page.getByLabel('Email').fill(owner.email);
    await page.locator('#password').fill(owner.password);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('heading', { name: 'Dashboard' }).waitFor();

    // A failed load says so and offers a retry.
    await page.route('**/admin/api/v1/shipping-tax-settings', (route) =>
      route.fulfill({ status: 503, contentType: 'application/problem+json', body: JSON.stringify({ title: 'Unavailable', detail: 'The settings could not be read.', status: 503 }) }),
    );
    await page.getByRole('link', { name: 'Store settings' }).click();
    await page.getByRole('tab', { name: 'Shipping & tax' }).click();
    await page.getByText('The settings could not be read.').waitFor();
    await check(page, 'st-01-load-failed');
    await page.unroute('**/admin/api/v1/shipping-tax-settings');
    await page.getByRole('button', { name: 'Try again' }).click();

    await page.getByText('You are using the built-in rates.').waitFor();
    expect(await page.getByLabel('Rate of US-CA in percent').inputValue()).toBe('7.25 %');
    await check(page, 'st-02-built-in');

    // Keyboard only: the add buttons and the rest-of-world checkbox.
    await page.getByRole('button', { name: 'Add your first zone' }).focus();
    await page.keyboard.press('Enter');
    await page.locator('#zone-0-name').fill('United States');
    await page.locator('#zone-0-countries').fill('us');
    await page.getByLabel('Name of rate 1').fill('Flat rate');
    await page.locator('#zone-0-rate-0-amount').fill('4.50');
    await page.locator('#zone-0-rate-0-free').fill('40');
    await page.getByRole('button', { name: 'Add zone' }).focus();
    await page.keyboard.press('Enter');
    expect(await page.locator('#zone-1-world').isChecked()).toBe(true);
    await page.locator('#zone-1-world').focus();
    await page.keyboard.press('Space');
    expect(await page.locator('#zone-1-world').isChecked()).toBe(false);
    await page.locator('#zone-1-name').fill('Neighbours');
    await page.locator('#zone-1-countries').fill('CA, US');
    await page.locator('#zone-1-rate-0-amount').fill('12');
    await page.getByText('Canada, United States').waitFor();
    await page.getByLabel('Rate of US-CA in percent').fill('10');
    await page.getByRole('button', { name: 'Save shipping and tax' }).click();
    expect(await page.locator('#zone-1-countries-error').textContent()).toBe('Each country belongs to one zone only: US is listed twice.');
    await check(page, 'st-03-refused');

    await page.locator('#zone-1-countries').fill('CA');
    await page.getByRole('button', { name: 'Save shipping and tax' }).click();
    await page.getByText('Shipping and tax saved').waitFor();
    await page.locator('.p-toast-message').waitFor({ state: 'detached', timeout: 10_000 });
    await page.getByText(/^Last saved/).waitFor();
    await check(page, 'st-04-saved');
    await page.reload();
    expect(await page.locator('#zone-0-countries').inputValue()).toBe('US');
    expect(await page.locator('#zone-0-rate-0-free').inputValue()).toBe('40.00');

    // The shopper's next quote: free over 40.00, CA tax now 10 % on 50.00.
    const { variantId } = await seedProduct(t.platform.db, store.id, { price: 2500, stock: 5 });
    const buyer = await new Shopper(t.app, storeHost(store)).start();
    await buyer.add(variantId, 2);
    const quote = await buyer.request('POST', '/checkout/shipping-rates', { _csrf: buyer.csrf, shipping_address: ADDRESS });
    expect(quote.json().rates).toEqual([expect.objectContaining({ id: 'united-states:flat-rate', amount_minor: 0, tax_minor: 500, total_minor: 5500 })]);
    await page.close();
    expect(scriptErrors).toEqual([]);
  });
});
