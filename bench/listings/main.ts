/**
 * `npm run bench -- listings`: what an uncached listing costs against an uncached product page in the same run,
 * and whether that cost stays flat as the store grows and as the platform grows. Stores of 1,000, 10,000 and
 * 100,000 products (`BENCH_LISTING_SIZES`, 3 variants each, through the import) share the tables with
 * `BENCH_OTHER_STORES` (1,000) other stores of `BENCH_OTHER_PRODUCTS` (100) products each. The page cache is off
 * (`STOREFRONT_PAGE_CACHE_MAX=0`), so every request renders from the database.
 *
 * Per store size and page (home, rule collection first and deep page, rule collection by a rare tag, by a tag no
 * product has and by a tag rare in the store but common in the others, category, manual collection, search for a
 * word every product of every store has, for one product, for a rare word beside a common one, product page;
 * `BENCH_PAGES` names a subset, the product page always measured), `BENCH_REQUESTS` requests from a second process
 * (2 at a time, hrtime per request), `BENCH_ROUNDS` alternating rounds, medians of:
 * - server CPU per request (process.cpuUsage of this process, which is only the server),
 * - statements per request sent by the application pool (BEGIN and COMMIT included),
 * - PostgreSQL's work per request from pg_stat_statements (calls, execution time, shared blocks), when the server
 *   has it preloaded (the embedded one does; elsewhere the figure is null and says why),
 * - latency p50 / p95.
 * `BENCH_EXPLAIN=1` also prints EXPLAIN (ANALYZE, BUFFERS) of each listing's product query in every store to
 * stderr.
 */
import { spawn } from 'node:child_process';
import { text } from 'node:stream/consumers';
import { Readable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { CompiledQuery } from 'kysely';
import pg from 'pg';
import { createCategory } from '../../src/modules/catalog/categories.ts';
import { createCollection } from '../../src/modules/catalog/collections.ts';
import { importNow } from '../../src/modules/catalog/import/service.ts';
import { modules } from '../../src/modules/index.ts';
import { createTenant, tenancy } from '../../src/modules/tenancy/service.ts';
import { loadConfig } from '../../src/platform/config/config.ts';
import { dbQueryDuration } from '../../src/platform/db/telemetry.ts';
import { buildApp } from '../../src/platform/http/app.ts';
import { configureLogging } from '../../src/platform/observability/logger.ts';
import { startPlatform } from '../../src/platform/runtime/start.ts';
import { benchDatabase, catalogCsv } from '../support/database.ts';
import { serverWork, type ServerWork } from '../support/server-work.ts';

const SIZES = (process.env.BENCH_LISTING_SIZES ?? '1000,10000,100000').split(',').map(Number);
const OTHER_STORES = Number(process.env.BENCH_OTHER_STORES ?? 1000);
const OTHER_PRODUCTS = Number(process.env.BENCH_OTHER_PRODUCTS ?? 100);
const REQUESTS = Number(process.env.BENCH_REQUESTS ?? 200);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
// Only these pages (and the product page, the yardstick), e.g. `search_common_word,search_one_product`.
const PAGES = process.env.BENCH_PAGES?.split(',');
const CONCURRENCY = 2;

const database = await benchDatabase();
const config = loadConfig({ APP_PROFILE: 'test', DATABASE_URL: database.url, SEED_DEMO: 'false', LOG_LEVEL: 'warn', STOREFRONT_PAGE_CACHE_MAX: '0' });
configureLogging(config);
const running = await startPlatform(config, ['web'], modules);
const app = await buildApp(running.platform, running.modules);
const owner = new pg.Client({ connectionString: database.url });
await owner.connect();

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor((values.length - 1) / 2)]!;
const round = (value: number, digits = 1) => Math.round(value * 10 ** digits) / 10 ** digits;

/** The other stores, written in bulk by the owner (their content only has to be there, and indexed). */
async function seedOtherStores(): Promise<void> {
  await owner.query(`insert into tenants (subdomain, name) select 'other-' || g, 'Other store ' || g from generate_series(1, $1::int) g`, [OTHER_STORES]);
  await owner.query(
    // With the listing price written in the row, as the import writes it: the variants' trigger then rewrites no
    // product (100,000 non-HOT updates would leave the search index slower for every store until a REINDEX).
    `insert into products (tenant_id, handle, title, description, status, published_at, tags, listing_price_minor, listing_currency)
     select t.id, 'p-' || n, 'Product ' || n || ' cotton tee',
            'Organic cotton tee number ' || n || ', soft and durable' || case when n % 1000 = 0 then ', linen blend' else '' end, 'published',
            now() - interval '1 day',
            case when n % 10 = 0 then '{featured}'::text[] else '{regular}'::text[] end || case when n % 2 = 0 then '{sale}'::text[] else '{}' end, 1500, 'USD'
       from tenants t cross join generate_series(0, $1::int - 1) n where t.subdomain like 'other-%'`,
    [OTHER_PRODUCTS],
  );
  await owner.query(
    `insert into variants (tenant_id, product_id, sku, title, price_minor, currency, position)
     select p.tenant_id, p.id, upper(p.handle) || '-M', 'Size M', 1500, 'USD', 0
       from products p join tenants t on t.id = p.tenant_id where t.subdomain like 'other-%'`,
  );
}

