import { sql } from 'kysely';
import type { Tx } from '../../platform/db/database.ts';
import { HttpProblem } from '../../platform/http/problem.ts';
import type { PayoutChannel, PayoutStatus, RunStatus } from './ledger-schema.ts';
import { payoutSettings } from './payout-settings.ts';

export interface PayoutRun {
  id: string;
  status: RunStatus;
  origin: 'schedule' | 'on_demand';
  currency: string;
  total_minor: number;
  payouts: number;
  created_by: string | null;
  created_at: string;
  approved_at: string | null;
  closed_at: string | null;
}

export interface Payout {
  id: string;
  run_id: string;
  consignor_id: string;
  method: PayoutChannel;
  amount_minor: number;
  bonus_minor: number;
  currency: string;
  status: PayoutStatus;
  attempt: number;
  provider: string | null;
  provider_reference: string | null;
  handover_reference: string | null;
  failure: string | null;
  sent_at: string | null;
  paid_at: string | null;
}

export interface Approval {
  decision: 'approved' | 'rejected';
  ticket: string;
  note: string | null;
  decided_by: string;
  decided_at: string;
}

export const runNotFound = () => new HttpProblem(404, 'Not Found', 'No such payout run in this store.');

/**
 * Proposes a run: one payout per active consignor whose payable amount reaches the store's minimum, by the
 * consignor's payout method (Connect consignors once onboarded), in one statement. Staff approve it before any money moves. Only one run of a
 * store is open at a time (a unique index decides between concurrent proposals).
 */
export async function proposePayoutRun(trx: Tx, tenantId: string, origin: 'schedule' | 'on_demand'): Promise<PayoutRun | undefined> {
  const settings = await payoutSettings(trx);
  const run = await trx
    .insertInto('consignment_payout_runs')
    .values({ tenant_id: tenantId, origin, currency: settings.currency })
    .onConflict((oc) => oc.column('tenant_id').where('status', 'in', ['awaiting_approval', 'approved', 'processing']).doNothing())
    .returning('id')
    .executeTakeFirst();
  if (!run) {
    if (origin === 'schedule') return undefined;
    throw new HttpProblem(409, 'Payout run open', 'This store has a payout run that is not closed yet; approve, reject or finish it first.', { extensions: { code: 'payout_run_open' } });
  }
  await sql`
    insert into consignment_payouts (tenant_id, run_id, consignor_id, method, amount_minor, bonus_minor, currency)
    select ${tenantId}, ${run.id}, c.id,
           c.payout_method,
           b.payable_minor,
           case when c.payout_method = 'store_credit' then round(b.payable_minor * c.store_credit_bonus_percent / 100)::bigint else 0 end,
           b.currency
      from consignment_balances b
      join consignors c on c.id = b.consignor_id
     where b.currency = ${settings.currency}
       and b.payable_minor >= ${settings.minimum_payout_minor}
       and c.status = 'active'
       and (c.payout_method <> 'stripe_connect' or c.stripe_account_id is not null)`.execute(trx);
  const { rows } = await sql<{ total: string; n: string }>`select coalesce(sum(amount_minor), 0) as total, count(*) as n from consignment_payouts where run_id = ${run.id}`.execute(trx);
  await trx.updateTable('consignment_payout_runs').set({ total_minor: Number(rows[0]!.total), payouts: Number(rows[0]!.n) }).where('id', '=', run.id).execute();
  return (await loadRun(trx, run.id))!;
}

/**
 * Records a staff decision on a run (append-only, with its ticket). The person who proposed a run does not
 * approve it. Returns the run as it is now; the caller enqueues the processing of an approved run.
 */
export async function decideRun(trx: Tx, tenantId: string, runId: string, decision: { decision: 'approved' | 'rejected'; ticket: string; note?: string | undefined; by: string }): Promise<PayoutRun> {
  const run = await trx.selectFrom('consignment_payout_runs').selectAll().where('id', '=', runId).forUpdate().executeTakeFirst();
  if (!run) throw runNotFound();
  if (run.status !== 'awaiting_approval') {
    throw new HttpProblem(409, 'Payout run decided', `This run is ${run.status}; it was decided already.`, { extensions: { code: 'payout_run_decided', status: run.status } });
  }
  if (run.created_by && run.created_by === decision.by) {
    throw new HttpProblem(403, 'Four eyes', 'A payout run is approved by someone other than the person who proposed it.', { extensions: { code: 'payout_four_eyes' } });
  }
  await trx
    .insertInto('consignment_payout_approvals')
    .values({ tenant_id: tenantId, run_id: runId, decision: decision.decision, ticket: decision.ticket, note: decision.note ?? null, decided_by: decision.by })
    .execute();
  const status: RunStatus = decision.decision === 'approved' ? 'approved' : 'rejected';
  await trx
    .updateTable('consignment_payout_runs')
    .set({ status, ...(status === 'approved' ? { approved_at: new Date() } : { closed_at: new Date() }) })
    .where('id', '=', runId)
    .execute();
  if (status === 'rejected') await trx.updateTable('consignment_payouts').set({ status: 'cancelled' }).where('run_id', '=', runId).execute();
  return (await loadRun(trx, runId))!;
}

