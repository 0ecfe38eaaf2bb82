import { mkdir } from 'node:fs/promises';
import { type Browser, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seriousViolations } from '../../../test/support/accessibility.ts';
import { staffSession } from '../../../test/support/auth.ts';
import { CHROMIUM_ARGS, chromiumPath } from '../../../test/support/os-tools.ts';
import { makeTenant, startTestApp, type TestApp } from '../../../test/support/platform.ts';
import { seedSampleCatalog } from '../catalog/seed.ts';
import type { Tenant } from '../tenancy/service.ts';

const ARTIFACTS = new URL('../../../test-results/', import.meta.url);

/** From product page to a paid order on the test provider, in headless Chromium; then the account page and the admin API. */
describe('checkout in a browser', () => {
  let t: TestApp;
  let browser: Browser;
  let store: Tenant;
  let origin: string;
  const shot = async (page: Page, name: string) => {
    await mkdir(ARTIFACTS, { recursive: true });
    await page.screenshot({ path: new URL(`checkout-${name}.png`, ARTIFACTS).pathname, fullPage: true });
    expect(await seriousViolations(page), name).toEqual([]);
  };

  beforeAll(async () => {
    t = await startTestApp();
    store = await makeTenant(t.platform.db, 'Checkout Boutique');
    await seedSampleCatalog(t.platform.db, store);
    const address = await t.app.listen({ host: '127.0.0.1', port: 0 });
    origin = address.replace('127.0.0.1', `${store.subdomain}.localhost`);
    browser = await chromium.launch({
      executablePath: chromiumPath(),
      args: CHROMIUM_ARGS,
    });
  });
  afterAll(async () => {
    await browser?.close();
    await t?.close();
  });

  it('registers, buys a shirt with a test card, and finds the order in the account and the admin API', async () => {
    const page = await browser.newPage({ viewport: { width: 1200, height: 900 } });
    const scriptErrors: string[] = [];
    page.on('pageerror', (error) => scriptErrors.push(error.message));

    await page.goto(`${origin}/account/register`);
    await page.locator('input[name="display_name"]').fill('Ada Shopper');
    await page.locator('input[name="email"]').fill('ada@example.test');
    await page.locator('input[name="password"]').fill('a-long-enough-password');
    await shot(page, '0-register');
    await page.getByRole('button', { name: 'Create account' }).click();
    await page.waitForURL(/\/account$/);
    expect(await page.locator('main').textContent()).toContain('No orders yet');

    await page.goto(`${origin}/products/linen-shirt`);
    await page.waitForSelector('html[data-cart-ready="true"]');
    await page.locator('select[name="variant_id"]').selectOption({ label: 'Size M · $48.00' });
    await page.getByRole('button', { name: 'Add to cart' }).click();
    await expect.poll(() => page.locator('[data-cart-count]').textContent(), { timeout: 10_000 }).toBe('1');

    await page.goto(`${origin}/checkout`);
    await page.locator('input[name="email"]').fill('ada@example.test');
    await page.locator('input[name="name"]').fill('Ada Shopper');
    await page.locator('input[name="line1"]').fill('1 Main Street');
    await page.locator('input[name="city"]').fill('San Francisco');
    await page.locator('input[name="region"]').fill('CA');
    await page.locator('input[name="postal_code"]').fill('941');
    await page.getByRole('button', { name: 'Continue to shipping' }).click();
    await expect.poll(() => page.locator('[data-step="address"] [data-error]').textContent(), { timeout: 10_000 }).toContain('is not a US postal code');
    await shot(page, '1-address-error');
    await page.locator('input[name="postal_code"]').fill('94105');
    await page.getByRole('button', { name: 'Continue to shipping' }).click();
    await page.waitForSelector('[data-step="shipping"]:not([hidden]) input[name="shipping_method"]');
    // Shipping, tax and total come from the server's quote for this address.
    await shot(page, '2-shipping');
    const total = await page.locator('aside [data-total]').textContent();
    expect(total).toMatch(/^\$\d+\.\d\d$/);
    await page.getByRole('button', { name: 'Continue to payment' }).click();

    await page.locator('input[name="card_number"]').fill('4000 0000 0000 0002');
    await page.locator('input[name="card_expiry"]').fill('12/30');
    await page.locator('input[name="card_cvc"]').fill('123');
    await page.locator('[data-pay]').click();
    await expect.poll(() => page.locator('[data-step="payment"] [data-error]').textContent(), { timeout: 10_000 }).toContain('declined');
    await shot(page, '3-declined');
    await page.locator('input[name="card_number"]').fill('4242 4242 4242 4242');
    await page.locator('[data-pay]').click();
    await page.waitForURL(/\/checkout\/confirmation\//, { timeout: 15_000 });
    const confirmation = await page.locator('main').textContent();
    expect(confirmation).toContain('is confirmed');
    expect(confirmation).toContain(total!);
    await shot(page, '4-confirmation');
    const number = /#(\d+)/.exec(confirmation ?? '')![1]!;

    await page.goto(`${origin}/account`);
    expect(await page.locator('table.orders').textContent()).toContain(`#${number}`);
    await shot(page, '5-account');
    await page.getByRole('link', { name: `#${number}` }).click();
    await page.waitForURL(new RegExp(`/account/orders/${number}$`));
    expect(await page.locator('main').textContent()).toContain('Linen Shirt');
    await shot(page, '6-order');
    expect(scriptErrors).toEqual([]);

    const staff = await staffSession(t.platform, store.id, 'staff');
    const listed = await t.app.inject({ method: 'GET', url: `/admin/api/v1/orders?q=%23${number}`, headers: { host: `${store.subdomain}.localhost`, ...staff.headers } });
    expect(listed.json().items).toEqual([expect.objectContaining({ number: Number(number), status: 'paid', email: 'ada@example.test' })]);
  });
});
