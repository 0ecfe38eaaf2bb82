import { sql } from 'kysely';
import Type from 'typebox';
import type { Tx } from '../../platform/db/database.ts';
import { defineJob, defineSchedule, type JobDefinition } from '../../platform/jobs/definitions.ts';
import type { Platform } from '../../platform/platform.ts';
import { tenancy } from '../tenancy/index.ts';
import { postMonthlyFees } from './fees.ts';
import type { MarketplaceProvider } from './marketplace.ts';
import { TestMarketplaceProvider } from './marketplace.ts';
import { type Notice, notify, sendNotificationJob } from './notifications.ts';
import { postOrderEventJob, subscribeToOrderEvents, sweepOrderEventsJob } from './order-events.ts';
import { processRun } from './payout-processing.ts';
import { proposePayoutRun } from './payout-runs.ts';
import { payoutSettings } from './payout-settings.ts';
import { reconcileDay } from './reconciliation.ts';
import { previousPeriod, saveStatement, statementFigures, statementText } from './statements.ts';
import { StripeMarketplaceProvider } from './stripe-marketplace.ts';

const providers = new WeakMap<Platform, MarketplaceProvider>();

/** Stripe Connect when the deployment has a Stripe key, the in-memory test provider otherwise. */
export function marketplaceOf(platform: Platform): MarketplaceProvider {
  let provider = providers.get(platform);
  if (!provider) {
    const stripe = platform.config.payments.stripe;
    provider = stripe ? new StripeMarketplaceProvider(stripe) : new TestMarketplaceProvider();
    providers.set(platform, provider);
  }
  return provider;
}

let started: Platform | undefined;
const current = () => {
  if (!started) throw new Error('the consignment module has not started');
  return started;
};
export const startLedger = (platform: Platform) => {
  started = platform;
  subscribeToOrderEvents(platform, postOrderEvent);
};

export const sendNotification = sendNotificationJob(current);
export const postOrderEvent = postOrderEventJob(current, () => sendNotification);
export const sweepOrderEvents = sweepOrderEventsJob(current, () => postOrderEvent);
export const payoutServices = (platform: Platform) => ({ platform, marketplace: marketplaceOf(platform), notices: sendNotification });

const Empty = Type.Object({}, { additionalProperties: false });

/** Stores with ledger entries (the platform-wide schedules fan out to them). */
async function ledgerTenants(trx: Tx): Promise<string[]> {
  const { rows } = await sql<{ id: string }>`select t.id from tenants t where t.status = 'active' and exists (select 1 from consignment_ledger_entries e where e.tenant_id = t.id)`.execute(trx);
  return rows.map((row) => row.id);
}

/** Stores that took consigned items in (monthly fees are owed without any entry yet). */
async function intakeTenants(trx: Tx): Promise<string[]> {
  const { rows } = await sql<{ id: string }>`select t.id from tenants t where t.status = 'active' and exists (select 1 from consignment_items i where i.tenant_id = t.id and i.received_at is not null)`.execute(trx);
  return rows.map((row) => row.id);
}

function fanOut<P>(name: string, perTenant: () => JobDefinition<P>, payload: () => P, tenants = ledgerTenants) {
  return defineJob({
    name,
    version: 1,
    payload: Empty,
    priority: 'LOW',
    maxAttempts: 3,
    timeoutMs: 120_000,
    scope: 'platform',
    async run(_payload, { trx }) {
      const jobs = current().jobs;
      for (const tenantId of await tenants(trx)) await jobs.enqueue(perTenant(), payload(), { trx, tenantId });
    },
  });
}

export const processPayoutRun = defineJob({
  name: 'consignment.process-payout-run',
  version: 1,
  payload: Type.Object({ run_id: Type.String({ format: 'uuid' }) }, { additionalProperties: false }),
  priority: 'HIGH',
  maxAttempts: 5,
  timeoutMs: 900_000,
  onePerTenant: true,
  async run(payload, { tenantId }) {
    await processRun(payoutServices(current()), tenantId!, payload.run_id);
  },
});

/** A scheduled run is proposed and waits for staff approval like one asked for on demand. */
export const proposeRun = defineJob({
  name: 'consignment.propose-payout-run',
  version: 1,
  payload: Empty,
  priority: 'DEFAULT',
  maxAttempts: 3,
  timeoutMs: 120_000,
  async run(_payload, { trx, tenantId }) {
    await proposePayoutRun(trx, tenantId!, 'schedule');
  },
});

