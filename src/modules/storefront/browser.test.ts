import { mkdir } from 'node:fs/promises';
import { type Browser, chromium } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seriousViolations } from '../../../test/support/accessibility.ts';
import { CHROMIUM_ARGS, chromiumPath } from '../../../test/support/os-tools.ts';
import { type TestApp, makeTenant, startTestApp } from '../../../test/support/platform.ts';
import { seedSampleCatalog } from '../catalog/seed.ts';
import type { Tenant } from '../tenancy/service.ts';

const ARTIFACTS = new URL('../../../test-results/', import.meta.url);

/** The shopper's path in a real headless Chromium: home, search, product, add to cart. */
describe('storefront in a browser', () => {
  let t: TestApp;
  let browser: Browser;
  let store: Tenant;
  let origin: string;

  beforeAll(async () => {
    t = await startTestApp();
    store = await makeTenant(t.platform.db, 'Browser Boutique');
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

  it('searches, opens a product, adds it to the cart and shows the hydrated cart panel', async () => {
    const page = await browser.newPage();
    const scriptErrors: string[] = [];
    page.on('pageerror', (error) => scriptErrors.push(error.message));

    await page.goto(`${origin}/`);
    await expect.poll(() => page.locator('h1').textContent(), { timeout: 10_000 }).toBe('Browser Boutique');
    expect(await seriousViolations(page)).toEqual([]);
    await page.locator('header input[name="q"]').fill('linen');
    await page.locator('header form[role="search"] button').click();
    await page.waitForURL(/\/search\?q=linen/);
    expect(await seriousViolations(page)).toEqual([]);
    expect(await page.getByText(/^Results for “linen”: \d+ match/).count()).toBe(1);
    await mkdir(ARTIFACTS, { recursive: true });
    await page.screenshot({ path: new URL('storefront-search.png', ARTIFACTS).pathname, fullPage: true });
    await page.getByRole('link', { name: 'Linen Shirt' }).click();
    await page.waitForURL(/\/products\/linen-shirt$/);
    await page.waitForSelector('html[data-cart-ready="true"]');
    expect(await page.locator('input[name="_csrf"]').inputValue()).toMatch(/^[\w-]{32}$/);
    expect(await seriousViolations(page)).toEqual([]);

    await page.locator('select[name="variant_id"]').selectOption({ label: 'Size M · $48.00' });
    await page.getByRole('button', { name: 'Add to cart' }).click();
    await page.waitForSelector('#cart-panel.open');
    await expect.poll(() => page.locator('[data-cart-count]').textContent(), { timeout: 10_000 }).toBe('1');
    expect(await page.locator('[data-cart-items] li').textContent()).toBe('Linen Shirt Size M × 1 · $48.00');
    expect(await page.locator('[data-cart-subtotal]').textContent()).toBe('$48.00');

    // The panel slides in; the screenshot waits for the end of the slide.
    await expect.poll(() => page.locator('#cart-panel').evaluate((panel) => panel.ownerDocument.defaultView?.getComputedStyle(panel).transform), { timeout: 10_000 }).toBe('none');
    await mkdir(ARTIFACTS, { recursive: true });
    await page.screenshot({ path: new URL('storefront-cart.png', ARTIFACTS).pathname, fullPage: true });

    await page.goto(`${origin}/cart`);
    expect(await page.locator('main').textContent()).toContain('× 1');
    expect(await seriousViolations(page)).toEqual([]);
    expect(scriptErrors).toEqual([]);
  });
});
