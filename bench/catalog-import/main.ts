/**
 * Bulk import throughput: 100,000 products x 3 variants from CSV, staged and imported chunk by chunk in this
 * process with the code the import jobs run (one worker's worth, without the queue); then the same file again
 * (which must change nothing); then p95 of single-variant updates. Each import also reports PostgreSQL's own work
 * (execution time, shared and dirtied blocks from pg_stat_statements, where the server has it loaded): blocks count
 * the work whatever the load of a shared machine, which inflates seconds.
 * Prints one JSON document. `BENCH_PRODUCTS` scales the catalog down for a quick look.
 */
import { loadavg } from 'node:os';
import { Readable } from 'node:stream';
import pg from 'pg';
import { importNow } from '../../src/modules/catalog/import/service.ts';
import { updateVariant } from '../../src/modules/catalog/service.ts';
import { createTenant } from '../../src/modules/tenancy/service.ts';
import { createDb } from '../../src/platform/db/database.ts';
import { configureLogging } from '../../src/platform/observability/logger.ts';
import { benchDatabase, catalogCsv } from '../support/database.ts';
import { serverWork, type ServerWork } from '../support/server-work.ts';

configureLogging({ logLevel: 'warn', logLevels: {} });
const PRODUCTS = Number(process.env.BENCH_PRODUCTS ?? 100_000);
const VARIANTS = 3;
const database = await benchDatabase();
const db = createDb({ ownerUrl: database.url, poolMax: 4, statementTimeoutMs: 60_000 });
const owner = new pg.Client({ connectionString: database.url });
await owner.connect();

const workSince = (before: ServerWork | string, after: ServerWork | string) =>
  typeof before === 'string' || typeof after === 'string'
    ? { unavailable: typeof before === 'string' ? before : after }
    : {
        exec_ms: Math.round(after.exec_ms - before.exec_ms),
        shared_blocks: after.shared_blocks - before.shared_blocks,
        dirtied_blocks: after.dirtied_blocks - before.dirtied_blocks,
      };

const percentile = (values: number[], p: number) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
};
const round = (value: number, digits = 1) => Math.round(value * 10 ** digits) / 10 ** digits;

try {
  const tenant = await createTenant(db, { subdomain: 'bench-import', name: 'Bench Import' });
  const timed = async () => {
    const work = await serverWork(owner);
    const started = performance.now();
    const result = await importNow(db, tenant.id, Readable.from(catalogCsv(PRODUCTS, VARIANTS)), 'csv');
    return { result, ms: performance.now() - started, pg: workSince(work, await serverWork(owner)) };
  };
  const first = await timed();
  const rerun = await timed();

  const variantIds = await db.withTenant(tenant.id, (trx) => trx.selectFrom('variants').select('id').limit(300).execute());
  const updates: number[] = [];
  for (const [index, { id }] of variantIds.entries()) {
    const started = performance.now();
    await db.withTenant(tenant.id, (trx) => updateVariant(trx, tenant.id, id, { price_minor: 5000 + index }));
    updates.push(performance.now() - started);
  }

  console.log(
    JSON.stringify(
      {
        benchmark: 'catalog-import',
        date: new Date().toISOString(),
        load_average: loadavg().map((value) => round(value, 2)),
        server: database.server,
        products: PRODUCTS,
        variants: PRODUCTS * VARIANTS,
        first_import: {
          seconds: round(first.ms / 1000, 2),
          products_per_minute: Math.round((PRODUCTS / first.ms) * 60_000),
          variants_inserted: first.result.variants_inserted,
          rows_failed: first.result.rows_failed,
          chunks: first.result.chunks_total,
          pg: first.pg,
        },
        rerun_same_file: {
          seconds: round(rerun.ms / 1000, 2),
          products_per_minute: Math.round((PRODUCTS / rerun.ms) * 60_000),
          rows_changed: rerun.result.products_changed + rerun.result.variants_inserted + rerun.result.variants_updated,
          pg: rerun.pg,
        },
        single_variant_update_ms: { samples: updates.length, p50: round(percentile(updates, 50), 2), p95: round(percentile(updates, 95), 2) },
        targets: { seed_products_per_minute: 5_000, goal_products_per_minute: 100_000, variant_update_p95_goal_ms: 20 },
      },
      null,
      2,
    ),
  );
} finally {
  await owner.end();
  await db.close();
  await database.drop();
}
