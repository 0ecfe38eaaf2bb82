import { mkdir } from 'node:fs/promises';
import { type Browser, chromium, type Page } from 'playwright-core';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { screenshotAtRest, seriousViolations } from '../../../test/support/accessibility.ts';
import { staffSession, storeHost } from '../../../test/support/auth.ts';
import { scratchObjectDir } from '../../../test/support/media.ts';
import { CHROMIUM_ARGS, chromiumPath } from '../../../test/support/os-tools.ts';
import { makeTenant, startTestApp, type TestApp } from '../../../test/support/platform.ts';
import type { Tenant } from '../tenancy/service.ts';

const ARTIFACTS = new URL('../../../test-results/admin/', import.meta.url);

/** The images of these tests: a coloured PNG with a word on it, small and quick to process. */
const png = (word: string, colour: string) =>
  sharp(Buffer.from(`<svg xmlns="http://www.w3.org/2000/svg" width="800" height="600"><rect width="800" height="600" fill="${colour}"/><text x="400" y="330" font-size="120" text-anchor="middle" fill="#fff" font-family="sans-serif">${word}</text></svg>`))
    .png()
    .toBuffer();

/** A merchant adds photos to a product in the back office; the storefront shows them in the chosen order. */
describe('product media in a browser', () => {
  let t: TestApp;
  let browser: Browser;
  let store: Tenant;
  let origin: string;
  let owner: { email: string; password: string; headers: Record<string, string> };
  let productId: string;
  const scriptErrors: string[] = [];

  const mediaOfProduct = async () =>
    (await t.platform.db.withTenant(store.id, (trx) => trx.selectFrom('products').select('media').where('id', '=', productId).executeTakeFirstOrThrow())).media as { asset_id: string; alt: string }[];

  beforeAll(async () => {
    t = await startTestApp({ STORAGE_LOCAL_DIR: scratchObjectDir() });
    store = await makeTenant(t.platform.db, 'Thistle Knitwear');
    owner = await staffSession(t.platform, store.id, 'owner');
    const headers = { host: storeHost(store), ...owner.headers };
    const created = await t.app.inject({ method: 'POST', url: '/admin/api/v1/products', headers, payload: { handle: 'wool-scarf', title: 'Wool Scarf', variants: [{ sku: 'WS-1', price_minor: 3500, currency: 'USD' }] } });
    expect(created.statusCode, created.body).toBe(201);
    productId = created.json().id;
    expect((await t.app.inject({ method: 'POST', url: `/admin/api/v1/products/${productId}/publish`, headers, payload: {} })).statusCode).toBe(200);
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
    page.setDefaultTimeout(8_000);
    page.on('pageerror', (error) => scriptErrors.push(error.message));
    return page;
  };
  const check = async (page: Page, name: string) => {
    await page.waitForFunction(`!document.querySelector('[role="status"]')`, undefined, { timeout: 10_000 });
    await screenshotAtRest(page, new URL(`${name}.png`, ARTIFACTS).pathname);
    expect(await seriousViolations(page), name).toEqual([]);
  };

  it('uploads two images through the pipeline, shows them processing, attaches, describes, reorders and removes them, and the storefront shows the result', async () => {
    const page = await newPage();
    await page.goto(`${origin}/admin/products/${productId}`);
    await page.waitForURL(/\/admin\/sign-in/);
    await page.getByLabel('Email').fill(owner.email);
    await page.locator('#password').fill(owner.password);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('heading', { name: 'Wool Scarf' }).waitFor();
    await page.getByText('No images yet.').waitFor();
    await check(page, 'pm-01-no-media');

    const picker = page.locator('input[type="file"]');
    // A file the pipeline does not take is refused before any byte moves.
    await picker.setInputFiles({ name: 'notes.txt', mimeType: 'text/plain', buffer: Buffer.from('not an image') });
    await page.getByText('notes.txt: only JPEG, PNG, WebP, AVIF and GIF images').waitFor();
    await page.getByRole('button', { name: 'Dismiss notes.txt' }).click();

    await picker.setInputFiles({ name: 'front.png', mimeType: 'image/png', buffer: await png('Front', '#a23b2a') });
    const uploads = page.getByRole('list', { name: 'Uploads' });
    await uploads.getByText('Processing').waitFor();
    await check(page, 'pm-02-processing');
    const images = page.getByRole('list', { name: 'Product images' }).getByRole('listitem');
    await expect.poll(() => images.count(), { timeout: 30_000 }).toBe(1);
    await picker.setInputFiles({ name: 'back.png', mimeType: 'image/png', buffer: await png('Back', '#1f3a5f') });
    await expect.poll(() => images.count(), { timeout: 30_000 }).toBe(2);
    await uploads.waitFor({ state: 'detached' });
    const [front, back] = (await mediaOfProduct()).map((medium) => medium.asset_id);

    await page.getByLabel('Description of image 1').fill('Red wool scarf, folded');
    await page.keyboard.press('Tab');
    await expect.poll(async () => (await mediaOfProduct())[0]?.alt).toBe('Red wool scarf, folded');
    await page.getByLabel('Description of image 2').fill('Blue wool scarf');
    await page.keyboard.press('Enter');
    await expect.poll(async () => (await mediaOfProduct())[1]?.alt).toBe('Blue wool scarf');
    // Keyboard: the blue one becomes the main image.
    await page.getByRole('button', { name: 'Move up (image 2)' }).focus();
    await page.keyboard.press('Enter');
    await expect.poll(async () => (await mediaOfProduct()).map((medium) => medium.asset_id)).toEqual([back, front]);
    await expect.poll(() => page.getByLabel('Description of image 1').inputValue()).toBe('Blue wool scarf');
    await page.locator('img[alt="Blue wool scarf"]').evaluate((image: { decode(): Promise<void> }) => image.decode());
    await check(page, 'pm-03-attached');

    const shop = await newPage();
    await shop.goto(`${origin}/products/wool-scarf`);
    const pictures = shop.locator('.product-media picture img');
    expect(await pictures.evaluateAll((nodes) => nodes.map((node) => node.getAttribute('alt')))).toEqual(['Blue wool scarf', 'Red wool scarf, folded']);
    await pictures.first().evaluate((image: { decode(): Promise<void> }) => image.decode());
    expect(await pictures.first().evaluate((image: { naturalWidth: number }) => image.naturalWidth)).toBeGreaterThan(0);
    await check(shop, 'pm-04-storefront');

    await page.getByRole('button', { name: 'Remove image 2' }).click();
    await expect.poll(async () => (await mediaOfProduct()).map((medium) => medium.asset_id)).toEqual([back]);
    await expect.poll(async () => {
      await shop.reload();
      return shop.locator('.product-media picture img').count();
    }).toBe(1);
    await page.close();
    await shop.close();
    expect(scriptErrors).toEqual([]);
  });
});
