import { mkdir } from 'node:fs/promises';
import { sql } from 'kysely';
import { type Browser, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { screenshotAtRest, seriousViolations } from '../../../test/support/accessibility.ts';
import { PLATFORM_HOST, type PlatformTestSession, platformSession, staffSession, storeHost, totpCode } from '../../../test/support/auth.ts';
import { ownerQuery, waitFor } from '../../../test/support/jobs.ts';
import { CHROMIUM_ARGS, chromiumPath } from '../../../test/support/os-tools.ts';
import { makeTenant, startTestApp, type TestApp } from '../../../test/support/platform.ts';
import { jobTableCleanup } from '../../platform/jobs/cleanup.ts';
import { traceStoreRetention } from '../../platform/observability/trace-store/retention.ts';
import type { Tenant } from '../tenancy/service.ts';

const ARTIFACTS = new URL('../../../test-results/console/', import.meta.url);

/** The platform console's main paths in a real headless Chromium, with a screenshot and an axe check per screen. */
describe('platform console in a browser', () => {
  let t: TestApp;
  let browser: Browser;
  let operator: PlatformTestSession;
  let store: Tenant;
  let port: number;
  let origin: string;
  const scriptErrors: string[] = [];

  beforeAll(async () => {
    // The trace store keeps failed and slow requests only (ratio 0), written every 50 ms.
    t = await startTestApp(
      { TRACE_STORE: 'on', TRACE_STORE_SAMPLE_RATIO: '0', TRACE_STORE_FLUSH_MS: '50', PROMETHEUS_URL: 'http://prometheus.test:9090/' },
      {
        routes(app, platform) {
          app.get('/test/console/boom', async () => {
            await platform.jobs.enqueue(traceStoreRetention, { retention_hours: 24 });
            await sql`select 1 as console_probe`.execute(platform.db.kysely);
            throw new Error('gift card ledger out of balance');
          });
        },
      },
    );
    operator = await platformSession(t.platform);
    store = await makeTenant(t.platform.db, 'Juniper Goods');
    const address = await t.app.listen({ host: '127.0.0.1', port: 0 });
    port = Number(new URL(address).port);
    origin = `http://localhost:${port}`;
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
    await page.waitForFunction(`!document.querySelector('[role="status"]')`, undefined, { timeout: 10_000 });
    await screenshotAtRest(page, new URL(`${name}.png`, ARTIFACTS).pathname);
    expect(await seriousViolations(page), name).toEqual([]);
  };

  /** Password, then a recovery code in place of the authenticator's code (each works once). */
  const signIn = async (page: Page, path = '/admin/platform/') => {
    await page.goto(`${origin}${path}`);
    await page.waitForURL(/\/admin\/platform\/sign-in/);
    await page.getByLabel('Email').fill(operator.email);
    await page.locator('#password').fill(operator.password);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByLabel('One-time code').fill(operator.recoveryCodes.shift()!);
    await page.getByRole('button', { name: 'Verify and sign in' }).click();
    await page.waitForURL((url) => !url.pathname.endsWith('/sign-in'));
  };

  it('signs a super-user in with password and second factor, and shows the dashboard widgets', async () => {
    const page = await newPage();
    await page.goto(`${origin}/admin/platform/fleet`);
    await page.waitForURL(/\/admin\/platform\/sign-in\?next=/);
    await page.getByLabel('Email').fill(operator.email);
    await page.locator('#password').fill('not-the-password');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByText('That email and password do not match a platform super-user.').waitFor();
    await check(page, '01-sign-in-refused');
    await page.locator('#password').fill(operator.password);
    await page.keyboard.press('Enter');
    await page.getByLabel('One-time code').fill('000000');
    await page.getByRole('button', { name: 'Verify and sign in' }).click();
    await page.getByText('That code is wrong or was already used.').waitFor();
    await check(page, '02-sign-in-second-factor');
    await page.getByLabel('One-time code').fill(operator.recoveryCodes.shift()!);
    await page.keyboard.press('Enter');
    await page.waitForURL(`${origin}/admin/platform/fleet`);
    await page.getByRole('link', { name: 'Dashboard' }).click();
    await page.getByRole('heading', { name: 'Queue depth by priority' }).waitFor();
    await page.getByText(/Data as of/).first().waitFor();
    // The generated rules, evaluated in this process: a young process misses some SLIs, which its rules report.
    const alerts = page.getByRole('region', { name: 'Active alerts' });
    await alerts.getByText(/Data as of .* every 30 s/).waitFor();
    await alerts.getByRole('listitem').first().waitFor();
    const shown = await alerts.getByRole('listitem').count();
    await alerts.getByText(`${shown} active · from the alert rules evaluated in this process`).waitFor();
    expect(await alerts.getByRole('link', { name: /^Runbook for / }).count()).toBe(shown);
    await check(page, '03-dashboard');
    expect(await page.evaluate('localStorage.length')).toBe(1);
    await page.close();
  });

  it('makes a super-user without a second factor enrol one before any screen', async () => {
    const newcomer = await platformSession(t.platform, { secondFactor: false });
    const page = await newPage();
    await page.goto(`${origin}/admin/platform/sign-in`);
    await page.getByLabel('Email').fill(newcomer.email);
    await page.locator('#password').fill(newcomer.password);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.waitForURL(/\/admin\/platform\/second-factor/);
    const secret = (await page.locator('[data-secret]').textContent())!.trim();
    await check(page, '04-enrol-second-factor');
    await page.getByLabel('Code from the app').fill(totpCode(secret));
    await page.getByRole('button', { name: 'Confirm second factor' }).click();
    await page.getByRole('list', { name: 'Recovery codes' }).waitFor();
    expect(await page.getByRole('list', { name: 'Recovery codes' }).getByRole('listitem').count()).toBe(10);
    await check(page, '05-recovery-codes');
    await page.getByRole('button', { name: 'I have stored them, continue' }).click();
    await page.getByRole('heading', { name: 'Dashboard' }).waitFor();
    await page.close();
  });

  it('onboards a store: a reserved subdomain is refused beside its field, then the store is created and listed', async () => {
    const page = await newPage();
    await signIn(page, '/admin/platform/fleet');
    await page.getByRole('table', { name: 'Stores' }).waitFor();
    await page.locator('#store-search').fill('zz-no-such-store');
    await page.getByRole('button', { name: 'Search' }).click();
    await page.getByText('No stores match.').waitFor();
    await check(page, '06-stores-empty');
    await page.getByRole('main').getByRole('link', { name: 'Onboard a store' }).click();
    await page.getByLabel('Store name').fill('Admin');
    expect(await page.getByLabel('Subdomain').inputValue()).toBe('admin');
    await page.getByLabel("Owner's name").fill('Fern Fielding');
    await page.getByLabel("Owner's e-mail").fill('not-an-address');
    await page.getByLabel('Reason').fill('Signed the merchant agreement');
    await page.getByRole('button', { name: 'Create store' }).click();
    await page.locator('#owner-email-error').waitFor();
    const ownerEmail = `fern-${Date.now().toString(36)}@example.test`;
    await page.getByLabel("Owner's e-mail").fill(ownerEmail);
    await page.getByRole('button', { name: 'Create store' }).click();
    await page.locator('#subdomain-error').waitFor();
    await check(page, '07-onboard-refused');
    const subdomain = `fern-${Date.now().toString(36)}`;
    await page.getByLabel('Store name').fill('Fern & Field');
    await page.getByLabel('Subdomain').fill(subdomain);
    await page.locator('#plan').click();
    await page.getByRole('option', { name: 'Growth' }).click();
    await page.getByLabel('Ticket (optional)').fill('ONB-42');
    await page.getByRole('button', { name: 'Create store' }).click();
    await page.waitForURL(/\/admin\/platform\/fleet\/[0-9a-f-]{36}$/);
    await page.getByRole('heading', { name: 'Fern & Field' }).waitFor();
    await page.getByText('Signed the merchant agreement').waitFor();
    await check(page, '08-store-detail-new');
    await page.getByRole('button', { name: 'Send a new owner invitation' }).click();
    await page.locator('#invite-reason').fill('The owner cannot find the first mail');
    await page.getByRole('button', { name: 'Send invitation' }).click();
    await page.getByText(`A new set-password link went to ${ownerEmail}`).waitFor();
    const rows = await ownerQuery<{ plan: string; command: string; ticket: string | null }>(
      `select t.plan, c.command, c.ticket from tenants t join platform_commands c on c.tenant_id = t.id where t.subdomain = $1 order by c.at`,
      [subdomain],
    );
    expect(rows).toEqual([
      { plan: 'growth', command: 'tenant.create', ticket: 'ONB-42' },
      { plan: 'growth', command: 'tenant.owner.invite', ticket: null },
    ]);
    const invitations = await ownerQuery<{ subject: string; body_text: string }>('select subject, body_text from mail_outbox where to_address = $1', [ownerEmail]);
    expect(invitations.map((mail) => mail.subject)).toEqual(['Your store Fern & Field is ready', 'Your store Fern & Field is ready']);
    for (const mail of invitations) expect(mail.body_text).toContain(`http://${subdomain}.localhost:${port}/admin/welcome/`);
    await page.getByRole('link', { name: 'Stores', exact: true }).click();
    await page.locator('#store-search').fill(subdomain);
    await page.getByRole('button', { name: 'Search' }).click();
    await page.getByRole('link', { name: 'Fern & Field' }).waitFor();
    // Nobody visited the new store: the trace store counts no request for it in the last hour.
    expect(await page.getByRole('row', { name: /Fern & Field/ }).getByRole('cell').nth(4).textContent()).toBe('0');
    await check(page, '09-stores-found');
    await page.close();
  });

  it('suspends a store with a reason and ticket and its storefront answers 503; resuming brings it back', async () => {
    const page = await newPage();
    await signIn(page, `/admin/platform/fleet/${store.id}`);
    await page.getByRole('heading', { name: 'Juniper Goods' }).waitFor();
    await page.getByRole('button', { name: 'Suspend store' }).click();
    await page.getByRole('button', { name: 'Suspend store' }).click();
    await page.getByText('A reason is required').waitFor();
    await page.getByLabel('Reason').fill('Chargeback pattern under review');
    await page.getByLabel('Ticket (optional)').fill('RISK-77');
    await page.getByRole('button', { name: 'Suspend store' }).click();
    await page.getByText('Suspended: the storefront answers 503').waitFor();
    await page.getByText('Paused while the store is suspended.').waitFor();
    await check(page, '10-store-suspended');

    const shop = await newPage();
    const storefront = `http://${store.subdomain}.localhost:${port}/`;
    expect((await shop.goto(storefront))!.status()).toBe(503);
    await shop.screenshot({ path: new URL('11-storefront-suspended.png', ARTIFACTS).pathname });

    await page.getByRole('button', { name: 'Resume store' }).click();
    await page.getByLabel('Reason').fill('Review closed, no fraud');
    await page.getByRole('button', { name: 'Resume store' }).click();
    await page.getByText('Review closed, no fraud').waitFor();
    expect(await page.getByText('Suspended: the storefront answers 503').count()).toBe(0);
    expect((await shop.goto(storefront))!.status()).toBe(200);
    await shop.close();
    await page.close();
  });

  it('impersonates a staff member with a reason code, ends it, and lists what the session did', async () => {
    const member = await staffSession(t.platform, store.id, 'manager');
    const page = await newPage();
    await signIn(page, `/admin/platform/fleet/${store.id}`);
    await page.getByRole('link', { name: 'Act as staff…' }).click();
    await page.getByText('Juniper Goods').first().waitFor();
    await page.locator('#user').click();
    await page.getByRole('option', { name: new RegExp(member.email) }).click();
    await page.getByRole('button', { name: 'Start impersonation' }).click();
    await page.locator('#reason_code-error').waitFor();
    await check(page, '12-impersonation-reason-required');
    await page.locator('#reason_code').click();
    await page.getByRole('option', { name: 'Customer support' }).click();
    await page.getByLabel('Ticket (optional)').fill('SUP-9');
    await page.getByRole('button', { name: 'Start impersonation' }).click();
    await page.getByRole('heading', { name: /Acting as Test manager/ }).waitFor();

    const [backOffice] = await Promise.all([page.waitForEvent('popup'), page.getByRole('link', { name: /Open the back office/ }).click()]);
    await backOffice.getByText('You are acting as this store').waitFor();
    await backOffice.close();
    await page.getByRole('button', { name: 'Refresh commands' }).click();
    await page.getByRole('table', { name: 'Commands of this impersonation' }).getByText('/admin/bootstrap').first().waitFor();
    await check(page, '13-impersonation-active');

    await page.getByRole('button', { name: 'End impersonation' }).click();
    await page.getByRole('heading', { name: 'Impersonation ended' }).waitFor();
    await page.getByRole('table', { name: 'Commands of this impersonation' }).getByText('ended').waitFor();
    await check(page, '14-impersonation-ended');
    await page.getByRole('link', { name: 'Impersonation audit' }).click();
    await page.getByRole('table', { name: 'Impersonation audit' }).waitFor();
    await check(page, '15-impersonation-audit');
    await page.getByRole('link', { name: 'Platform commands' }).click();
    await page.getByRole('table', { name: 'Platform commands' }).getByText('Chargeback pattern under review').waitFor();
    await check(page, '16-command-audit');
    await page.close();
  });

  it('finds a failed request by its ID: spans with its enqueued job, log lines, SQL, error group; a renewal an hour after the code steps up first', async () => {
    const requestId = `console-boom-${Date.now().toString(36)}`;
    expect((await t.app.inject({ url: '/test/console/boom', headers: { host: storeHost(store), 'x-request-id': requestId } })).statusCode).toBe(500);
    await waitFor(async () => {
      const found = await t.app.inject({ url: `/admin/platform/requests/${requestId}`, headers: { host: PLATFORM_HOST, ...operator.headers } });
      return found.statusCode === 200 && found.json().jobs.length > 0 ? true : undefined;
    }, 'the failed request and its job in the trace store');

    const page = await newPage();
    await signIn(page, '/admin/platform/search');
    await page.getByText('Failed and slow requests are always kept').waitFor();
    await page.getByLabel('Request ID').fill('not a valid id');
    await page.getByRole('button', { name: 'Find', exact: true }).click();
    await page.locator('#request-id-error').waitFor();
    await page.getByLabel('Request ID').fill(`X-Request-ID: ${requestId}`);
    await page.getByRole('button', { name: 'Find', exact: true }).click();
    await page.waitForURL(new RegExp(`request_id=${requestId}`));
    await page.getByRole('heading', { name: /^Spans/ }).waitFor();
    await page.getByRole('region', { name: 'Request · GET /test/console/boom' }).waitFor();
    await page.getByRole('region', { name: /Job · trace-store.retention/ }).waitFor();
    await page.getByRole('cell', { name: 'unhandled error' }).waitFor();
    await page.getByRole('region', { name: /SQL statements/ }).getByText('select 1 as console_probe').first().waitFor();
    await page.getByRole('region', { name: 'Error group' }).getByText('gift card ledger out of balance').waitFor();
    expect(await page.getByRole('link', { name: 'Prometheus ↗' }).getAttribute('href')).toContain(encodeURIComponent(store.id));
    await page.getByRole('region', { name: 'Request · GET /test/console/boom' }).locator('summary').first().click();
    await check(page, '19-request-found');

    // A reload renews the token from the refresh token, which keeps the second factor for an hour after the code.
    await page.reload();
    await page.getByRole('heading', { name: /^Spans/ }).waitFor();
    // An hour later a renewal carries the password only, so the data waits for a step-up.
    await ownerQuery(`update refresh_tokens set second_factor_at = now() - interval '61 minutes' where subject_kind = 'platform' and subject_id = $1`, [operator.userId]);
    await page.reload();
    await page.getByText('Verify your second factor (above) to search requests.').waitFor();
    await check(page, '20-step-up-needed');
    await page.getByLabel('One-time code').fill(operator.recoveryCodes.shift()!);
    await page.getByRole('button', { name: 'Verify', exact: true }).click();
    await page.getByRole('heading', { name: /^Spans/ }).waitFor();

    await page.getByRole('link', { name: 'Dashboard' }).click();
    await page.getByRole('table', { name: 'Recent failed or slow requests' }).getByRole('link', { name: 'GET /test/console/boom' }).first().waitFor();
    await page.getByRole('table', { name: 'Error rate by store and time' }).waitFor();
    await check(page, '21-dashboard-with-data');
    await page.getByRole('table', { name: 'Error rate by store and time' }).getByRole('link', { name: store.subdomain }).click();
    await page.getByRole('heading', { name: 'Drill-down: the last hour' }).waitFor();
    await page.getByRole('table', { name: 'Recent traces of this store' }).waitFor();
    await check(page, '22-store-drilldown');
    await page.close();
  });

  it('inspects a dead job and requeues it', async () => {
    const jobId = String(8_000_000_000 + Math.floor(Math.random() * 1e6));
    await t.platform.jobs.deadJobs.record(
      {
        job_id: jobId,
        task: jobTableCleanup.name,
        priority: 'LOW',
        payload_version: 1,
        payload: { v: 1, tenant_id: store.id, origin: { correlationId: 'req-dead-1' }, data: { retention_days: 30 } },
        tenant_id: store.id,
        correlation_id: 'req-dead-1',
        reason: 'exhausted',
        attempts: 3,
        max_attempts: 3,
        last_error: 'Error: connection reset by peer',
      },
      new Date(),
    );
    const page = await newPage();
    await signIn(page, `/admin/platform/dead-jobs?tenant_id=${store.id}`);
    await page.getByRole('table', { name: 'Dead jobs' }).waitFor();
    await page.getByRole('button', { name: new RegExp(`Inspect dead job .*${jobTableCleanup.name}`) }).first().click();
    await page.getByRole('heading', { name: new RegExp(jobTableCleanup.name) }).waitFor();
    await page.getByText('"retention_days": 30').waitFor();
    await check(page, '17-dead-job');
    await page.getByRole('button', { name: 'Requeue' }).click();
    await page.getByText(/runs again as job/).waitFor();
    await page.getByText('No dead jobs.').waitFor();
    await check(page, '18-dead-jobs-empty');
    expect(await ownerQuery('select 1 from dead_jobs where job_id = $1', [jobId])).toEqual([]);
    await page.close();
    expect(scriptErrors).toEqual([]);
  });
});
