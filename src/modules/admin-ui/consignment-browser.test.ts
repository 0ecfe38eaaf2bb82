import { randomUUID } from 'node:crypto';
import { mkdir } from 'node:fs/promises';
import { type Browser, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { screenshotAtRest, seriousViolations } from '../../../test/support/accessibility.ts';
import { staffSession } from '../../../test/support/auth.ts';
import { CHROMIUM_ARGS, chromiumPath } from '../../../test/support/os-tools.ts';
import { makeTenant, startTestApp, type TestApp } from '../../../test/support/platform.ts';
import { consignment } from '../consignment/index.ts';
import type { Tenant } from '../tenancy/service.ts';

const ARTIFACTS = new URL('../../../test-results/admin/', import.meta.url);

/** The back office's consignment money screens in headless Chromium: a payout run approved with a ticket, and statements. */
describe('admin consignment screens in a browser', () => {
  let t: TestApp;
  let browser: Browser;
  let store: Tenant;
  let origin: string;
  let owner: { email: string; password: string };
  let approver: { email: string; password: string };
  let consignorId: string;
  const scriptErrors: string[] = [];

  beforeAll(async () => {
    t = await startTestApp();
    store = await makeTenant(t.platform.db, 'Marigold Consignment');
    owner = await staffSession(t.platform, store.id, 'owner');
    approver = await staffSession(t.platform, store.id, 'admin');
    // A consignor paid by check, with a sale whose return window has passed (payable now).
    consignorId = await t.platform.db.withTenant(store.id, async (trx) => {
      const consignor = await consignment.createConsignor(trx, store.id, { display_name: 'Rose Consignor', email: `rose-${randomUUID().slice(0, 6)}@example.test`, payout_method: 'check' });
      const line = randomUUID();
      await trx
        .insertInto('consignment_ledger_entries')
        .values({
          tenant_id: store.id,
          consignor_id: consignor.id,
          kind: 'sale_credit',
          amount_minor: 12_000,
          currency: 'USD',
          posting_key: `sale:${line}`,
          available_at: new Date(Date.now() - 86_400_000),
          order_id: randomUUID(),
          order_line_id: line,
          description: 'Order #1001: Wool coat',
        })
        .execute();
      return consignor.id;
    });
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
    // screenshotAtRest adds an inline style, which the page's policy rightly refuses.
    const page = await browser.newPage({ viewport: { width: 1280, height: 860 }, bypassCSP: true });
    page.setDefaultTimeout(8_000);
    page.on('pageerror', (error) => scriptErrors.push(error.message));
    return page;
  };

  const check = async (page: Page, name: string) => {
    await page.waitForFunction(`!document.querySelector('[role="status"] .p-progressspinner')`, undefined, { timeout: 10_000 });
    await screenshotAtRest(page, new URL(`${name}.png`, ARTIFACTS).pathname);
    expect(await seriousViolations(page), name).toEqual([]);
  };

  const signIn = async (page: Page, who = owner) => {
    await page.goto(`${origin}/admin/`);
    await page.waitForURL(/\/admin\/sign-in/);
    await page.getByLabel('Email').fill(who.email);
    await page.locator('#password').fill(who.password);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.waitForURL(`${origin}/admin/`);
  };

  it('proposes a payout run and approves it only with a ticket number', async () => {
    const page = await newPage();
    await signIn(page);
    await page.getByRole('link', { name: 'Payouts' }).click();
    await page.getByText('No payout runs yet.').waitFor();
    await check(page, 'consignment-01-payouts-empty');

    await page.getByRole('button', { name: 'Propose a payout run' }).click();
    await page.getByRole('heading', { name: /^Payout run / }).waitFor();
    await page.getByRole('cell', { name: 'Rose Consignor' }).waitFor();
    expect(await page.getByRole('table', { name: 'Payouts of this run' }).textContent()).toContain('$120.00');

    await page.getByRole('button', { name: 'Approve and pay out' }).click();
    expect(await page.locator('#ticket-error').textContent()).toBe('Enter the ticket number that authorises this decision.');
    await check(page, 'consignment-02-payout-run-needs-ticket');

    // Four eyes: the person who proposed the run may not approve it.
    await page.getByLabel('Ticket number').fill('FIN-1042');
    await page.getByRole('button', { name: 'Approve and pay out' }).click();
    await page.getByText('approved by someone other than the person who proposed it').waitFor();
    const runUrl = page.url();
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.waitForURL(/\/admin\/sign-in/);
    await signIn(page, approver);
    await page.goto(runUrl);
    await page.getByLabel('Ticket number').fill('FIN-1042');
    await page.getByLabel('Note (optional)').fill('Monthly payout');
    await page.keyboard.press('Tab');
    await page.getByRole('button', { name: 'Approve and pay out' }).press('Enter');
    await page.getByText('under ticket FIN-1042').waitFor();
    // The approver by name, not by user id.
    expect(await page.locator('.approvals li').textContent()).toMatch(/^Approved by Test admin on .+ under ticket FIN-1042: “Monthly payout”$/);
    await check(page, 'consignment-03-payout-run-approved');
    expect(await page.getByRole('button', { name: 'Approve and pay out' }).count()).toBe(0);

    await page.getByRole('link', { name: '← All payout runs' }).click();
    await page.getByRole('table', { name: 'Payout runs' }).waitFor();
    expect(await page.getByRole('table', { name: 'Payout runs' }).textContent()).toContain('$120.00');
    await check(page, 'consignment-04-payout-runs');
    await page.close();
  });

  it('lists statements, writes a month, and downloads one', async () => {
    const page = await newPage();
    await signIn(page);
    await page.getByRole('link', { name: 'Statements' }).click();
    await page.getByText('No statements yet.').waitFor();
    await check(page, 'consignment-05-statements-empty');

    const month = new Date().toISOString().slice(0, 7);
    await page.getByLabel('Month').fill(month);
    await page.getByRole('button', { name: 'Write statements' }).click();
    await page.getByText(/statements? written and e-mailed/).waitFor();
    const table = page.getByRole('table', { name: 'Statements' });
    await table.waitFor();
    expect(await table.textContent()).toContain('Rose Consignor');
    await check(page, 'consignment-06-statements');

    const download = page.waitForEvent('download');
    await page.getByRole('button', { name: /as CSV$/ }).click();
    const file = await download;
    expect(file.suggestedFilename()).toBe(`statement-${month}-${consignorId.slice(0, 8)}.csv`);
    expect(scriptErrors).toEqual([]);
    await page.close();
  });
});
