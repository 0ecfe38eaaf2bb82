import { mkdir } from 'node:fs/promises';
import { type Browser, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { screenshotAtRest, seriousViolations } from '../../../test/support/accessibility.ts';
import { PLATFORM_HOST, platformSession, staffSession } from '../../../test/support/auth.ts';
import { CHROMIUM_ARGS, chromiumPath } from '../../../test/support/os-tools.ts';
import { makeTenant, startTestApp, type TestApp } from '../../../test/support/platform.ts';
import { Shopper, seedProduct } from '../../../test/support/shop.ts';
import { scrapeMetrics } from '../../platform/observability/metrics.ts';
import type { Tenant } from '../tenancy/service.ts';

const ARTIFACTS = new URL('../../../test-results/admin/', import.meta.url);
const HEADER = 'handle,title,description,status,tags,sku,variant_title,price_minor,currency,cost_minor,weight_grams,options';

/** A merchant's main paths through the back office in a real headless Chromium, with screenshots and an axe check per screen. */
describe('admin app in a browser', () => {
  let t: TestApp;
  let browser: Browser;
  let store: Tenant;
  let origin: string;
  let port: number;
  let owner: { email: string; password: string; userId: string };
  const scriptErrors: string[] = [];

  beforeAll(async () => {
    t = await startTestApp();
    store = await makeTenant(t.platform.db, 'Marigold Boutique');
    const session = await staffSession(t.platform, store.id, 'owner');
    owner = session;
    await t.app.inject({
      method: 'POST',
      url: '/admin/api/v1/inventory/locations',
      headers: { host: `${store.subdomain}.localhost`, ...session.headers },
      payload: { code: 'shop', name: 'Shop floor' },
    });
    const address = await t.app.listen({ host: '127.0.0.1', port: 0 });
    port = Number(new URL(address).port);
    origin = `http://${store.subdomain}.localhost:${port}`;
    browser = await chromium.launch({
      executablePath: chromiumPath(),
      args: CHROMIUM_ARGS,
    });
    await mkdir(ARTIFACTS, { recursive: true });
  });
  afterAll(async () => {
    await browser?.close();
    await t?.close();
  });

  const newPage = async () => {
    const page = await browser.newPage({ viewport: { width: 1280, height: 860 }, // screenshotAtRest adds an inline style, which the page's policy rightly refuses
      bypassCSP: true });
    page.setDefaultTimeout(8_000);
    page.on('pageerror', (error) => scriptErrors.push(error.message));
    return page;
  };

  /** Screenshot as an artefact, and no serious or critical accessibility violation. */
  const check = async (page: Page, name: string) => {
    await page.waitForFunction(`!document.querySelector('[role="status"]')`, undefined, { timeout: 10_000 });
    await screenshotAtRest(page, new URL(`${name}.png`, ARTIFACTS).pathname);
    expect(await seriousViolations(page), name).toEqual([]);
  };

  const signIn = async (page: Page) => {
    await page.goto(`${origin}/admin/`);
    await page.waitForURL(/\/admin\/sign-in/);
    await page.getByLabel('Email').fill(owner.email);
    await page.locator('#password').fill(owner.password);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.waitForURL(`${origin}/admin/`);
    await page.getByRole('heading', { name: 'Dashboard' }).waitFor();
  };

  it('signs in (a wrong password is refused on the form), and shows the dashboard', async () => {
    const page = await newPage();
    await page.goto(`${origin}/admin/products`);
    await page.waitForURL(/\/admin\/sign-in\?next=/);
    await page.getByRole('heading', { name: 'Sign in to Marigold Boutique' }).waitFor();
    await page.getByLabel('Email').fill(owner.email);
    await page.locator('#password').fill('not-the-password');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByText('That email and password do not match').waitFor();
    await check(page, '01-sign-in-refused');
    await page.locator('#password').fill(owner.password);
    await page.keyboard.press('Enter');
    await page.waitForURL(`${origin}/admin/products`);
    await page.getByRole('link', { name: 'Dashboard' }).click();
    await page.getByText('published products').waitFor();
    await check(page, '02-dashboard');
    // A reload keeps the session: the refresh token renews the access token silently.
    await page.reload();
    await page.getByText('published products').waitFor();
    expect(page.url()).toBe(`${origin}/admin/`);
    await page.close();
  });

  it('creates a product with two variants, shows server validation on the field, publishes it and finds it on the storefront', async () => {
    const page = await newPage();
    await signIn(page);
    await page.getByRole('link', { name: 'Products', exact: true }).click();
    await page.getByText('No products match.').waitFor();
    await check(page, '03-products-empty');
    await page.getByRole('button', { name: 'Add product' }).click();
    await page.getByLabel('Title').fill('Wool Scarf');
    expect(await page.getByLabel('Handle').inputValue()).toBe('wool-scarf');
    await page.locator('#option-0').fill('Colour');
    await page.getByLabel('Colour of variant 1').fill('Red');
    await page.getByLabel('SKU of variant 1').fill('bad sku!');
    await page.locator('#price-0').fill('35');
    await page.getByRole('button', { name: 'Add variant' }).click();
    await page.getByLabel('Colour of variant 2').fill('Blue');
    await page.getByLabel('SKU of variant 2').fill('WS-BLUE');
    await page.locator('#price-1').fill('38.50');
    await page.getByRole('button', { name: 'Create product' }).click();
    expect(await page.locator('#sku-error-0').textContent()).toBe('Use letters, digits and . _ / - only, no spaces (at most 64 characters).');
    await check(page, '04-product-validation');
    await page.getByLabel('SKU of variant 1').fill('WS-RED');
    await page.getByRole('button', { name: 'Create product' }).click();
    await page.waitForURL(/\/admin\/products\/[0-9a-f-]{36}$/);
    await page.getByText('A draft: shoppers cannot see it yet.').waitFor();
    await page.locator('#adjust-delta').fill('3');
    await page.getByRole('button', { name: 'Record change' }).click();
    await page.locator('#adjust-variant').click();
    await page.getByRole('option', { name: 'Blue' }).click();
    await page.locator('#adjust-delta').fill('2');
    await page.getByRole('button', { name: 'Record change' }).click();
    await expect.poll(() => page.getByRole('table', { name: 'Stock' }).textContent()).toBe('VariantShop floorRed3Blue2');
    await page.getByRole('button', { name: 'Publish now' }).click();
    await page.getByText('Live on the storefront since').waitFor();
    await check(page, '05-product-published');

    const shop = await newPage();
    await shop.goto(`${origin}/products/wool-scarf`);
    expect(await shop.locator('h1').textContent()).toBe('Wool Scarf');
    expect(await shop.locator('select[name="variant_id"] option').allTextContents()).toEqual(['Red · $35.00', 'Blue · $38.50']);
    await shop.close();

    await page.getByRole('link', { name: 'Products', exact: true }).click();
    await page.getByRole('link', { name: 'Wool Scarf' }).waitFor();
    await page.getByLabel('Search products').fill('WS-BLUE');
    await page.keyboard.press('Enter');
    await page.getByRole('link', { name: 'Wool Scarf' }).waitFor();
    await check(page, '06-products-list');
    await page.getByRole('link', { name: 'Collections and categories' }).click();
    await page.getByLabel('New category').fill('Accessories');
    await page.getByRole('button', { name: 'Add category' }).click();
    await page.getByRole('treeitem', { name: 'Accessories' }).waitFor();
    await check(page, '07-organise');
    await page.close();
  });

  it('runs an import, shows its progress and its row error report', async () => {
    const page = await newPage();
    await signIn(page);
    await page.getByRole('link', { name: 'Import and export' }).click();
    const csv = [HEADER, 'linen-shirt,Linen Shirt,Soft,published,,LS-S,Small,4800,USD,,,size=S', 'Bad Handle,,x,unknown,,LS-X,,-5,usd,,,'].join('\n');
    await page.getByLabel('File (.csv or .jsonl)').setInputFiles({ name: 'products.csv', mimeType: 'text/csv', buffer: Buffer.from(csv) });
    await page.getByRole('button', { name: 'Start import' }).click();
    await page.getByRole('heading', { name: 'Import finished' }).waitFor({ timeout: 20_000 });
    const report = await page.getByRole('table', { name: 'Row errors' }).textContent();
    expect(report).toContain('3');
    await check(page, '08-import-report');
    await page.close();
  });

  it("loads the product list's first page when its menu link is pointed at, and a write in between drops that page", async () => {
    const page = await newPage();
    await signIn(page);
    const lists: string[] = [];
    page.on('request', (request) => {
      if (request.url().includes('/admin/api/v1/products?')) lists.push(request.url());
    });
    const menuLink = page.getByRole('link', { name: 'Products', exact: true });
    await menuLink.hover();
    await expect.poll(() => lists.length).toBe(1);
    await menuLink.click();
    // The dashboard links the same product once per low variant: wait for the list, then its row.
    await page.getByRole('heading', { name: 'Products', level: 1 }).waitFor();
    await page.getByRole('link', { name: 'Wool Scarf' }).waitFor();
    expect(lists).toHaveLength(1);

    // Pointed at again (a page is prefetched), then a product is renamed: the list shown next has the new name.
    await page.mouse.move(0, 0);
    await menuLink.hover();
    await expect.poll(() => lists.length).toBe(2);
    await page.getByRole('link', { name: 'Wool Scarf' }).click();
    await page.getByLabel('Title').fill('Wool Scarf, hand-dyed');
    await page.getByRole('button', { name: 'Save changes' }).click();
    await page.getByText('Your changes are saved.').waitFor();
    await menuLink.click();
    await page.getByRole('link', { name: 'Wool Scarf, hand-dyed' }).waitFor();
    await page.close();
  });

  it('shows the store settings: branding with a live preview, domains, staff and an API client secret shown once', async () => {
    const page = await newPage();
    await signIn(page);
    await page.getByRole('link', { name: 'Store settings' }).click();
    await page.getByLabel('Tagline').fill('Small-batch goods from the valley');
    await page.locator('#primary').fill('#2d5a3d');
    await expect
      .poll(() => page.frameLocator('iframe').locator('html').getAttribute('style'))
      .toContain('--vs-color-primary: #2d5a3d');
    await page.getByRole('button', { name: 'Save branding' }).click();
    await page.getByText('Branding saved').waitFor();
    await check(page, '09-settings-branding');
    await page.getByRole('tab', { name: 'Domains' }).click();
    await page.locator('#hostname').fill('shop.marigold.example');
    await page.getByRole('button', { name: 'Add domain' }).click();
    await page.getByText('_village-verification', { exact: false }).waitFor();
    await check(page, '10-settings-domains');
    await page.getByRole('tab', { name: 'Staff and roles' }).click();
    await page.getByRole('table', { name: 'Staff' }).waitFor();
    await check(page, '11-settings-staff');
    await page.getByRole('tab', { name: 'API clients' }).click();
    await page.getByLabel('Name').fill('Inventory sync');
    await page.getByRole('button', { name: 'Create client' }).click();
    await page.getByText('it is shown only once').waitFor();
    expect(await page.locator('[data-secret]').textContent()).toMatch(/\S{20,}/);
    await check(page, '12-settings-api-clients');
    await page.close();
  });

  it('finds an order, fulfils part of it, refunds one unit and prints its packing slip', async () => {
    const page = await newPage();
    await signIn(page);
    await page.getByRole('link', { name: 'Orders', exact: true }).click();
    await page.getByText('No orders match.').waitFor();
    await check(page, '14-orders-empty');

    const scarf = await seedProduct(t.platform.db, store.id, { price: 3500, stock: 5, title: 'Merino Scarf' });
    const mug = await seedProduct(t.platform.db, store.id, { price: 1800, stock: 5, title: 'Stoneware Mug' });
    const buyer = await new Shopper(t.app, `${store.subdomain}.localhost`).start();
    await buyer.add(scarf.variantId, 2);
    await buyer.add(mug.variantId, 1);
    const placed = await buyer.commit({ email: 'june@example.test' });
    expect(placed.statusCode, placed.body).toBe(201);
    const number = placed.json().order_number as number;

    await page.getByRole('link', { name: 'Dashboard' }).click();
    const tile = page.getByRole('link', { name: /orders to fulfil/ });
    expect(await tile.textContent()).toBe('1orders to fulfil');
    await check(page, '15-dashboard-orders');
    await tile.click();
    await page.getByRole('link', { name: `#${number}` }).waitFor();
    await page.getByLabel('Search orders').fill('june@example.test');
    await page.keyboard.press('Enter');
    const row = page.getByRole('table', { name: 'Orders' }).getByRole('row').filter({ hasText: 'june@example.test' });
    await row.waitFor();
    expect(await row.textContent()).toContain('Paid, to fulfil');
    await check(page, '16-orders-list');
    await page.getByRole('link', { name: `#${number}` }).click();
    await page.getByRole('heading', { name: `Order #${number}` }).waitFor();
    await check(page, '17-order-detail');

    // More units than are left: the server's refusal appears beside that line's quantity.
    await page.getByRole('button', { name: 'Fulfil items' }).click();
    const scarfQuantity = page.getByLabel('Merino Scarf (2 to fulfil)');
    await scarfQuantity.fill('3');
    await page.getByRole('button', { name: 'Mark as fulfilled' }).click();
    await page.getByText('This line has 2 units left to fulfil.').waitFor();
    await check(page, '18-order-fulfil-refused');
    await scarfQuantity.fill('1');
    await page.getByLabel('Stoneware Mug (1 to fulfil)').fill('0');
    await page.getByRole('button', { name: 'Mark as fulfilled' }).click();
    await page.getByText('Fulfilment recorded').waitFor();
    await page.locator('.p-tag').filter({ hasText: 'Partly fulfilled' }).waitFor();

    await page.getByRole('button', { name: 'Refund' }).click();
    await page.getByLabel(/^Stoneware Mug \(1 refundable/).fill('1');
    await page.getByRole('button', { name: /^Refund \$/ }).click();
    await page.locator('#refund-reason-error').waitFor();
    expect(await page.locator('#refund-reason-error').textContent()).toBe('This field is required.');
    await check(page, '19-order-refund-reason');
    await page.getByLabel('Reason').fill('Arrived chipped');
    await page.getByRole('button', { name: /^Refund \$/ }).click();
    await page.getByText('Refund issued').waitFor();
    await page.locator('.p-tag').filter({ hasText: 'Partly refunded' }).waitFor();
    const items = await page.getByRole('table', { name: 'Items' }).textContent();
    expect(items).toMatch(/Merino Scarf.*\$35\.002\s*1\s*0/s);
    expect(await page.getByRole('region', { name: 'Totals' }).or(page.locator('dl.totals')).textContent()).toContain('Refunded');
    await page.locator('.p-toast-message').waitFor({ state: 'detached', timeout: 10_000 });
    await check(page, '20-order-refunded');
    await page.emulateMedia({ media: 'print' });
    await page.getByRole('region', { name: 'Packing slip' }).waitFor();
    await page.screenshot({ path: new URL('21-packing-slip.png', ARTIFACTS).pathname, fullPage: true });
    await page.emulateMedia({ media: 'screen' });

    await page.getByRole('link', { name: '← All orders' }).click();
    await page.getByLabel('Search orders').fill(String(number));
    await page.keyboard.press('Enter');
    await row.filter({ hasText: 'Partly refunded' }).waitFor();
    await page.close();
  });

  it('shows the impersonation banner with its reason, and ends the impersonation', async () => {
    const operator = await platformSession(t.platform);
    const grant = await t.app.inject({
      method: 'POST',
      url: '/admin/platform/impersonations',
      headers: { host: PLATFORM_HOST, ...operator.headers },
      payload: { store_id: store.id, user_id: owner.userId, reason_code: 'customer_support', ticket: 'SUP-1042' },
    });
    expect(grant.statusCode).toBe(201);
    const token = grant.json().access_token as string;
    const page = await newPage();
    await page.goto(`${origin}/admin/#impersonation=${token}`);
    const banner = page.getByRole('alert').filter({ hasText: 'You are acting as this store' });
    await banner.waitFor();
    expect(await banner.textContent()).toContain('customer_support');
    expect(await banner.textContent()).toContain('SUP-1042');
    expect(page.url()).not.toContain(token);
    await check(page, '13-impersonation');
    await page.getByRole('button', { name: 'End impersonation' }).click();
    await page.getByText('The impersonation has ended').waitFor();
    const after = await t.app.inject({ url: '/auth/me', headers: { host: `${store.subdomain}.localhost`, authorization: `Bearer ${token}` } });
    expect(after.statusCode).toBe(401);
    await page.close();
    expect(scriptErrors).toEqual([]);
    // Closing a page hides it, which flushes its telemetry batch (sendBeacon) into the metrics.
    await expect
      .poll(async () => (await scrapeMetrics()).match(/admin_spa_navigation_latency_seconds_count\{route="products"\} (\d+)/)?.[1], { timeout: 10_000 })
      .toMatch(/^[1-9]/);
    expect(await scrapeMetrics()).toMatch(/admin_spa_web_vital_count\{vital="TTFB"\} [1-9]/);
  });
});
