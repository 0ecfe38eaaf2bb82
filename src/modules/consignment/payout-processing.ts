import { sql } from 'kysely';
import type { Tx } from '../../platform/db/database.ts';
import { HttpProblem } from '../../platform/http/problem.ts';
import type { Platform } from '../../platform/platform.ts';
import { SagaFailed, defineStep, runSaga } from '../../platform/steps/saga.ts';
import { releasePayout, reservePayout, reservePayouts } from './ledger.ts';
import { payoutCloseDuration, payoutsProcessed } from './ledger-telemetry.ts';
import type { MarketplaceProvider } from './marketplace.ts';
import { formatMoney } from './money-format.ts';
import { type Notice, type SendNotificationJob, notify, notifyMany } from './notifications.ts';
import { PAYOUT_COLUMNS, type Payout, toPayout } from './payout-runs.ts';

export interface PayoutServices {
  platform: Platform;
  marketplace: MarketplaceProvider;
  notices: SendNotificationJob;
}

interface PayoutContext {
  services: PayoutServices;
  tenantId: string;
  payout: Payout;
  accountId: string | null;
  transfer?: string;
}

const key = (payout: Payout) => `payout:${payout.id}:${payout.attempt}`;

const reserve = defineStep<PayoutContext, boolean>({
  name: 'reserve',
  run: async ({ services, tenantId, payout }) =>
    services.platform.db.withTenant(tenantId, async (trx) => {
      const entry = await reservePayout(trx, tenantId, { id: payout.id, consignorId: payout.consignor_id, attempt: payout.attempt, amountMinor: payout.amount_minor, currency: payout.currency, description: `Payout (${payout.method})` });
      return entry !== undefined;
    }),
  compensate: async ({ services, tenantId, payout }) =>
    services.platform.db.withTenant(tenantId, (trx) => releasePayout(trx, tenantId, { id: payout.id, consignorId: payout.consignor_id, attempt: payout.attempt, currency: payout.currency }, 'Payout not completed; amount returned to the balance')),
});

/** Connect payouts only: the transfer, with the attempt's idempotency key (a resumed attempt gets the same transfer). */
const transfer = defineStep<PayoutContext, string | null>({
  name: 'transfer',
  run: async (context) => {
    const { services, tenantId, payout, accountId } = context;
    if (payout.method !== 'stripe_connect') return null;
    if (!accountId) throw new HttpProblem(409, 'No connected account', 'This consignor has not finished payout onboarding.', { extensions: { code: 'payout_account_missing' } });
    const { reference } = await services.marketplace.transfer({
      accountId,
      amountMinor: payout.amount_minor,
      currency: payout.currency,
      idempotencyKey: key(payout),
      group: `payout_run_${payout.run_id}`,
      metadata: { tenant_id: tenantId, payout_id: payout.id, attempt: String(payout.attempt) },
    });
    context.transfer = reference;
    return reference;
  },
  compensate: async ({ services, payout }, reference) => {
    if (reference) await services.marketplace.reverseTransfer(reference, `${key(payout)}:reversal`);
  },
});

const OUTCOME: Record<Payout['method'], 'sent' | 'awaiting_handover' | 'paid'> = { stripe_connect: 'sent', test: 'sent', check: 'awaiting_handover', cash: 'awaiting_handover', store_credit: 'paid' };

const record = defineStep<PayoutContext, string>({
  name: 'record',
  run: async ({ services, tenantId, payout, transfer: reference }) =>
    services.platform.db.withTenant(tenantId, async (trx) => {
      const status = OUTCOME[payout.method];
      await trx
        .updateTable('consignment_payouts')
        .set({
          status,
          failure: null,
          sent_at: new Date(),
          ...(reference ? { provider: services.marketplace.name, provider_reference: reference } : {}),
          ...(status === 'paid' ? { paid_at: new Date() } : {}),
        })
        .where('id', '=', payout.id)
        .execute();
      await notifyPayout(trx, services, tenantId, payout, status);
      return status;
    }),
});

