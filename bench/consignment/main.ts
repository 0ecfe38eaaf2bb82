/**
 * Consignment: intake of a 100-item batch (entered, then accepted: products created in the catalog), p50/p95 over
 * alternating rounds; then the markdown job over 100,000 items on the floor (first run marks each down, the
 * re-run must change nothing); then a payout run over 1,000 consignors with 20,000 ledger entries (payout.ts).
 * Prints one JSON document. `BENCH_MARKDOWN_ITEMS` scales the floor down.
 */
import pg from 'pg';
import { createConsignor } from '../../src/modules/consignment/consignors.ts';
import { applyMarkdowns } from '../../src/modules/consignment/aging.ts';
import { acceptBatch, createBatch } from '../../src/modules/consignment/intake.ts';
import { updateStoreTerms } from '../../src/modules/consignment/terms.ts';
import { createTenant } from '../../src/modules/tenancy/service.ts';
import { createDb } from '../../src/platform/db/database.ts';
import { configureLogging } from '../../src/platform/observability/logger.ts';
import { benchDatabase } from '../support/database.ts';
import { payoutBench } from './payout.ts';

configureLogging({ logLevel: 'warn', logLevels: {} });
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 30);
const MARKDOWN_ITEMS = Number(process.env.BENCH_MARKDOWN_ITEMS ?? 100_000);
const database = await benchDatabase();
const db = createDb({ ownerUrl: database.url, poolMax: 4, statementTimeoutMs: 120_000 });

const percentile = (values: number[], p: number) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
};
const round = (value: number, digits = 1) => Math.round(value * 10 ** digits) / 10 ** digits;
const items = (count: number) => Array.from({ length: count }, (_, index) => ({ title: `Consigned item ${index}`, description: 'Gently worn', price_minor: 2_000 + index, currency: 'USD' }));
const timed = async <T>(fn: () => Promise<T>) => {
  const started = performance.now();
  const value = await fn();
  return { value, ms: performance.now() - started };
};

try {
  const tenant = await createTenant(db, { subdomain: 'bench-consignment', name: 'Bench Consignment' });
  const inStore = <T>(fn: Parameters<typeof db.withTenant<T>>[1]) => db.withTenant(tenant.id, fn);
  const consignor = await inStore((trx) => createConsignor(trx, tenant.id, { display_name: 'Bench Consignor' }));

  // Intake: each round enters a 100-item batch, then accepts it, each in its own unit of work like the API.
  const create: number[] = [];
  const accept: number[] = [];
  for (let round = 0; round < ROUNDS + 3; round++) {
    const entered = await timed(() => inStore((trx) => createBatch(trx, tenant.id, { consignor_id: consignor.id, items: items(100) })));
    const accepted = await timed(() => inStore((trx) => acceptBatch(trx, tenant.id, entered.value.id)));
    // The first rounds warm the JIT and the plan cache.
    if (round >= 3) {
      create.push(entered.ms);
      accept.push(accepted.ms);
    }
  }
  const total = create.map((ms, index) => ms + accept[index]!);

  // The floor for the markdown job: batches of 500 accepted, then aged 31 days (a step at 30 days).
  const floorStarted = performance.now();
  const onFloor = MARKDOWN_ITEMS - (ROUNDS + 3) * 100;
  // Planner statistics as a live database has them (autovacuum would get there, later): a fresh table looks empty.
  const analyze = async () => {
    const owner = new pg.Client({ connectionString: database.url });
    await owner.connect();
    await owner.query('analyze consignment_items, consignment_price_history, products, variants, inventory_levels, domain_events');
    await owner.end();
  };
  for (let done = 0; done < onFloor; done += 500) {
    if (done % 10_000 === 0) await analyze();
    await inStore(async (trx) => {
      const batch = await createBatch(trx, tenant.id, { consignor_id: consignor.id, items: items(Math.min(500, onFloor - done)) });
      await acceptBatch(trx, tenant.id, batch.id);
    });
  }
  const floorSeconds = (performance.now() - floorStarted) / 1000;
  await analyze();
  await inStore((trx) => updateStoreTerms(trx, tenant.id, { markdown_steps: [{ after_days: 30, percent_off: 20 }, { after_days: 60, percent_off: 40 }] }));
  const in31Days = new Date(Date.now() + 31 * 86_400_000);
  const first = await timed(() => inStore((trx) => applyMarkdowns(trx, tenant.id, in31Days)));
  const rerun = await timed(() => inStore((trx) => applyMarkdowns(trx, tenant.id, in31Days)));

  console.log(
    JSON.stringify(
      {
        benchmark: 'consignment',
        date: new Date().toISOString(),
        server: database.server,
        intake_100_items: {
          rounds: ROUNDS,
          create_ms: { p50: round(percentile(create, 50)), p95: round(percentile(create, 95)) },
          accept_ms: { p50: round(percentile(accept, 50)), p95: round(percentile(accept, 95)) },
          create_plus_accept_ms: { p50: round(percentile(total, 50)), p95: round(percentile(total, 95)) },
          goal_p95_ms: 100,
          target_ms: 500,
        },
        markdown_job: {
          items_on_floor: MARKDOWN_ITEMS,
          floor_setup_seconds: round(floorSeconds, 1),
          first_run: { seconds: round(first.ms / 1000, 2), marked_down: first.value, items_per_second: Math.round(first.value / (first.ms / 1000)) },
          rerun: { seconds: round(rerun.ms / 1000, 2), marked_down: rerun.value },
        },
        payout_run: await payoutBench(),
      },
      null,
      2,
    ),
  );
} finally {
  await db.close();
  await database.drop();
}
