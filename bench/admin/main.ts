/**
 * The admin app's delivery: what a first visit of /admin downloads (gzipped, counted in Chromium), the
 * bootstrap's latency (autocannon from a second process, signed in), and the route transition to the product
 * list of a store with 10,000 products, measured in Chromium from the click to the painted list (a bare click, and
 * a click after the pointer entered the link, which prefetches).
 */
import { spawn } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { Readable } from 'node:stream';
import { text } from 'node:stream/consumers';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import { createStaffUser } from '../../src/modules/identity/accounts.ts';
import { identityOf } from '../../src/modules/identity/identity.ts';
import { login } from '../../src/modules/identity/service.ts';
import { importNow } from '../../src/modules/catalog/import/service.ts';
import { loadAppBuild } from '../../src/modules/admin-ui/assets.ts';
import { createTenant, tenancy } from '../../src/modules/tenancy/service.ts';
import { loadConfig } from '../../src/platform/config/config.ts';
import { buildApp } from '../../src/platform/http/app.ts';
import { configureLogging } from '../../src/platform/observability/logger.ts';
import { modules } from '../../src/modules/index.ts';
import { startPlatform } from '../../src/platform/runtime/start.ts';
import { benchDatabase, catalogCsv } from '../support/database.ts';

const PRODUCTS = 10_000;
const TRANSITIONS = 40;
/** A quick hand: the pointer rests on a menu link about this long before the click. */
const HOVER_MS = 100;
const database = await benchDatabase();
const config = loadConfig({ APP_PROFILE: 'test', DATABASE_URL: database.url, SEED_DEMO: 'false', LOG_LEVEL: 'warn' });
configureLogging(config);
const running = await startPlatform(config, ['web'], modules);
const app = await buildApp(running.platform, running.modules);
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
});

const percentile = (values: number[], p: number) => [...values].sort((a, b) => a - b)[Math.ceil((p / 100) * values.length) - 1]!;
const round = (value: number) => Math.round(value * 100) / 100;
const summary = (series: Record<string, number[]>) =>
  Object.fromEntries(Object.entries(series).map(([name, values]) => [name, { samples: values.length, p50: round(percentile(values, 50)), p95: round(percentile(values, 95)) }]));

