/**
 * Storefront throughput and latency with 10,000 products in the tenant: product and collection pages, warm
 * (page cache) and mixed (10,000 distinct products, first visits render cold), loaded by autocannon from a
 * second process over loopback. Also times cold renders in-process and reports the cart script's size.
 */
import { spawn } from 'node:child_process';
import { text } from 'node:stream/consumers';
import { Readable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { createCollection } from '../../src/modules/catalog/collections.ts';
import { importNow } from '../../src/modules/catalog/import/service.ts';
import { cartScript } from '../../src/modules/storefront/assets.ts';
import { createTenant, tenancy } from '../../src/modules/tenancy/service.ts';
import { loadConfig } from '../../src/platform/config/config.ts';
import { buildApp } from '../../src/platform/http/app.ts';
import { configureLogging } from '../../src/platform/observability/logger.ts';
import { modules } from '../../src/modules/index.ts';
import { startPlatform } from '../../src/platform/runtime/start.ts';
import { benchDatabase, catalogCsv } from '../support/database.ts';

const PRODUCTS = 10_000;
const database = await benchDatabase();
const config = loadConfig({ APP_PROFILE: 'test', DATABASE_URL: database.url, SEED_DEMO: 'false', LOG_LEVEL: 'warn' });
configureLogging(config);
const running = await startPlatform(config, ['web'], modules);
const app = await buildApp(running.platform, running.modules);

const percentile = (values: number[], p: number) => [...values].sort((a, b) => a - b)[Math.ceil((p / 100) * values.length) - 1]!;
const round = (value: number) => Math.round(value * 100) / 100;

try {
  const { db } = running.platform;
  const tenant = await createTenant(db, { subdomain: 'bench', name: 'Bench Boutique' });
  await importNow(db, tenant.id, Readable.from(catalogCsv(PRODUCTS, 3)), 'csv');
  await db.withTenant(tenant.id, (trx) => createCollection(trx, tenant.id, { handle: 'featured', title: 'Featured', kind: 'rule', rules: { tag: 'featured' } }));
  // The gateway's per-store rate limit would answer most of the load with 429: lift it for this store.
  for (const key of ['rate_limit.burst', 'rate_limit.per_second'] as const) {
    await tenancy(running.platform).flags.setOverride({ tenantId: tenant.id, key, value: 1_000_000, reason: 'storefront benchmark' });
  }
  await db.pool.query('analyze');
  const host = 'bench.localhost';

  // Cold renders: distinct products never requested before, in-process (no network), timed one by one.
  const cold: number[] = [];
  for (let index = 0; index < 300; index++) {
    const started = performance.now();
    const response = await app.inject({ url: `/products/p-${9_000 + index}`, headers: { host } });
    cold.push(performance.now() - started);
    if (response.statusCode !== 200) throw new Error(`cold render answered ${response.statusCode}`);
  }

  // The collection's first 40 keyset pages, each reached by its Next link (rendered here once, so warm below).
  const collectionPaths = ['/collections/featured'];
  while (collectionPaths.length < 40) {
    const body = (await app.inject({ url: collectionPaths.at(-1)!, headers: { host } })).body;
    const next = /href="(\?after=[^"]+)" rel="next"/.exec(body)?.[1];
    if (!next) break;
    collectionPaths.push(`/collections/featured${next}`);
  }

  const origin = await app.listen({ host: '127.0.0.1', port: 0 });
  const productPaths = Array.from({ length: PRODUCTS }, (_, index) => `/products/p-${(index * 7919) % PRODUCTS}`);
  const scenarios = [
    { name: 'product_warm', paths: ['/products/p-42'] },
    { name: 'product_10k_distinct', paths: productPaths },
    { name: 'collection_warm', paths: ['/collections/featured'] },
    { name: 'collection_40_pages', paths: collectionPaths },
  ];
  // Asynchronous on purpose: this process is the server and must keep answering while the child loads it.
  const load = spawn(process.execPath, [fileURLToPath(new URL('./load.ts', import.meta.url)), origin, host], {
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  load.stdin.end(JSON.stringify(scenarios));
  const exited = new Promise<number | null>((resolve) => load.on('exit', resolve));
  const output = await text(load.stdout);
  const status = await exited;
  if (status !== 0) throw new Error(`load generator failed with ${status}`);

  console.log(
    JSON.stringify(
      {
        benchmark: 'storefront',
        date: new Date().toISOString(),
        server: database.server,
        products: PRODUCTS,
        variants: PRODUCTS * 3,
        cold_render_in_process_ms: { samples: cold.length, p50: round(percentile(cold, 50)), p95: round(percentile(cold, 95)) },
        collection_pages_walked: collectionPaths.length,
        http: JSON.parse(output),
        cart_script_bytes: { raw: cartScript.body.length, gzipped: cartScript.gzipped.length },
        targets: { seed_cold_render_ms: 150, goal_p95_ms: 25, seed_bundle_gzipped_kb: 120, goal_bundle_gzipped_kb: 30 },
      },
      null,
      2,
    ),
  );
} finally {
  await app.close();
  await running.stop();
  await database.drop();
}
