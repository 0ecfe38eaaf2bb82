import { sql } from 'kysely';
import type { Tx } from '../../platform/db/database.ts';
import type { DiscrepancyKind } from './ledger-schema.ts';
import { reconciliationDiscrepancies, reconciliationRuns } from './ledger-telemetry.ts';
import type { MarketplaceProvider } from './marketplace.ts';

export interface Discrepancy {
  kind: DiscrepancyKind;
  payout_id: string | null;
  provider_reference: string | null;
  ledger_minor: number | null;
  provider_minor: number | null;
}

export interface Reconciliation {
  id: string;
  provider: string;
  day: string;
  payouts_checked: number;
  transfers_checked: number;
  discrepancies: number;
  created_at: string;
}

interface LedgerPayout {
  id: string;
  status: string;
  provider_reference: string | null;
  amount_minor: string;
}

const DAY_MS = 86_400_000;
/** A payout recorded just before midnight may have its transfer created just after: matching looks this far beyond the day. */
const MARGIN_MS = 3_600_000;

/**
 * Compares one day of the ledger's provider payouts with the provider's transfers of that day: a sent payout
 * without its transfer, a transfer of this store the ledger does not know (an answer lost before a retry), an
 * amount that differs, a reversal the ledger did not hear. Matching transfers confirm sent payouts as paid.
 * The day's record is replaced when it runs again.
 */
export async function reconcileDay(trx: Tx, tenantId: string, provider: MarketplaceProvider, day: string): Promise<{ reconciliation: Reconciliation; discrepancies: Discrepancy[] }> {
  const from = new Date(`${day}T00:00:00Z`);
  const to = new Date(from.getTime() + DAY_MS);
  let listed: Awaited<ReturnType<MarketplaceProvider['listTransfers']>>;
  try {
    listed = (await provider.listTransfers({ from: new Date(from.getTime() - MARGIN_MS), to: new Date(to.getTime() + MARGIN_MS) })).filter((transfer) => transfer.metadata.tenant_id === tenantId);
  } catch (error) {
    reconciliationRuns.inc({ provider: provider.name, outcome: 'failed' });
    throw error;
  }
  const { rows: payouts } = await sql<LedgerPayout>`
    select id, status, provider_reference, amount_minor from consignment_payouts
     where provider = ${provider.name} and sent_at >= ${from} and sent_at < ${to} and status in ('sent', 'paid', 'reversed')`.execute(trx);
  const byReference = new Map(listed.map((transfer) => [transfer.reference, transfer]));
  const transfers = listed.filter((transfer) => transfer.created >= from && transfer.created < to);
  const { rows: knownRows } = await sql<{ provider_reference: string }>`
    select provider_reference from consignment_payouts where provider = ${provider.name} and provider_reference = any(${transfers.map((transfer) => transfer.reference)}::text[])`.execute(trx);
  const known = new Set(knownRows.map((row) => row.provider_reference));
  const found: Discrepancy[] = [];
  const confirmed: string[] = [];
  for (const payout of payouts) {
    const ledgerMinor = Number(payout.amount_minor);
    const match = payout.provider_reference ? byReference.get(payout.provider_reference) : undefined;
    if (!match) found.push({ kind: 'missing_transfer', payout_id: payout.id, provider_reference: payout.provider_reference, ledger_minor: ledgerMinor, provider_minor: null });
    else if (match.amountMinor !== ledgerMinor) found.push({ kind: 'amount_mismatch', payout_id: payout.id, provider_reference: match.reference, ledger_minor: ledgerMinor, provider_minor: match.amountMinor });
    else if (match.reversed && payout.status !== 'reversed') found.push({ kind: 'reversed_transfer', payout_id: payout.id, provider_reference: match.reference, ledger_minor: ledgerMinor, provider_minor: match.amountMinor });
    else if (payout.status === 'sent') confirmed.push(payout.id);
  }
  for (const transfer of transfers) {
    if (!known.has(transfer.reference)) {
      found.push({ kind: 'unknown_transfer', payout_id: transfer.metadata.payout_id ?? null, provider_reference: transfer.reference, ledger_minor: null, provider_minor: transfer.amountMinor });
    }
  }
  if (confirmed.length > 0) await trx.updateTable('consignment_payouts').set({ status: 'paid', paid_at: new Date() }).where('id', 'in', confirmed).where('status', '=', 'sent').execute();

  await trx.deleteFrom('consignment_reconciliations').where('provider', '=', provider.name).where('day', '=', day).execute();
  const row = await trx
    .insertInto('consignment_reconciliations')
    .values({ tenant_id: tenantId, provider: provider.name, day, payouts_checked: payouts.length, transfers_checked: transfers.length, discrepancies: found.length })
    .returning(['id', 'provider', 'day', 'payouts_checked', 'transfers_checked', 'discrepancies', 'created_at'])
    .executeTakeFirstOrThrow();
  if (found.length > 0) {
    await trx
      .insertInto('consignment_reconciliation_discrepancies')
      .values(found.map((discrepancy) => ({ tenant_id: tenantId, reconciliation_id: row.id, ...discrepancy })))
      .execute();
  }
  for (const discrepancy of found) reconciliationDiscrepancies.inc({ provider: provider.name, kind: discrepancy.kind });
  reconciliationRuns.inc({ provider: provider.name, outcome: found.length > 0 ? 'discrepancies' : 'matched' });
  return { reconciliation: toReconciliation(row), discrepancies: found };
}

type ReconciliationRow = { id: string; provider: string; day: string | Date; payouts_checked: number; transfers_checked: number; discrepancies: number; created_at: Date };

function toReconciliation(row: ReconciliationRow): Reconciliation {
  const day = row.day instanceof Date ? row.day.toISOString().slice(0, 10) : String(row.day).slice(0, 10);
  return { id: row.id, provider: row.provider, day, payouts_checked: row.payouts_checked, transfers_checked: row.transfers_checked, discrepancies: row.discrepancies, created_at: row.created_at.toISOString() };
}

export async function listReconciliations(trx: Tx, limit: number): Promise<Reconciliation[]> {
  const rows = await trx
    .selectFrom('consignment_reconciliations')
    .select(['id', 'provider', sql<string>`day::text`.as('day'), 'payouts_checked', 'transfers_checked', 'discrepancies', 'created_at'])
    .orderBy('day', 'desc')
    .limit(limit)
    .execute();
  return rows.map(toReconciliation);
}

export async function discrepanciesOf(trx: Tx, reconciliationId: string): Promise<Discrepancy[]> {
  const rows = await trx
    .selectFrom('consignment_reconciliation_discrepancies')
    .select(['kind', 'payout_id', 'provider_reference', 'ledger_minor', 'provider_minor'])
    .where('reconciliation_id', '=', reconciliationId)
    .orderBy('id')
    .execute();
  return rows.map((row) => ({ ...row, ledger_minor: row.ledger_minor === null ? null : Number(row.ledger_minor), provider_minor: row.provider_minor === null ? null : Number(row.provider_minor) }));
}
