import { sql } from 'kysely';
import type { Tx } from '../../platform/db/database.ts';
import { HttpProblem } from '../../platform/http/problem.ts';
import type { EntryKind } from './ledger-schema.ts';

/** One fact to post. `postingKey` names it: posting the same key twice posts it once. */
export interface NewEntry {
  consignorId: string;
  kind: EntryKind;
  amountMinor: number;
  currency: string;
  postingKey: string;
  /** When the entry becomes payable (default: now). */
  availableAt?: Date;
  orderId?: string;
  orderLineId?: string;
  payoutId?: string;
  rule?: string;
  description?: string;
  reason?: string;
  ticket?: string;
}

export interface LedgerEntry {
  id: string;
  consignor_id: string;
  kind: EntryKind;
  amount_minor: number;
  currency: string;
  posting_key: string;
  available_at: string;
  order_id: string | null;
  order_line_id: string | null;
  payout_id: string | null;
  rule: string | null;
  description: string | null;
  reason: string | null;
  ticket: string | null;
  occurred_at: string;
}

export interface Balance {
  consignor_id: string;
  currency: string;
  /** Everything posted. */
  balance_minor: number;
  /** What may be paid out now (credits past the return window, less what was paid, clawed back or charged). */
  payable_minor: number;
  /** Credits still inside the return window. */
  pending_minor: number;
}

/** A payout asked for more than is payable, or an adjustment would be invalid. */
export class LedgerRefused extends HttpProblem {
  constructor(code: string, detail: string, extensions: Record<string, unknown> = {}) {
    super(422, 'Ledger refused the entry', detail, { extensions: { code, ...extensions } });
  }
}

/** Inserts the entries whose posting key is new; returns those it inserted (a replay inserts none). */
export async function postEntries(trx: Tx, tenantId: string, entries: readonly NewEntry[]): Promise<LedgerEntry[]> {
  if (entries.length === 0) return [];
  const rows = await trx
    .insertInto('consignment_ledger_entries')
    .values(
      entries.map((entry) => ({
        tenant_id: tenantId,
        consignor_id: entry.consignorId,
        kind: entry.kind,
        amount_minor: entry.amountMinor,
        currency: entry.currency,
        posting_key: entry.postingKey,
        available_at: entry.availableAt,
        order_id: entry.orderId ?? null,
        order_line_id: entry.orderLineId ?? null,
        payout_id: entry.payoutId ?? null,
        rule: entry.rule ?? null,
        description: entry.description ?? null,
        reason: entry.reason ?? null,
        ticket: entry.ticket ?? null,
      })),
    )
    .onConflict((oc) => oc.columns(['tenant_id', 'posting_key']).doNothing())
    .returningAll()
    .execute();
  return rows.map(toEntry);
}

/**
 * Serialises every change to one consignor's payable amount (payouts, negative adjustments) within the store:
 * a transaction-scoped advisory lock, so two payouts at once see each other's reservation.
 */
export async function lockConsignorLedger(trx: Tx, tenantId: string, consignorId: string): Promise<void> {
  await sql`select pg_advisory_xact_lock(hashtextextended(${`consignment-ledger:${tenantId}:${consignorId}`}, 0))`.execute(trx);
}

const ZERO = (consignorId: string, currency: string): Balance => ({ consignor_id: consignorId, currency, balance_minor: 0, payable_minor: 0, pending_minor: 0 });

function toBalance(row: { consignor_id: string; currency: string; balance_minor: string; payable_minor: string | null }): Balance {
  const balance = Number(row.balance_minor);
  const payable = Number(row.payable_minor ?? 0);
  return { consignor_id: row.consignor_id, currency: row.currency, balance_minor: balance, payable_minor: payable, pending_minor: balance - payable };
}

/** A consignor's balance in the store's currency, summed from the entries. */
export async function balanceOf(trx: Tx, consignorId: string, currency: string): Promise<Balance> {
  const row = await trx
    .selectFrom('consignment_balances')
    .select(['consignor_id', 'currency', 'balance_minor', 'payable_minor'])
    .where('consignor_id', '=', consignorId)
    .where('currency', '=', currency)
    .executeTakeFirst();
  return row ? toBalance(row) : ZERO(consignorId, currency);
}