interface Store {
  id: string;
  size: number;
  host: string;
}

/** A store of `size` products through the import, a category of every fifth product and six collections. */
async function seedStore(size: number): Promise<Store> {
  const { db } = running.platform;
  const tenant = await createTenant(db, { subdomain: `store-${size}`, name: `Store of ${size}` });
  await importNow(db, tenant.id, Readable.from(catalogCsv(size, 3)), 'csv');
  const category = await db.withTenant(tenant.id, (trx) => createCategory(trx, tenant.id, { handle: 'tees', name: 'Tees' }));
  await owner.query(`update products set category_id = $2 where tenant_id = $1 and split_part(handle, '-', 2)::int % 5 = 0`, [tenant.id, category.id]);
  // A rare word: one product in a thousand (and the first product of every other store) is a linen blend.
  await owner.query(`update products set description = description || ', linen blend' where tenant_id = $1 and split_part(handle, '-', 2)::int % 1000 = 0`, [tenant.id]);
  // A rare tag, on one product in a thousand of this store only (none of the other stores has it), and a tag on one
  // in a thousand here that the other stores put on every other product.
  await owner.query(
    `update products set tags = tags || case split_part(handle, '-', 2)::int % 1000 when 1 then '{rare}'::text[] else '{sale}' end
      where tenant_id = $1 and split_part(handle, '-', 2)::int % 1000 in (1, 3)`,
    [tenant.id],
  );
  await db.withTenant(tenant.id, async (trx) => {
    await createCollection(trx, tenant.id, { handle: 'featured', title: 'Featured', kind: 'rule', rules: { tag: 'featured' } });
    await createCollection(trx, tenant.id, { handle: 'rare', title: 'Rare', kind: 'rule', rules: { tag: 'rare' } });
    await createCollection(trx, tenant.id, { handle: 'unsold', title: 'Unsold', kind: 'rule', rules: { tag: 'no-product-has-it' } });
    await createCollection(trx, tenant.id, { handle: 'sale', title: 'Sale', kind: 'rule', rules: { tag: 'sale' } });
    await createCollection(trx, tenant.id, { handle: 'tees', title: 'Tees', kind: 'rule', rules: { category_id: category.id } });
    const picks = await trx.selectFrom('products').select('id').orderBy('handle').limit(500).execute();
    await createCollection(trx, tenant.id, { handle: 'picks', title: 'Picks', kind: 'manual', product_ids: picks.map((row) => row.id) });
  });
  // The gateway's per-store rate limit would answer most of the load with 429: lift it for this store.
  for (const key of ['rate_limit.burst', 'rate_limit.per_second'] as const) {
    await tenancy(running.platform).flags.setOverride({ tenantId: tenant.id, key, value: 1_000_000, reason: 'listings benchmark' });
  }
  return { id: tenant.id, size, host: `store-${size}.localhost` };
}

/** The page `pages` Next links after `path` (or the last one there is). */
async function pageAfter(store: Store, path: string, pages: number): Promise<string> {
  let current = path;
  for (let page = 0; page < pages; page++) {
    const response = await app.inject({ url: current, headers: { host: store.host } });
    const next = /href="(\?after=[^"]+)" rel="next"/.exec(response.body)?.[1];
    if (!next) break;
    current = `${path.split('?')[0]}${next}`;
  }
  return current;
}

async function scenarios(store: Store): Promise<Record<string, string[]>> {
  const all: Record<string, string[]> = {
    product: Array.from({ length: REQUESTS }, (_, index) => `/products/p-${(index * 7919) % store.size}`),
    home: ['/'],
    collection: ['/collections/featured'],
    collection_page_20: [await pageAfter(store, '/collections/featured', 19)],
    // A tag one product in a thousand has, and a tag no product has: the newest-first scan alone would read the store.
    collection_rare_tag: ['/collections/rare'],
    collection_empty_tag: ['/collections/unsold'],
    // Rare here, but on half of all other stores' products: planned from the whole table's statistics, it looks common.
    collection_tag_common_elsewhere: ['/collections/sale'],
    category: ['/collections/tees'],
    manual_collection: ['/collections/picks'],
    // Every product of every store has the word: the worst case for a ranked search.
    search_common_word: ['/search?q=cotton'],
    // Product 42 exists in every store, the other stores included.
    search_one_product: ['/search?q=product%2042'],
    // A rare word beside a word every product has: one product in a thousand matches both.
    search_rare_and_common: ['/search?q=linen%20tee'],
  };
  return Object.fromEntries(Object.entries(all).filter(([name]) => !PAGES || name === 'product' || PAGES.includes(name)));
}