const Day = Type.Object({ day: Type.String({ pattern: '^\\d{4}-\\d{2}-\\d{2}$' }) }, { additionalProperties: false });

export const reconcile = defineJob({
  name: 'consignment.reconcile-payouts',
  version: 1,
  payload: Day,
  priority: 'LOW',
  maxAttempts: 5,
  timeoutMs: 300_000,
  async run(payload, { trx, tenantId }) {
    await reconcileDay(trx, tenantId!, marketplaceOf(current()), payload.day);
  },
});

const Period = Type.Object({ period: Type.String({ pattern: '^\\d{4}-\\d{2}-01$' }) }, { additionalProperties: false });

/** Every consignor with entries gets the month's statement (HTML and CSV kept, text mailed through the notices). */
export const monthlyStatements = defineJob({
  name: 'consignment.monthly-statements',
  version: 1,
  payload: Period,
  priority: 'LOW',
  maxAttempts: 5,
  timeoutMs: 600_000,
  async run(payload, { trx, tenantId }) {
    await writeStatements(current(), trx, tenantId!, payload.period);
  },
});

/** The month's flat fees, posted before its statements are written (04:00 vs 05:00 on the first). */
export const monthlyFees = defineJob({
  name: 'consignment.monthly-fees',
  version: 1,
  payload: Period,
  priority: 'LOW',
  maxAttempts: 5,
  timeoutMs: 600_000,
  async run(payload, { trx, tenantId }) {
    await postMonthlyFees(trx, tenantId!, payload.period);
  },
});

export async function writeStatements(platform: Platform, trx: Tx, tenantId: string, period: string): Promise<number> {
  const { currency } = await payoutSettings(trx);
  const storeName = (await tenancy(platform).storeIdentity(tenantId))?.name ?? 'Your store';
  const consignors = await sql<{ id: string; display_name: string }>`
    select c.id, c.display_name from consignors c
     where exists (select 1 from consignment_ledger_entries e where e.consignor_id = c.id and e.occurred_at < ${period}::date + interval '1 month')
     order by c.id`.execute(trx);
  let written = 0;
  for (const consignor of consignors.rows) {
    const figures = { consignorName: consignor.display_name, storeName, period, currency, ...(await statementFigures(trx, consignor.id, currency, period)) };
    const statement = await saveStatement(trx, tenantId, consignor.id, figures);
    if (!statement) continue;
    written++;
    await notify(trx, platform.jobs, sendNotification, tenantId, {
      consignorId: consignor.id,
      kind: 'statement',
      dedupeKey: `statement:${statement.id}`,
      subject: `Your statement for ${period.slice(0, 7)}`,
      body: statementText(figures),
    });
  }
  return written;
}

export const proposeRuns = fanOut('consignment.schedule-payout-runs', () => proposeRun, () => ({}));
export const reconcileAll = fanOut('consignment.schedule-reconciliation', () => reconcile, () => ({ day: new Date(Date.now() - 86_400_000).toISOString().slice(0, 10) }));
export const feesAll = fanOut('consignment.schedule-monthly-fees', () => monthlyFees, () => ({ period: previousPeriod(new Date()) }), intakeTenants);
export const statementsAll = fanOut('consignment.schedule-statements', () => monthlyStatements, () => ({ period: previousPeriod(new Date()) }));

export const ledgerJobs = [sendNotification, postOrderEvent, sweepOrderEvents, processPayoutRun, proposeRun, reconcile, monthlyStatements, monthlyFees, proposeRuns, reconcileAll, feesAll, statementsAll];

export const ledgerSchedules = [
  defineSchedule(sweepOrderEvents, '* * * * *', {}),
  // Weekly on Monday morning, so staff approve the week's run at opening.
  defineSchedule(proposeRuns, '0 6 * * 1', {}),
  defineSchedule(reconcileAll, '30 3 * * *', {}),
  defineSchedule(feesAll, '0 4 1 * *', {}),
  defineSchedule(statementsAll, '0 5 1 * *', {}),
];

/** A notice to a consignor (expiry, …) recorded in the caller's unit of work and mailed within seconds of its commit. */
export function notifyConsignor(trx: Tx, platform: Platform, tenantId: string, notice: Notice): Promise<boolean> {
  return notify(trx, platform.jobs, sendNotification, tenantId, notice);
}