/** Balances of every consignor with entries, by consignor id (keyset pages). */
export async function listBalances(trx: Tx, options: { after?: string; limit: number; payableOnly?: boolean }): Promise<Balance[]> {
  let query = trx.selectFrom('consignment_balances').select(['consignor_id', 'currency', 'balance_minor', 'payable_minor']).orderBy('consignor_id').limit(options.limit);
  if (options.after) query = query.where('consignor_id', '>', options.after);
  if (options.payableOnly) query = query.where('payable_minor', '>', '0');
  return (await query.execute()).map(toBalance);
}

export async function listEntries(trx: Tx, options: { consignorId?: string; orderId?: string; before?: string; limit: number }): Promise<LedgerEntry[]> {
  let query = trx.selectFrom('consignment_ledger_entries').selectAll().orderBy('id', 'desc').limit(options.limit);
  if (options.consignorId) query = query.where('consignor_id', '=', options.consignorId);
  if (options.orderId) query = query.where('order_id', '=', options.orderId);
  if (options.before) query = query.where('id', '<', options.before);
  return (await query.execute()).map(toEntry);
}

/**
 * A staff correction, with its reason and support ticket. A negative adjustment may not take more than is
 * payable (it would let a later payout go below zero unseen); the posting key is the caller's idempotency key.
 */
export async function postAdjustment(
  trx: Tx,
  tenantId: string,
  input: { consignorId: string; amountMinor: number; currency: string; reason: string; ticket: string; key: string },
): Promise<LedgerEntry> {
  await lockConsignorLedger(trx, tenantId, input.consignorId);
  const postingKey = `adjustment:${input.key}`;
  const existing = await trx.selectFrom('consignment_ledger_entries').selectAll().where('tenant_id', '=', tenantId).where('posting_key', '=', postingKey).executeTakeFirst();
  if (existing) return toEntry(existing);
  if (input.amountMinor < 0) {
    const { payable_minor } = await balanceOf(trx, input.consignorId, input.currency);
    if (payable_minor + input.amountMinor < 0) {
      throw new LedgerRefused('adjustment_exceeds_payable', `A debit of ${-input.amountMinor} exceeds the payable ${payable_minor}.`, { payable_minor });
    }
  }
  const [entry] = await postEntries(trx, tenantId, [
    { consignorId: input.consignorId, kind: 'adjustment', amountMinor: input.amountMinor, currency: input.currency, postingKey, reason: input.reason, ticket: input.ticket },
  ]);
  return entry!;
}

type EntryRow = {
  id: string;
  consignor_id: string;
  kind: EntryKind;
  amount_minor: string;
  currency: string;
  posting_key: string;
  available_at: Date;
  order_id: string | null;
  order_line_id: string | null;
  payout_id: string | null;
  rule: string | null;
  description: string | null;
  reason: string | null;
  ticket: string | null;
  occurred_at: Date;
};

function toEntry(row: EntryRow): LedgerEntry {
  return {
    id: String(row.id),
    consignor_id: row.consignor_id,
    kind: row.kind,
    amount_minor: Number(row.amount_minor),
    currency: row.currency,
    posting_key: row.posting_key,
    available_at: row.available_at.toISOString(),
    order_id: row.order_id,
    order_line_id: row.order_line_id,
    payout_id: row.payout_id,
    rule: row.rule,
    description: row.description,
    reason: row.reason,
    ticket: row.ticket,
    occurred_at: row.occurred_at.toISOString(),
  };
}

/**
 * Takes a payout's amount off the ledger before any money moves: under the consignor's lock, refused when
 * more than the payable amount. One reservation per payout attempt (its posting key), so a retried step
 * reserves once.
 */