try {
  const { db } = running.platform;
  const tenant = await createTenant(db, { subdomain: 'bench', name: 'Bench Boutique' });
  await importNow(db, tenant.id, Readable.from(catalogCsv(PRODUCTS, 3)), 'csv');
  for (const key of ['rate_limit.burst', 'rate_limit.per_second'] as const) {
    await tenancy(running.platform).flags.setOverride({ tenantId: tenant.id, key, value: 1_000_000, reason: 'admin benchmark' });
  }
  await db.pool.query('analyze');
  const identity = identityOf(running.platform);
  const email = 'owner@bench.test';
  const password = 'bench-password-123';
  await createStaffUser(identity, tenant.id, { email, password, displayName: 'Bench Owner', role: 'owner' });
  const tokens = await login(identity, { tenantId: tenant.id, kind: 'staff', email, password }, { ip: '127.0.0.1', userAgent: 'bench' });

  // Bootstrap in-process, one request at a time (no network, no queueing): what one bootstrap costs the server.
  const sequential = async (url: string, headers: Record<string, string>) => {
    const times: number[] = [];
    for (let index = 0; index < 300; index++) {
      const started = performance.now();
      const response = await app.inject({ url, headers });
      times.push(performance.now() - started);
      if (response.statusCode !== 200) throw new Error(`${url} answered ${response.statusCode}`);
    }
    return { samples: times.length, p50: round(percentile(times, 50)), p95: round(percentile(times, 95)) };
  };
  const signedIn = { host: 'bench.localhost', authorization: `Bearer ${tokens.access_token}` };
  const inProcess = {
    bootstrap_anonymous: await sequential('/admin/bootstrap', { host: 'bench.localhost' }),
    bootstrap_signed_in: await sequential('/admin/bootstrap', signedIn),
    auth_me_signed_in: await sequential('/auth/me', signedIn),
    product_list_first_page: await sequential('/admin/api/v1/products?limit=25', signedIn),
  };

  const address = await app.listen({ host: '127.0.0.1', port: 0 });
  const port = new URL(address).port;
  const origin = `http://bench.localhost:${port}`;

  // Initial load: every response of a first visit, as transferred (gzip), cache empty.
  const context = await browser.newContext();
  const page = await context.newPage();
  const transfers: Promise<number>[] = [];
  page.on('requestfinished', (request) => transfers.push(request.sizes().then((sizes) => sizes.responseBodySize + sizes.responseHeadersSize)));
  await page.goto(`${origin}/admin/`, { waitUntil: 'networkidle' });
  await page.getByRole('heading', { name: /Sign in/ }).waitFor();
  const initialBytes = (await Promise.all(transfers)).reduce((sum, size) => sum + size, 0);
  const initialRequests = transfers.length;

  // Route transitions: dashboard → products (first page of 10,000), timed in the page from click to painted rows.
  await page.getByLabel('Email').fill(email);
  await page.locator('#password').fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByText('published products').waitFor();
  // Each transition in three phases (Resource Timing): click → list request sent (router, screen chunk, setup),
  // the request, and response → painted rows (JSON, render). Beside the wall time, the page's own main-thread
  // work (Chromium's Performance metrics): what the code costs, whatever else the machine is doing.
  const cdp = await context.newCDPSession(page);
  await cdp.send('Performance.enable');
  const WORK = ['ThreadTime', 'TaskDuration', 'RecalcStyleDuration', 'RecalcStyleCount', 'LayoutCount'] as const;
  const work = async () => {
    const { metrics } = await cdp.send('Performance.getMetrics');
    return Object.fromEntries(WORK.map((name) => [name, metrics.find((metric) => metric.name === name)?.value ?? 0])) as Record<(typeof WORK)[number], number>;
  };
  const phases = { total: [] as number[], before_request: [] as number[], request: [] as number[], after_response: [] as number[] };
  const afterHover: number[] = [];
  const mainThread = Object.fromEntries(WORK.map((name) => [name, [] as number[]])) as Record<(typeof WORK)[number], number[]>;
  if (process.env.BENCH_PROFILE) {
    await cdp.send('Profiler.enable');
    await cdp.send('Profiler.start');
  }
  for (let round = 0; round < TRANSITIONS; round++) {
    await page.getByRole('link', { name: 'Dashboard' }).click();
    await page.getByText('published products').waitFor();
    const before = await work();
    // Browser code as a string: this file is type-checked against Node's globals, not the DOM's.
    const timing = await page.evaluate<{ total: number; sent: number; received: number }>(`new Promise((resolve) => {
      performance.clearResourceTimings();
      const started = performance.now();
      const observer = new MutationObserver(() => {
        if (document.querySelectorAll('table[aria-label="Products"] tbody tr').length >= 25) {
          observer.disconnect();
          requestAnimationFrame(() => {
            const list = performance.getEntriesByType('resource').find((entry) => entry.name.includes('/admin/api/v1/products?'));
            resolve({ total: performance.now() - started, sent: list.startTime - started, received: list.responseEnd - started });
          });
        }
      });
      observer.observe(document.body, { childList: true, subtree: true });
      document.querySelector('nav a[href="/admin/products"]').click();
    })`);
    const after = await work();
    for (const name of WORK) mainThread[name].push(name.endsWith('Count') ? after[name] - before[name] : (after[name] - before[name]) * 1000);
    phases.total.push(timing.total);
    phases.before_request.push(timing.sent);
    phases.request.push(timing.received - timing.sent);
    phases.after_response.push(timing.total - timing.received);

    // The same transition as a mouse makes it: the pointer enters the link HOVER_MS before the click (the menu
    // prefetches the screen's chunk and first page then); timed from the click, as the merchant perceives it.
    await page.getByRole('link', { name: 'Dashboard' }).click();
    await page.getByText('published products').waitFor();
    afterHover.push(
      await page.evaluate<number>(`new Promise((resolve) => {
        const link = document.querySelector('nav a[href="/admin/products"]');
        link.dispatchEvent(new PointerEvent('pointerenter'));
        setTimeout(() => {
          const started = performance.now();
          const observer = new MutationObserver(() => {
            if (document.querySelectorAll('table[aria-label="Products"] tbody tr').length >= 25) {
              observer.disconnect();
              requestAnimationFrame(() => resolve(performance.now() - started));
            }
          });
          observer.observe(document.body, { childList: true, subtree: true });
          link.click();
        }, ${HOVER_MS});
      })`),
    );
  }
  if (process.env.BENCH_PROFILE) await writeFile(process.env.BENCH_PROFILE, JSON.stringify((await cdp.send('Profiler.stop')).profile));
  await context.close();

  // Bootstrap latency under load, anonymous (before sign-in) and signed in (store, settings, flags, scopes),
  // beside /auth/me (token verification alone) to show what the bootstrap adds to authentication.
  const loadRun = async (scenarios: { name: string; paths: string[] }[], authorization?: string) => {
    const load = spawn(process.execPath, [fileURLToPath(new URL('../storefront/load.ts', import.meta.url)), address, 'bench.localhost'], {
      stdio: ['pipe', 'pipe', 'inherit'],
      env: { ...process.env, ...(authorization ? { BENCH_AUTHORIZATION: authorization } : {}) },
    });
    load.stdin.end(JSON.stringify(scenarios));
    const exited = new Promise<number | null>((resolve) => load.on('exit', resolve));
    const output = await text(load.stdout);
    if ((await exited) !== 0) throw new Error('load generator failed');
    return JSON.parse(output) as Record<string, unknown>;
  };
  const http = {
    ...(await loadRun([{ name: 'bootstrap_anonymous', paths: ['/admin/bootstrap'] }])),
    ...(await loadRun(
      [
        { name: 'bootstrap_signed_in', paths: ['/admin/bootstrap'] },
        { name: 'auth_me_signed_in', paths: ['/auth/me'] },
      ],
      `Bearer ${tokens.access_token}`,
    )),
  };

  const build = await loadAppBuild();
  console.log(
    JSON.stringify(
      {
        benchmark: 'admin',
        date: new Date().toISOString(),
        server: database.server,
        products: PRODUCTS,
        initial_load: { requests: initialRequests, transferred_bytes: initialBytes, manifest_initial_gzipped_bytes: build.initialBytes, all_assets_gzipped_bytes: build.totalBytes },
        route_transition_to_product_list_ms: summary(phases),
        route_transition_after_hover_ms: { hover_ms: HOVER_MS, ...summary({ total: afterHover }) },
        route_transition_main_thread: summary(mainThread),
        in_process_ms: inProcess,
        http,
        targets: { seed_initial_load_kb: 2048, goal_initial_load_kb: 300, seed_bootstrap_ms: 150, goal_bootstrap_p95_ms: 20, goal_transition_p95_ms: 200 },
      },
      null,
      2,
    ),
  );
} finally {
  await browser.close();
  await app.close();
  await running.stop();
  await database.drop();
}