type RunRow = { id: string; status: RunStatus; origin: 'schedule' | 'on_demand'; currency: string; total_minor: string; payouts: number; created_by: string | null; created_at: Date; approved_at: Date | null; closed_at: Date | null };

const toRun = (row: RunRow): PayoutRun => ({
  id: row.id,
  status: row.status,
  origin: row.origin,
  currency: row.currency,
  total_minor: Number(row.total_minor),
  payouts: row.payouts,
  created_by: row.created_by,
  created_at: row.created_at.toISOString(),
  approved_at: row.approved_at?.toISOString() ?? null,
  closed_at: row.closed_at?.toISOString() ?? null,
});

const RUN_COLUMNS = ['id', 'status', 'origin', 'currency', 'total_minor', 'payouts', 'created_by', 'created_at', 'approved_at', 'closed_at'] as const;

export async function loadRun(trx: Tx, runId: string): Promise<PayoutRun | undefined> {
  const row = await trx.selectFrom('consignment_payout_runs').select(RUN_COLUMNS).where('id', '=', runId).executeTakeFirst();
  return row ? toRun(row) : undefined;
}

export async function listRuns(trx: Tx, options: { before?: { createdAt: string; id: string } | undefined; limit: number }): Promise<PayoutRun[]> {
  let query = trx.selectFrom('consignment_payout_runs').select(RUN_COLUMNS).orderBy('created_at', 'desc').orderBy('id', 'desc').limit(options.limit);
  const before = options.before;
  if (before) query = query.where((eb) => eb.or([eb('created_at', '<', new Date(before.createdAt)), eb.and([eb('created_at', '=', new Date(before.createdAt)), eb('id', '<', before.id)])]));
  return (await query.execute()).map(toRun);
}

type PayoutRow = {
  id: string;
  run_id: string;
  consignor_id: string;
  method: PayoutChannel;
  amount_minor: string;
  bonus_minor: string;
  currency: string;
  status: PayoutStatus;
  attempt: number;
  provider: string | null;
  provider_reference: string | null;
  handover_reference: string | null;
  failure: string | null;
  sent_at: Date | null;
  paid_at: Date | null;
};

export const toPayout = (row: PayoutRow): Payout => ({
  id: row.id,
  run_id: row.run_id,
  consignor_id: row.consignor_id,
  method: row.method,
  amount_minor: Number(row.amount_minor),
  bonus_minor: Number(row.bonus_minor),
  currency: row.currency,
  status: row.status,
  attempt: row.attempt,
  provider: row.provider,
  provider_reference: row.provider_reference,
  handover_reference: row.handover_reference,
  failure: row.failure,
  sent_at: row.sent_at?.toISOString() ?? null,
  paid_at: row.paid_at?.toISOString() ?? null,
});

export const PAYOUT_COLUMNS = [
  'id',
  'run_id',
  'consignor_id',
  'method',
  'amount_minor',
  'bonus_minor',
  'currency',
  'status',
  'attempt',
  'provider',
  'provider_reference',
  'handover_reference',
  'failure',
  'sent_at',
  'paid_at',
] as const;

export async function payoutsOfRun(trx: Tx, runId: string): Promise<Payout[]> {
  return (await trx.selectFrom('consignment_payouts').select(PAYOUT_COLUMNS).where('run_id', '=', runId).orderBy('id').execute()).map(toPayout);
}

export async function payoutsOfConsignor(trx: Tx, consignorId: string, limit: number): Promise<Payout[]> {
  return (await trx.selectFrom('consignment_payouts').select(PAYOUT_COLUMNS).where('consignor_id', '=', consignorId).orderBy('created_at', 'desc').limit(limit).execute()).map(toPayout);
}

export async function approvalsOfRun(trx: Tx, runId: string): Promise<Approval[]> {
  const rows = await trx.selectFrom('consignment_payout_approvals').select(['decision', 'ticket', 'note', 'decided_by', 'decided_at']).where('run_id', '=', runId).orderBy('id').execute();
  return rows.map((row) => ({ ...row, decided_at: row.decided_at.toISOString() }));
}