export async function reservePayout(
  trx: Tx,
  tenantId: string,
  payout: { id: string; consignorId: string; attempt: number; amountMinor: number; currency: string; description: string },
): Promise<LedgerEntry | undefined> {
  await lockConsignorLedger(trx, tenantId, payout.consignorId);
  const postingKey = `payout:${payout.id}:${payout.attempt}`;
  const existing = await trx.selectFrom('consignment_ledger_entries').select('id').where('tenant_id', '=', tenantId).where('posting_key', '=', postingKey).executeTakeFirst();
  if (existing) return undefined;
  const { payable_minor } = await balanceOf(trx, payout.consignorId, payout.currency);
  if (payout.amountMinor > payable_minor) {
    throw new LedgerRefused('payout_exceeds_payable', `A payout of ${payout.amountMinor} exceeds the payable ${payable_minor}.`, { payable_minor });
  }
  const [entry] = await postEntries(trx, tenantId, [
    { consignorId: payout.consignorId, kind: 'payout', amountMinor: -payout.amountMinor, currency: payout.currency, postingKey, payoutId: payout.id, description: payout.description },
  ]);
  return entry;
}

/** Gives a reservation back (the transfer failed, or staff cancelled the payout); a second release does nothing. */
export async function releasePayout(trx: Tx, tenantId: string, payout: { id: string; consignorId: string; attempt: number; currency: string }, why: string): Promise<void> {
  const reserved = await trx
    .selectFrom('consignment_ledger_entries')
    .select('amount_minor')
    .where('tenant_id', '=', tenantId)
    .where('posting_key', '=', `payout:${payout.id}:${payout.attempt}`)
    .executeTakeFirst();
  if (!reserved) return;
  await postEntries(trx, tenantId, [
    {
      consignorId: payout.consignorId,
      kind: 'payout',
      amountMinor: -Number(reserved.amount_minor),
      currency: payout.currency,
      postingKey: `payout:${payout.id}:${payout.attempt}:released`,
      payoutId: payout.id,
      description: why.slice(0, 500),
    },
  ]);
}

/**
 * Reserves many payouts in one transaction (payouts that move no money outside, paid by the store itself):
 * every consignor's lock taken in one statement in a fixed order, payable read once, and the reservations that
 * fit inserted together. Returns the ids of the payouts it could not reserve (more than payable).
 */
export async function reservePayouts(
  trx: Tx,
  tenantId: string,
  payouts: readonly { id: string; consignorId: string; attempt: number; amountMinor: number; currency: string; description: string }[],
): Promise<Set<string>> {
  if (payouts.length === 0) return new Set();
  const consignors = [...new Set(payouts.map((payout) => payout.consignorId))].sort();
  await sql`select pg_advisory_xact_lock(hashtextextended('consignment-ledger:' || ${tenantId} || ':' || c, 0)) from unnest(${consignors}::text[]) with ordinality as t(c, n) order by n`.execute(trx);
  const keys = payouts.map((payout) => `payout:${payout.id}:${payout.attempt}`);
  const existing = new Set((await trx.selectFrom('consignment_ledger_entries').select('posting_key').where('tenant_id', '=', tenantId).where('posting_key', 'in', keys).execute()).map((row) => row.posting_key));
  const balances = await trx
    .selectFrom('consignment_balances')
    .select(['consignor_id', 'currency', 'balance_minor', 'payable_minor'])
    .where('consignor_id', 'in', consignors)
    .execute();
  const payable = new Map(balances.map((row) => [`${row.consignor_id}:${row.currency}`, Number(row.payable_minor ?? 0)]));
  const refused = new Set<string>();
  const entries: NewEntry[] = [];
  for (const payout of payouts) {
    const postingKey = `payout:${payout.id}:${payout.attempt}`;
    if (existing.has(postingKey)) continue;
    const key = `${payout.consignorId}:${payout.currency}`;
    const available = payable.get(key) ?? 0;
    if (payout.amountMinor > available) {
      refused.add(payout.id);
      continue;
    }
    payable.set(key, available - payout.amountMinor);
    entries.push({ consignorId: payout.consignorId, kind: 'payout', amountMinor: -payout.amountMinor, currency: payout.currency, postingKey, payoutId: payout.id, description: payout.description });
  }
  await postEntries(trx, tenantId, entries);
  return refused;
}