/** Statements the application pool has sent so far. */
async function statementsSent(): Promise<number> {
  const { values } = await dbQueryDuration.get();
  return values.filter((value) => value.metricName?.endsWith('_count')).reduce((sum, value) => sum + value.value, 0);
}

interface Measure {
  cpu_us: number;
  statements: number;
  pg: Pick<ServerWork, 'calls' | 'exec_ms' | 'shared_blocks'> | string;
  p50_ms: number;
  p95_ms: number;
  requests_per_s: number;
}

async function measure(origin: string, store: Store, paths: string[]): Promise<Measure> {
  const cpuBefore = process.cpuUsage();
  const statementsBefore = await statementsSent();
  const workBefore = await serverWork(owner);
  const load = spawn(process.execPath, [fileURLToPath(new URL('./load.ts', import.meta.url)), origin, store.host, String(CONCURRENCY), String(REQUESTS)], {
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  load.stdin.end(JSON.stringify(paths));
  const exited = new Promise<number | null>((resolve) => load.on('exit', resolve));
  const result = JSON.parse(await text(load.stdout)) as { requests: number; requests_per_s: number; p50_ms: number; p95_ms: number; failures: Record<string, number> };
  if ((await exited) !== 0 || Object.keys(result.failures).length) throw new Error(`load of ${paths[0]} failed: ${JSON.stringify(result.failures)}`);
  const cpu = process.cpuUsage(cpuBefore);
  const workAfter = await serverWork(owner);
  const statements = (await statementsSent()) - statementsBefore;
  const perRequest = (value: number) => value / result.requests;
  return {
    cpu_us: perRequest(cpu.user + cpu.system),
    statements: perRequest(statements),
    pg:
      typeof workBefore === 'string' || typeof workAfter === 'string'
        ? String(workAfter)
        : {
            calls: perRequest(workAfter.calls - workBefore.calls),
            exec_ms: perRequest(workAfter.exec_ms - workBefore.exec_ms),
            shared_blocks: perRequest(workAfter.shared_blocks - workBefore.shared_blocks),
          },
    p50_ms: result.p50_ms,
    p95_ms: result.p95_ms,
    requests_per_s: result.requests_per_s,
  };
}

function summary(runs: Measure[]) {
  const pgRuns = runs.map((run) => run.pg).filter((pgWork) => typeof pgWork !== 'string');
  return {
    server_cpu_us_per_request: round(median(runs.map((run) => run.cpu_us))),
    statements_per_request: round(median(runs.map((run) => run.statements)), 2),
    pg_per_request: pgRuns.length
      ? {
          calls: round(median(pgRuns.map((work) => work.calls)), 2),
          exec_ms: round(median(pgRuns.map((work) => work.exec_ms)), 3),
          shared_blocks: round(median(pgRuns.map((work) => work.shared_blocks))),
        }
      : runs[0]!.pg,
    p50_ms: median(runs.map((run) => run.p50_ms)),
    p95_ms: median(runs.map((run) => run.p95_ms)),
    requests_per_s: median(runs.map((run) => run.requests_per_s)),
  };
}

/** EXPLAIN (ANALYZE, BUFFERS) of the statements one request of `path` sends that read products. */
async function explain(store: Store, path: string): Promise<string[]> {
  const seen: { text: string; values: unknown[] }[] = [];
  const record = (client: pg.PoolClient) => {
    const query = client.query.bind(client) as (...args: unknown[]) => unknown;
    (client as unknown as { query: (...args: unknown[]) => unknown }).query = (...args: unknown[]) => {
      const [statement, values] = args as [string | { text: string }, unknown[] | undefined];
      const sqlText = typeof statement === 'string' ? statement : statement.text;
      if (/from products p/.test(sqlText)) seen.push({ text: sqlText, values: values ?? [] });
      return query(...args);
    };
    return () => Object.assign(client, { query });
  };
  const restorers: (() => unknown)[] = [];
  const onAcquire = (client: pg.PoolClient) => restorers.push(record(client));
  running.platform.db.pool.on('acquire', onAcquire);
  await app.inject({ url: path, headers: { host: store.host } });
  running.platform.db.pool.off('acquire', onAcquire);
  // Newest first: a client acquired twice was wrapped twice, and only its first wrapper holds the original query.
  for (const restore of restorers.reverse()) restore();
  const plans: string[] = [];
  for (const statement of seen) {
    const result = await running.platform.db.withTenant(store.id, (trx) =>
      trx.executeQuery<{ 'QUERY PLAN': string }>(CompiledQuery.raw(`explain (analyze, buffers) ${statement.text}`, statement.values)),
    );
    plans.push(result.rows.map((row) => row['QUERY PLAN']).join('\n'));
  }
  return plans;
}

try {
  const seedStarted = performance.now();
  await seedOtherStores();
  const stores: Store[] = [];
  for (const size of SIZES) stores.push(await seedStore(size));
  await owner.query('vacuum analyze');
  const seedSeconds = round((performance.now() - seedStarted) / 1000);
  const origin = await app.listen({ host: '127.0.0.1', port: 0 });

  const paths = new Map<Store, Record<string, string[]>>();
  for (const store of stores) paths.set(store, await scenarios(store));
  const runs = new Map<string, Measure[]>();
  for (let index = 0; index < ROUNDS; index++) {
    // Alternate the order, so that drift on a shared machine falls on every page and size alike.
    const order = index % 2 === 0 ? stores : [...stores].reverse();
    for (const store of order) {
      const pages = Object.entries(paths.get(store)!);
      for (const [name, pagePaths] of index % 2 === 0 ? pages : pages.reverse()) {
        // One warm-up pass of the JIT and the plan cache, not measured.
        if (index === 0) await measure(origin, store, pagePaths);
        const key = `${store.size} ${name}`;
        runs.set(key, [...(runs.get(key) ?? []), await measure(origin, store, pagePaths)]);
      }
    }
  }

  const bySize: Record<string, Record<string, unknown>> = {};
  for (const store of stores) {
    const pages: Record<string, ReturnType<typeof summary>> = {};
    for (const name of Object.keys(paths.get(store)!)) pages[name] = summary(runs.get(`${store.size} ${name}`)!);
    const product = pages.product!;
    const relative: Record<string, { cpu: number; pg_exec: number | null }> = {};
    for (const [name, page] of Object.entries(pages)) {
      if (name === 'product') continue;
      const pgExec = typeof page.pg_per_request === 'string' || typeof product.pg_per_request === 'string' ? null : round(page.pg_per_request.exec_ms / product.pg_per_request.exec_ms, 2);
      relative[name] = { cpu: round(page.server_cpu_us_per_request / product.server_cpu_us_per_request, 2), pg_exec: pgExec };
    }
    bySize[store.size] = { pages, listing_vs_product_page: relative };
  }
  const smallest = stores[0]!.size;
  const largest = stores.at(-1)!.size;
  const growth: Record<string, { p95: number; cpu: number; shared_blocks: number | null }> = {};
  for (const name of Object.keys(paths.get(stores[0]!)!)) {
    const small = summary(runs.get(`${smallest} ${name}`)!);
    const large = summary(runs.get(`${largest} ${name}`)!);
    growth[name] = {
      p95: round(large.p95_ms / small.p95_ms, 2),
      cpu: round(large.server_cpu_us_per_request / small.server_cpu_us_per_request, 2),
      shared_blocks: typeof small.pg_per_request === 'string' || typeof large.pg_per_request === 'string' ? null : round(large.pg_per_request.shared_blocks / small.pg_per_request.shared_blocks, 2),
    };
  }

  if (process.env.BENCH_EXPLAIN === '1') {
    for (const store of stores) {
      for (const [name, pagePaths] of Object.entries(paths.get(store)!)) {
        for (const plan of await explain(store, pagePaths[0]!)) console.error(`== ${name} (${store.size} products): ${pagePaths[0]}\n${plan}\n`);
      }
    }
  }

  console.log(
    JSON.stringify(
      {
        benchmark: 'listings',
        date: new Date().toISOString(),
        server: database.server,
        other_stores: { stores: OTHER_STORES, products_each: OTHER_PRODUCTS },
        seed_s: seedSeconds,
        requests_per_measure: REQUESTS,
        concurrency: CONCURRENCY,
        rounds: ROUNDS,
        sizes: bySize,
        [`growth_${smallest}_to_${largest}`]: growth,
        goals: { listing_vs_product_page_cpu: '≤ 1', p95_growth: 'flat (≈ 1)' },
      },
      null,
      2,
    ),
  );
} finally {
  await owner.end();
  await app.close();
  await running.stop();
  await database.drop();
}