function payoutNotice(payout: Payout, status: string): Notice | undefined {
  const amount = formatMoney(payout.amount_minor, payout.currency);
  const text: Record<string, string> = {
    sent: `We sent you ${amount}; it reaches your account with the payout provider's usual timing.`,
    awaiting_handover: `${amount} is ready for you (${payout.method}). Collect it at the store.`,
    paid: payout.method === 'store_credit' ? `${formatMoney(payout.amount_minor + payout.bonus_minor, payout.currency)} of store credit is yours (${amount} plus a bonus of ${formatMoney(payout.bonus_minor, payout.currency)}).` : `${amount} was paid to you.`,
    reversed: `The transfer of ${amount} was reversed; the amount is back on your balance.`,
  };
  const body = text[status];
  return body ? { consignorId: payout.consignor_id, kind: 'payout', dedupeKey: `payout:${payout.id}:${status}:${payout.attempt}`, subject: 'Your payout', body } : undefined;
}

async function notifyPayout(trx: Tx, services: PayoutServices, tenantId: string, payout: Payout, status: string): Promise<void> {
  const notice = payoutNotice(payout, status);
  if (notice) await notify(trx, services.platform.jobs, services.notices, tenantId, notice);
}

/**
 * Takes the run's payouts that are not done for this attempt: a proposed one starts attempt 1, a failed one the
 * next attempt, one left `sending` by a process that died keeps its attempt (its reservation and transfer key
 * are reused, so resuming never pays twice).
 */
async function claimRun(platform: Platform, tenantId: string, runId: string): Promise<{ payout: Payout; accountId: string | null }[] | undefined> {
  return platform.db.withTenant(tenantId, async (trx) => {
    const run = await trx.selectFrom('consignment_payout_runs').select(['status']).where('id', '=', runId).forUpdate().executeTakeFirst();
    if (!run || !['approved', 'processing'].includes(run.status)) return undefined;
    await trx.updateTable('consignment_payout_runs').set({ status: 'processing' }).where('id', '=', runId).execute();
    const { rows } = await sql<Parameters<typeof toPayout>[0] & { account_id: string | null }>`
      update consignment_payouts p
         set status = 'sending', attempt = case when p.status = 'sending' then p.attempt else p.attempt + 1 end
        from consignors c
       where p.run_id = ${runId} and p.status in ('proposed', 'failed', 'sending') and c.id = p.consignor_id
      returning p.id, p.run_id, p.consignor_id, p.method, p.amount_minor, p.bonus_minor, p.currency, p.status, p.attempt, p.provider,
                p.provider_reference, p.handover_reference, p.failure, p.sent_at, p.paid_at, c.stripe_account_id as account_id`.execute(trx);
    return rows.map(({ account_id, ...row }) => ({ payout: toPayout(row), accountId: account_id }));
  });
}

const failureText = (error: SagaFailed) => {
  const cause = error.cause instanceof Error ? error.cause.message : String(error.cause);
  return `${error.step}: ${cause}${error.compensated ? '' : ' (compensation failed: check the ledger and the provider)'}`.slice(0, 2000);
};

/** A Connect payout: a saga, since money leaves through the provider (reserve, transfer, record; compensated back). */
async function processConnectPayout(services: PayoutServices, tenantId: string, claimed: { payout: Payout; accountId: string | null }): Promise<void> {
  const context: PayoutContext = { services, tenantId, payout: claimed.payout, accountId: claimed.accountId };
  try {
    await runSaga(services.platform.db, tenantId, [reserve, transfer, record], context, { saga: 'payout', errorCode: (error) => (error instanceof HttpProblem ? String(error.extensions?.code ?? error.status) : 'error') });
    payoutsProcessed.inc({ method: claimed.payout.method, outcome: 'sent' });
  } catch (error) {
    if (!(error instanceof SagaFailed)) throw error;
    await services.platform.db.withTenant(tenantId, (trx) => trx.updateTable('consignment_payouts').set({ status: 'failed', failure: failureText(error) }).where('id', '=', claimed.payout.id).execute());
    payoutsProcessed.inc({ method: claimed.payout.method, outcome: 'failed' });
  }
}

const OFFLINE_CHUNK = 500;

/**
 * Payouts the store makes itself (check and cash handed over later, store credit at once) move no money outside,
 * so no step can fail after the reservation: each chunk is reserved, recorded and notified in one transaction.
 */
