import { sql } from 'kysely';
import type { Tx } from '../../platform/db/database.ts';
import { type LedgerEntry, postEntries } from './ledger.ts';
import { payoutSettings } from './payout-settings.ts';
import { termsFor } from './terms.ts';

const monthName = (period: string) => new Date(`${period}T00:00:00Z`).toLocaleString('en-US', { month: 'long', year: 'numeric', timeZone: 'UTC' });

/** The intake fee of an accepted batch (per item, under the consignor's terms), posted once per batch. */
export async function postIntakeFee(
  trx: Tx,
  tenantId: string,
  batch: { id: string; consignorId: string; items: number; currency: string; feePerItemMinor: number },
): Promise<LedgerEntry[]> {
  if (batch.feePerItemMinor <= 0) return [];
  return postEntries(trx, tenantId, [
    {
      consignorId: batch.consignorId,
      kind: 'fee',
      amountMinor: -batch.feePerItemMinor * batch.items,
      currency: batch.currency,
      postingKey: `intake-fee:${batch.id}`,
      description: `Intake fee: ${batch.items} item${batch.items === 1 ? '' : 's'}`,
    },
  ]);
}

/**
 * The month's flat fee of every consignor who had an item on the floor at some point of the month (`period` is its
 * first day), posted once per consignor and month: a re-run posts nothing new. Returns how many it posted.
 */
export async function postMonthlyFees(trx: Tx, tenantId: string, period: string): Promise<number> {
  const { currency } = await payoutSettings(trx);
  const { rows } = await sql<{ consignor_id: string }>`
    select distinct consignor_id from consignment_items
     where tenant_id = ${tenantId} and status <> 'pending'
       and received_at < ${period}::date + interval '1 month'
       and coalesce(sold_at, closed_at, 'infinity') >= ${period}::date
     order by consignor_id`.execute(trx);
  let posted = 0;
  for (const { consignor_id: consignorId } of rows) {
    const { monthly_fee_minor: fee } = await termsFor(trx, tenantId, consignorId);
    if (fee <= 0) continue;
    const entries = await postEntries(trx, tenantId, [
      { consignorId, kind: 'fee', amountMinor: -fee, currency, postingKey: `monthly-fee:${period}:${consignorId}`, description: `Monthly fee, ${monthName(period)}` },
    ]);
    posted += entries.length;
  }
  return posted;
}
