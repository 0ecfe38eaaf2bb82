import type { Tx } from '../../platform/db/database.ts';

export interface PayoutSettings {
  /** Days after a sale before its credit is payable (returns are still possible until then). */
  return_window_days: number;
  /** Consignors with less payable are left for the next run. */
  minimum_payout_minor: number;
  currency: string;
}

export const DEFAULT_PAYOUT_SETTINGS: PayoutSettings = { return_window_days: 14, minimum_payout_minor: 100, currency: 'USD' };

export async function payoutSettings(trx: Tx): Promise<PayoutSettings> {
  const row = await trx.selectFrom('consignment_payout_settings').select(['return_window_days', 'minimum_payout_minor', 'currency']).executeTakeFirst();
  return row ? { return_window_days: row.return_window_days, minimum_payout_minor: Number(row.minimum_payout_minor), currency: row.currency } : DEFAULT_PAYOUT_SETTINGS;
}

export async function savePayoutSettings(trx: Tx, tenantId: string, settings: PayoutSettings): Promise<PayoutSettings> {
  await trx
    .insertInto('consignment_payout_settings')
    .values({ tenant_id: tenantId, ...settings })
    .onConflict((oc) => oc.column('tenant_id').doUpdateSet({ ...settings, updated_at: new Date() }))
    .execute();
  return settings;
}