async function settleOffline(services: PayoutServices, tenantId: string, payouts: readonly Payout[]): Promise<void> {
  for (let start = 0; start < payouts.length; start += OFFLINE_CHUNK) {
    const chunk = payouts.slice(start, start + OFFLINE_CHUNK);
    const refused = await services.platform.db.withTenant(tenantId, async (trx) => {
      const refused = await reservePayouts(
        trx,
        tenantId,
        chunk.map((payout) => ({ id: payout.id, consignorId: payout.consignor_id, attempt: payout.attempt, amountMinor: payout.amount_minor, currency: payout.currency, description: `Payout (${payout.method})` })),
      );
      const settled = chunk.filter((payout) => !refused.has(payout.id));
      const ids = (status: string) => settled.filter((payout) => OUTCOME[payout.method] === status).map((payout) => payout.id);
      const now = new Date();
      const handover = ids('awaiting_handover');
      const paid = ids('paid');
      if (handover.length > 0) await trx.updateTable('consignment_payouts').set({ status: 'awaiting_handover', failure: null, sent_at: now }).where('id', 'in', handover).execute();
      if (paid.length > 0) await trx.updateTable('consignment_payouts').set({ status: 'paid', failure: null, sent_at: now, paid_at: now }).where('id', 'in', paid).execute();
      if (refused.size > 0) await trx.updateTable('consignment_payouts').set({ status: 'failed', failure: 'reserve: the payout exceeds what is payable now' }).where('id', 'in', [...refused]).execute();
      const notices = settled.flatMap((payout) => payoutNotice(payout, OUTCOME[payout.method]) ?? []);
      await notifyMany(trx, services.platform.jobs, services.notices, tenantId, notices);
      return refused;
    });
    for (const payout of chunk) payoutsProcessed.inc({ method: payout.method, outcome: refused.has(payout.id) ? 'failed' : OUTCOME[payout.method] });
  }
}

/** Connect payouts processed at once within a run (each waits mostly on the provider). */
const CONCURRENCY = 6;

/**
 * Processes an approved (or resumed) run: the store's own payouts in bulk, Connect payouts a few at a time, each
 * a saga. The run closes `completed`, or `incomplete` when a payout failed (its reservation given back);
 * resuming retries those.
 */
export async function processRun(services: PayoutServices, tenantId: string, runId: string): Promise<{ status: string; failed: number }> {
  const { platform } = services;
  const claimed = await claimRun(platform, tenantId, runId);
  if (!claimed) return { status: 'skipped', failed: 0 };
  await settleOffline(
    services,
    tenantId,
    claimed.filter((entry) => entry.payout.method !== 'stripe_connect').map((entry) => entry.payout),
  );
  const connect = claimed.filter((entry) => entry.payout.method === 'stripe_connect');
  let next = 0;
  const worker = async () => {
    while (next < connect.length) await processConnectPayout(services, tenantId, connect[next++]!);
  };
  await Promise.all(Array.from({ length: Math.min(CONCURRENCY, connect.length) }, worker));
  return platform.db.withTenant(tenantId, async (trx) => {
    const { rows } = await sql<{ failed: string; approved_at: Date | null }>`
      select (select count(*) from consignment_payouts where run_id = ${runId} and status = 'failed') as failed, approved_at
        from consignment_payout_runs where id = ${runId}`.execute(trx);
    const failed = Number(rows[0]?.failed ?? 0);
    const status = failed > 0 ? 'incomplete' : 'completed';
    await trx.updateTable('consignment_payout_runs').set({ status, closed_at: new Date() }).where('id', '=', runId).execute();
    const approvedAt = rows[0]?.approved_at;
    if (approvedAt) payoutCloseDuration.observe({ outcome: status }, (Date.now() - approvedAt.getTime()) / 1000);
    return { status, failed };
  });
}

/** Reopens an incomplete run for processing; the caller enqueues it. */
export async function reopenRun(trx: Tx, runId: string): Promise<void> {
  const run = await trx.selectFrom('consignment_payout_runs').select('status').where('id', '=', runId).forUpdate().executeTakeFirst();
  if (!run) throw new HttpProblem(404, 'Not Found', 'No such payout run in this store.');
  if (run.status !== 'incomplete') throw new HttpProblem(409, 'Nothing to resume', `This run is ${run.status}.`, { extensions: { code: 'payout_run_not_incomplete', status: run.status } });
  await trx.updateTable('consignment_payout_runs').set({ status: 'processing', closed_at: null }).where('id', '=', runId).execute();
}

