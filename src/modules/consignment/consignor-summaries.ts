import type { Tx } from '../../platform/db/database.ts';
import type { Consignor } from './consignors.ts';
import { payoutSettings } from './payout-settings.ts';
import type { ConsignorSummary } from './schemas.ts';

/**
 * A page of consignors with what the staff list shows beside each: the agreement version they last accepted and
 * their balance in the store's currency, read in two statements for the whole page (the balance from the derived
 * view, never a stored figure).
 */
export async function withSummaries(trx: Tx, tenantId: string, consignors: readonly Consignor[]): Promise<ConsignorSummary[]> {
  if (consignors.length === 0) return [];
  const ids = consignors.map((consignor) => consignor.id);
  const { currency } = await payoutSettings(trx);
  const balances = await trx
      .selectFrom('consignment_balances')
      .select(['consignor_id', 'balance_minor', 'payable_minor'])
      .where('tenant_id', '=', tenantId)
      .where('consignor_id', 'in', ids)
      .where('currency', '=', currency)
      .execute();
  const acceptances = await trx
      .selectFrom('consignor_agreement_acceptances')
      .distinctOn('consignor_id')
      .select(['consignor_id', 'agreement_version', 'accepted_at'])
      .where('tenant_id', '=', tenantId)
      .where('consignor_id', 'in', ids)
      .orderBy('consignor_id')
      .orderBy('accepted_at', 'desc')
      .execute();
  const balanceOfId = new Map(balances.map((row) => [row.consignor_id, row]));
  const acceptanceOfId = new Map(acceptances.map((row) => [row.consignor_id, row]));
  return consignors.map((consignor) => {
    const balance = balanceOfId.get(consignor.id);
    const acceptance = acceptanceOfId.get(consignor.id);
    return {
      ...consignor,
      accepted_agreement_version: acceptance?.agreement_version ?? null,
      accepted_agreement_at: acceptance?.accepted_at.toISOString() ?? null,
      currency,
      balance_minor: Number(balance?.balance_minor ?? 0),
      payable_minor: Number(balance?.payable_minor ?? 0),
    };
  });
}

/** Rows about consignors with each one's name beside its id, in one statement for all of them. */
export async function withConsignorNames<T extends { consignor_id: string }>(trx: Tx, tenantId: string, rows: readonly T[]): Promise<(T & { consignor_name: string })[]> {
  const ids = [...new Set(rows.map((row) => row.consignor_id))];
  const names = ids.length === 0 ? [] : await trx.selectFrom('consignors').select(['id', 'display_name']).where('tenant_id', '=', tenantId).where('id', 'in', ids).execute();
  const nameOf = new Map(names.map((row) => [row.id, row.display_name]));
  return rows.map((row) => ({ ...row, consignor_name: nameOf.get(row.consignor_id) ?? '' }));
}
