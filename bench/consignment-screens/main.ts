/**
 * The back office's consignment screens' reads on a large store: 2,000 consignors with 40,000 ledger entries and
 * 1,000 signed agreements, 4,000 batches and 100,000 items on the floor (period ends spread over 120 days). Times
 * the consignors list (first page, a search, a page deep in the list; each with agreement and balance), the
 * dashboard's items expiring within 7 days, and the open batches, p50/p95 over rounds. Prints one JSON document.
 */
import { sql } from 'kysely';
import pg from 'pg';
import { listBatches } from '../../src/modules/consignment/batch-list.ts';
import { withSummaries } from '../../src/modules/consignment/consignor-summaries.ts';
import { listConsignors } from '../../src/modules/consignment/consignors.ts';
import { expiringItems } from '../../src/modules/consignment/expiring.ts';
import { createTenant } from '../../src/modules/tenancy/service.ts';
import { createDb } from '../../src/platform/db/database.ts';
import { configureLogging } from '../../src/platform/observability/logger.ts';
import { benchDatabase } from '../support/database.ts';

configureLogging({ logLevel: 'warn', logLevels: {} });
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 50);
const CONSIGNORS = 2_000;
const ITEMS = Number(process.env.BENCH_FLOOR_ITEMS ?? 100_000);
const database = await benchDatabase();
const db = createDb({ ownerUrl: database.url, poolMax: 4, statementTimeoutMs: 120_000 });

const percentile = (values: number[], p: number) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
};
const round = (value: number) => Math.round(value * 10) / 10;

try {
  const tenant = await createTenant(db, { subdomain: 'bench-consignment-screens', name: 'Bench Screens' });
  const inStore = <T>(fn: Parameters<typeof db.withTenant<T>>[1]) => db.withTenant(tenant.id, fn);
  await inStore(async (trx) => {
    await sql`
      insert into consignors (tenant_id, display_name, email, phone, payout_method)
      select ${tenant.id}, (array['Rose', 'Iris', 'Lily', 'Ivy', 'Fern'])[n % 5 + 1] || ' Consignor ' || n, 'c' || n || '@bench.test', '+1 415 555 ' || lpad(n::text, 4, '0'), 'check'
        from generate_series(1, ${CONSIGNORS}) n`.execute(trx);
    await sql`
      insert into consignment_ledger_entries (tenant_id, consignor_id, kind, amount_minor, currency, posting_key, available_at, description)
      select ${tenant.id}, c.id, case when e % 2 = 0 then 'sale_credit' else 'commission' end,
             case when e % 2 = 0 then 2000 + e else -(800 + e) end, 'USD', c.id || ':' || e, now() - make_interval(days => e), 'bench'
        from consignors c cross join generate_series(1, 20) e`.execute(trx);
    await sql`
      insert into consignor_agreement_acceptances (tenant_id, consignor_id, agreement_version, ip_address, channel)
      select ${tenant.id}, id, 1, '192.0.2.1', 'in_store' from consignors where display_name like 'Rose%' or display_name like 'Iris%' or display_name like 'Lily%' limit 1000`.execute(trx);
    await sql`
      insert into consignment_batches (tenant_id, consignor_id, source, status, accepted_at)
      select ${tenant.id}, c.id, 'staff', 'accepted', now() from consignors c cross join generate_series(1, 2)`.execute(trx);
    await sql`
      insert into consignment_batches (tenant_id, consignor_id, source, status)
      select ${tenant.id}, c.id, case when n % 2 = 0 then 'consignor' else 'staff' end, case when n % 2 = 0 then 'proposed' else 'draft' end
        from (select id, row_number() over (order by id) as n from consignors limit 100) c`.execute(trx);
    await sql`
      insert into consignment_items (tenant_id, batch_id, consignor_id, position, title, price_minor, currency, status, sku, product_id, variant_id, received_at, expires_at, grace_ends_at)
      select ${tenant.id}, b.id, b.consignor_id, n, 'Item ' || n, 2500, 'USD', 'on_floor', 'CN-' || replace(b.id::text, '-', '') || '-' || n,
             gen_random_uuid(), gen_random_uuid(), now(), now() + make_interval(mins => (hashtext(b.id::text || n) & 1048575) % (120 * 1440)),
             now() + interval '130 days'
        from consignment_batches b cross join generate_series(1, ${ITEMS / (CONSIGNORS * 2)}) n
       where b.status = 'accepted'`.execute(trx);
  });
  const owner = new pg.Client({ connectionString: database.url });
  await owner.connect();
  await owner.query('analyze consignors, consignment_ledger_entries, consignor_agreement_acceptances, consignment_batches, consignment_items');
  await owner.end();

  // A cursor deep in the list: the 1,500th consignor by name.
  const deep = await inStore(async (trx) => {
    let cursor: string | undefined;
    for (let page = 0; page < 30; page++) cursor = (await listConsignors(trx, tenant.id, { limit: 50, ...(cursor ? { cursor } : {}) })).next_cursor ?? undefined;
    return cursor;
  });
  const scenarios: Record<string, () => Promise<number>> = {
    consignors_first_page: () => inStore(async (trx) => (await withSummaries(trx, tenant.id, (await listConsignors(trx, tenant.id, { limit: 25 })).items)).length),
    consignors_search: () => inStore(async (trx) => (await withSummaries(trx, tenant.id, (await listConsignors(trx, tenant.id, { limit: 25, q: 'ivy consignor 1' })).items)).length),
    consignors_deep_page: () => inStore(async (trx) => (await withSummaries(trx, tenant.id, (await listConsignors(trx, tenant.id, { limit: 25, cursor: deep })).items)).length),
    items_expiring_7_days: () => inStore(async (trx) => (await expiringItems(trx, tenant.id, { within_days: 7, limit: 8 })).total),
    open_batches: () => inStore(async (trx) => (await listBatches(trx, tenant.id, { limit: 25, status: 'open' })).items.length),
  };
  const results: Record<string, { rows: number; p50_ms: number; p95_ms: number }> = {};
  for (const [name, run] of Object.entries(scenarios)) {
    const times: number[] = [];
    let rows = 0;
    for (let index = 0; index < ROUNDS + 5; index++) {
      const started = performance.now();
      rows = await run();
      if (index >= 5) times.push(performance.now() - started);
    }
    results[name] = { rows, p50_ms: round(percentile(times, 50)), p95_ms: round(percentile(times, 95)) };
  }
  console.log(
    JSON.stringify(
      { benchmark: 'consignment-screens', date: new Date().toISOString(), server: database.server, consignors: CONSIGNORS, ledger_entries: CONSIGNORS * 20, items_on_floor: ITEMS, rounds: ROUNDS, results },
      null,
      2,
    ),
  );
} finally {
  await db.close();
  await database.drop();
}