const payoutNotFound = () => new HttpProblem(404, 'Not Found', 'No such payout in this store.');

/** Staff handed over the check or cash: the payout is paid, with the check number or receipt. */
export async function recordHandover(trx: Tx, services: PayoutServices, tenantId: string, payoutId: string, reference: string): Promise<Payout> {
  const row = await trx.selectFrom('consignment_payouts').select(PAYOUT_COLUMNS).where('id', '=', payoutId).forUpdate().executeTakeFirst();
  if (!row) throw payoutNotFound();
  if (row.status === 'paid' && row.handover_reference === reference) return toPayout(row);
  if (row.status !== 'awaiting_handover') throw new HttpProblem(409, 'Not awaiting handover', `This payout is ${row.status}.`, { extensions: { code: 'payout_not_awaiting_handover', status: row.status } });
  await trx.updateTable('consignment_payouts').set({ status: 'paid', handover_reference: reference, paid_at: new Date() }).where('id', '=', payoutId).execute();
  const payout = toPayout({ ...row, status: 'paid', handover_reference: reference });
  await notifyPayout(trx, services, tenantId, payout, 'paid');
  return payout;
}

/** A payout that will not be made (check never collected, a failed transfer given up): its reservation is returned. */
export async function cancelPayout(trx: Tx, tenantId: string, payoutId: string, reason: string): Promise<Payout> {
  const row = await trx.selectFrom('consignment_payouts').select(PAYOUT_COLUMNS).where('id', '=', payoutId).forUpdate().executeTakeFirst();
  if (!row) throw payoutNotFound();
  if (row.status === 'cancelled') return toPayout(row);
  if (!['awaiting_handover', 'failed', 'proposed'].includes(row.status)) throw new HttpProblem(409, 'Payout not cancellable', `This payout is ${row.status}.`, { extensions: { code: 'payout_not_cancellable', status: row.status } });
  await releasePayout(trx, tenantId, { id: row.id, consignorId: row.consignor_id, attempt: row.attempt, currency: row.currency }, `Payout cancelled: ${reason}`);
  await trx.updateTable('consignment_payouts').set({ status: 'cancelled', failure: reason }).where('id', '=', payoutId).execute();
  return toPayout({ ...row, status: 'cancelled', failure: reason });
}

/**
 * Transfer events from the provider's webhooks: a created transfer confirms a sent payout (paid); a reversed one
 * returns the amount to the balance. Events of other stores or of transfers the ledger does not know are left to
 * the daily reconciliation.
 */
export async function applyTransferEvent(trx: Tx, services: PayoutServices, tenantId: string, type: string, object: Record<string, unknown>): Promise<void> {
  if (object.object !== 'transfer' || typeof object.id !== 'string') return;
  const metadata = (object.metadata ?? {}) as Record<string, string>;
  if (metadata.tenant_id !== tenantId) return;
  const row = await trx.selectFrom('consignment_payouts').select(PAYOUT_COLUMNS).where('provider_reference', '=', object.id).forUpdate().executeTakeFirst();
  if (!row) return;
  if ((type === 'transfer.created' || type === 'transfer.updated') && row.status === 'sent' && object.reversed !== true) {
    await trx.updateTable('consignment_payouts').set({ status: 'paid', paid_at: new Date() }).where('id', '=', row.id).execute();
  } else if ((type === 'transfer.reversed' || object.reversed === true) && (row.status === 'sent' || row.status === 'paid')) {
    await releasePayout(trx, tenantId, { id: row.id, consignorId: row.consignor_id, attempt: row.attempt, currency: row.currency }, 'Transfer reversed by the provider');
    await trx.updateTable('consignment_payouts').set({ status: 'reversed' }).where('id', '=', row.id).execute();
    payoutsProcessed.inc({ method: row.method, outcome: 'reversed' });
    await notifyPayout(trx, services, tenantId, toPayout(row), 'reversed');
  }
}
