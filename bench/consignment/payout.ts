/**
 * bench/consignment payout scenario: a payout run over 1,000 consignors holding 20,000 ledger entries (goal:
 * closed in < 10 s, approval to close). Each round is a fresh store: consignors (40 % Connect through the
 * embedded test provider, 40 % check, 20 % store credit) and 20 payable entries each are written in bulk, then the
 * run is proposed, approved and processed (every payout a saga: reserve, transfer, record) and its close timed.
 * SQL statements are counted at the wire (every query the pool sends, BEGIN/COMMIT included). Prints JSON.
 */
import type pg from 'pg';
import { sql } from 'kysely';
import { createTenant } from '../../src/modules/tenancy/service.ts';
import { payoutServices } from '../../src/modules/consignment/ledger-jobs.ts';
import { processRun } from '../../src/modules/consignment/payout-processing.ts';
import { decideRun, proposePayoutRun } from '../../src/modules/consignment/payout-runs.ts';
import { loadConfig } from '../../src/platform/config/config.ts';
import { configureLogging } from '../../src/platform/observability/logger.ts';
import { modules } from '../../src/modules/index.ts';
import { startPlatform } from '../../src/platform/runtime/start.ts';
import { benchDatabase } from '../support/database.ts';

const CONSIGNORS = 1_000;
const ENTRIES_PER_CONSIGNOR = 20;
const ROUNDS = 3;

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
const ms = (value: number) => Math.round(value * 10) / 10;

export async function payoutBench(): Promise<Record<string, unknown>> {
  const database = await benchDatabase();
  try {
    const config = loadConfig({ APP_PROFILE: 'dev', DATABASE_URL: database.url, SEED_DEMO: 'false', LOG_LEVEL: 'warn', DB_POOL_MAX: '10' });
    configureLogging(config);
    const running = await startPlatform(config, ['web'], modules);
    const { platform } = running;
    let statements = 0;
    const counted = new WeakSet<pg.PoolClient>();
    platform.db.pool.on('acquire', (client) => {
      if (counted.has(client)) return;
      counted.add(client);
      const query = client.query.bind(client) as (...args: unknown[]) => unknown;
      (client as unknown as { query: (...args: unknown[]) => unknown }).query = (...args: unknown[]) => {
        statements++;
        return query(...args);
      };
    });
    const rounds: { propose_ms: number; close_ms: number; payouts: number; entries: number; statements_per_payout: number; status: string }[] = [];
    for (let round = 0; round < ROUNDS; round++) {
      const store = await createTenant(platform.db, { subdomain: `bench-payout-${round}-${Date.now() % 100000}`, name: `Bench Payouts ${round}` });
      await platform.db.withTenant(store.id, async (trx) => {
        await sql`
          insert into consignors (tenant_id, display_name, email, payout_method, store_credit_bonus_percent, stripe_account_id)
          select ${store.id}, 'Consignor ' || n, 'c' || n || '@bench.test',
                 (array['stripe_connect', 'stripe_connect', 'check', 'check', 'store_credit'])[n % 5 + 1],
                 case when n % 5 = 4 then 10 else 0 end,
                 case when n % 5 < 2 then 'acct_bench' || n end
            from generate_series(1, ${CONSIGNORS}) n`.execute(trx);
        await sql`
          insert into consignment_ledger_entries (tenant_id, consignor_id, kind, amount_minor, currency, posting_key, available_at, description)
          select ${store.id}, c.id, case when e % 2 = 0 then 'sale_credit' else 'commission' end,
                 case when e % 2 = 0 then 2000 + e else -(800 + e) end, 'USD', c.id || ':' || e, now() - interval '20 days', 'bench'
            from consignors c cross join generate_series(1, ${ENTRIES_PER_CONSIGNOR}) e`.execute(trx);
      });
      const before = statements;
      const started = performance.now();
      const run = await platform.db.withTenant(store.id, (trx) => proposePayoutRun(trx, store.id, 'on_demand'));
      const proposed = performance.now();
      await platform.db.withTenant(store.id, (trx) => decideRun(trx, store.id, run!.id, { decision: 'approved', ticket: 'BENCH-1', by: 'bench-approver' }));
      const approved = performance.now();
      const result = await processRun(payoutServices(platform), store.id, run!.id);
      const closed = performance.now();
      rounds.push({
        propose_ms: ms(proposed - started),
        close_ms: ms(closed - approved),
        payouts: run!.payouts,
        entries: CONSIGNORS * ENTRIES_PER_CONSIGNOR,
        statements_per_payout: Math.round(((statements - before) / run!.payouts) * 10) / 10,
        status: result.status,
      });
      console.error(`round ${round + 1}/${ROUNDS}: ${JSON.stringify(rounds.at(-1))}`);
    }
    await running.stop();
    return {
      scenario: 'payout-run',
      server: database.server,
      consignors: CONSIGNORS,
      ledger_entries: CONSIGNORS * ENTRIES_PER_CONSIGNOR,
      rounds,
      median_propose_ms: median(rounds.map((r) => r.propose_ms)),
      median_close_ms: median(rounds.map((r) => r.close_ms)),
      goal_close_ms: 10_000,
      median_statements_per_payout: median(rounds.map((r) => r.statements_per_payout)),
    };
  } finally {
    await database.drop();
  }
}
