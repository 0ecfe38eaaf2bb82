import { randomUUID } from 'node:crypto';
import { mkdir } from 'node:fs/promises';
import { type Browser, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { screenshotAtRest, seriousViolations } from '../../../test/support/accessibility.ts';
import { staffSession, storeHost, type TestSession } from '../../../test/support/auth.ts';
import { CHROMIUM_ARGS, chromiumPath } from '../../../test/support/os-tools.ts';
import { makeTenant, startTestApp, type Tenant, type TestApp } from '../../../test/support/platform.ts';
import { applyMarkdowns } from '../consignment/aging.ts';
import { invite } from './auth.ts';

const ARTIFACTS = new URL('../../../test-results/', import.meta.url);
const DAY = 86_400_000;

/** The portal's items and proposals pages in headless Chromium: statuses, days left, a markdown, and a proposal sent. */
describe('consignor portal items and proposals in a browser', () => {
  let t: TestApp;
  let browser: Browser;
  let store: Tenant;
  let origin: string;
  let manager: TestSession;

  beforeAll(async () => {
    t = await startTestApp();
    store = await makeTenant(t.platform.db, 'Marigold Resale');
    manager = await staffSession(t.platform, store.id, 'manager');
    const address = await t.app.listen({ host: '127.0.0.1', port: 0 });
    origin = address.replace('127.0.0.1', storeHost(store));
    await mkdir(ARTIFACTS, { recursive: true });
    browser = await chromium.launch({ executablePath: chromiumPath(), args: CHROMIUM_ARGS });
  });
  afterAll(async () => {
    await browser?.close();
    await t?.close();
  });

  const api = (method: 'POST' | 'PATCH', url: string, payload: object = {}) =>
    t.app.inject({ method, url: `/admin/api/v1/consignment${url}`, headers: { host: storeHost(store), ...manager.headers }, payload });

  /** The page at rest as an artefact, and no serious or critical accessibility violation. */
  const check = async (page: Page, name: string) => {
    await screenshotAtRest(page, new URL(`consignor-portal-items-${name}.png`, ARTIFACTS).pathname);
    expect(await seriousViolations(page), name).toEqual([]);
  };

  it('lists the items with status, days left and a markdown, and sends a proposal after a refused price', async () => {
    const email = `iris-${randomUUID().slice(0, 6)}@example.test`;
    const consignor = (await api('POST', '/consignors', { display_name: 'Iris Hollow', email })).json() as { id: string };
    expect((await api('PATCH', '/terms', { markdown_steps: [{ after_days: 30, percent_off: 20 }] })).statusCode).toBe(200);
    const batch = (await api('POST', '/batches', { consignor_id: consignor.id, items: ['Velvet blazer', 'Linen dress', 'Cane chair'].map((title, index) => ({ title, price_minor: 10_000 + index * 1_000, currency: 'USD' })) })).json();
    const accepted = await api('POST', `/batches/${batch.id}/accept`);
    expect(accepted.statusCode, accepted.body).toBe(200);
    const [blazer, dress, chair] = accepted.json().items as { id: string }[];
    await t.platform.db.withTenant(store.id, async (trx) => {
      // The blazer came in 31 days ago (one markdown due), the dress ends its period in two days, the chair sold.
      await trx.updateTable('consignment_items').set({ received_at: new Date(Date.now() - 31 * DAY) }).where('id', '=', blazer!.id).execute();
      await trx.updateTable('consignment_items').set({ expires_at: new Date(Date.now() + 2 * DAY - 60_000) }).where('id', '=', dress!.id).execute();
      await trx.updateTable('consignment_items').set({ status: 'sold', sold_at: new Date() }).where('id', '=', chair!.id).execute();
      expect(await applyMarkdowns(trx, store.id)).toBe(1);
      await invite(t.platform, trx, store, { id: consignor.id, email, name: 'Iris Hollow' }, origin);
    });

    const [mail] = await t.platform.mail.recent({ to: email, limit: 1 });
    const page = await browser.newPage({ viewport: { width: 1100, height: 760 }, bypassCSP: true });
    page.setDefaultTimeout(8_000);
    const scriptErrors: string[] = [];
    page.on('pageerror', (error) => scriptErrors.push(error.message));
    await page.goto(/http:\/\/\S+\/consignor\/welcome\/\S+/.exec(mail!.body_text)![0]);
    await page.getByLabel('New password').fill('irises-are-blue-9');
    await page.keyboard.press('Enter');
    await page.waitForURL(`${origin}/consignor`);
    expect(await page.locator('[data-figure="on-floor"]').textContent()).toBe('2');

    const nav = page.getByRole('navigation', { name: 'Consignor portal' });
    await nav.getByRole('link', { name: 'Items', exact: true }).focus();
    await page.keyboard.press('Enter');
    await page.waitForURL(`${origin}/consignor/items`);
    const rows = page.locator('main table tbody tr');
    const row = (title: string) => rows.filter({ hasText: title });
    expect(await rows.count()).toBe(3);
    const cells = async (title: string) => (await row(title).locator('td').allTextContents()).slice(0, 6);
    expect(await cells('Velvet blazer')).toEqual(['Velvet blazer', expect.stringMatching(/^CN-/), 'On the floor', '$80.00', '31', '90 days']);
    expect(await cells('Linen dress')).toEqual(['Linen dress', expect.stringMatching(/^CN-/), 'On the floor', '$110.00', '0', '2 days']);
    expect((await cells('Cane chair')).slice(2)).toEqual(['Sold', '$120.00', '0', '—']);
    // The markdown's history opens by keyboard.
    const summary = row('Velvet blazer').locator('summary');
    expect(await summary.textContent()).toBe('1 markdown');
    await summary.focus();
    await page.keyboard.press('Enter');
    expect(await row('Velvet blazer').locator('details li').allTextContents()).toEqual([expect.stringMatching(/^\$100\.00 · at intake · /), expect.stringMatching(/^\$80\.00 · markdown 1 · /)]);
    await check(page, '1-items');

    await nav.getByRole('link', { name: 'Propose items', exact: true }).click();
    await page.waitForURL(`${origin}/consignor/proposals`);
    expect(await page.getByText('No proposals yet.').count()).toBe(1);
    await check(page, '2-proposals-empty');
    // Each item is one row: title, price and description side by side, the keyboard going through them in that order.
    const top = async (id: string) => (await page.locator(`#${id}`).boundingBox())!.y;
    expect(new Set([await top('title_0'), await top('price_0'), await top('description_0')]).size).toBe(1);
    expect(await top('title_1')).toBeGreaterThan(await top('title_0'));
    await page.locator('#title_0').focus();
    const visited: unknown[] = [];
    for (let step = 0; step < 3; step++) {
      await page.keyboard.press('Tab');
      visited.push(await page.evaluate('document.activeElement.id'));
    }
    expect(visited).toEqual(['price_0', 'description_0', 'title_1']);
    await page.locator('#title_0').fill('Leather satchel');
    await page.locator('#price_0').fill('45,50');
    await page.locator('#title_1').fill('Wool beret');
    await page.locator('#price_1').fill('18');
    await page.getByRole('button', { name: 'Send proposal' }).click();
    await page.locator('#price_0-error').waitFor();
    expect(await page.locator('#price_0-error').textContent()).toBe('Enter a price such as 45 or 45.50.');
    expect(await page.locator('#price_0').getAttribute('aria-describedby')).toBe('price_0-error');
    // What was typed stays in the form.
    expect(await page.locator('#title_1').inputValue()).toBe('Wool beret');
    await check(page, '3-proposal-error');
    await page.locator('#price_0').fill('45.50');
    await page.locator('#price_0').press('Enter');
    await page.waitForURL(`${origin}/consignor/proposals?sent=1`);
    expect(await page.getByRole('status').textContent()).toContain('the store received your proposal');
    expect(await page.locator('main table tbody tr').allTextContents()).toEqual([expect.stringMatching(/2\$63\.50Waiting for the store$/)]);
    await check(page, '4-proposal-sent');
    expect(scriptErrors).toEqual([]);

    // The store sees the proposal waiting for review.
    const open = await t.app.inject({ method: 'GET', url: `/admin/api/v1/consignment/batches?status=open&consignor_id=${consignor.id}`, headers: { host: storeHost(store), ...manager.headers } });
    expect(open.json().items).toEqual([expect.objectContaining({ source: 'consignor', status: 'proposed', items: 2, total_minor: 6_350, consignor_name: 'Iris Hollow' })]);
  });
});
