import type { Selectable } from 'kysely';
import type { Tx } from '../../platform/db/database.ts';
import type { Address, ConsignorsTable, ConsignorStatus, PayoutMethod } from './repository.ts';

/** A consignor as other modules and the admin API see it: never the tax identifier, only whether one is on file. */
export interface Consignor {
  id: string;
  display_name: string;
  email: string | null;
  phone: string | null;
  address: Address | null;
  has_tax_id: boolean;
  tax_id_key_version: number | null;
  payout_method: PayoutMethod;
  store_credit_bonus_percent: number;
  stripe_account_id: string | null;
  status: ConsignorStatus;
  created_at: string;
  updated_at: string;
}

export function toConsignor(row: Selectable<ConsignorsTable>): Consignor {
  return {
    id: row.id,
    display_name: row.display_name,
    email: row.email,
    phone: row.phone,
    address: row.address,
    has_tax_id: row.tax_id_ciphertext !== null,
    tax_id_key_version: row.tax_id_key_version,
    payout_method: row.payout_method,
    store_credit_bonus_percent: Number(row.store_credit_bonus_percent),
    stripe_account_id: row.stripe_account_id,
    status: row.status,
    created_at: row.created_at.toISOString(),
    updated_at: row.updated_at.toISOString(),
  };
}

/** The consignor of this store, or undefined. */
export async function getConsignor(trx: Tx, tenantId: string, id: string): Promise<Consignor | undefined> {
  const row = await trx.selectFrom('consignors').selectAll().where('tenant_id', '=', tenantId).where('id', '=', id).executeTakeFirst();
  return row && toConsignor(row);
}

export interface NewConsignor {
  display_name: string;
  email?: string | null;
  phone?: string | null;
  address?: Address | null;
  payout_method?: PayoutMethod;
  store_credit_bonus_percent?: number;
}

export async function insertConsignor(trx: Tx, tenantId: string, input: NewConsignor): Promise<Consignor> {
  const row = await trx
    .insertInto('consignors')
    .values({
      tenant_id: tenantId,
      display_name: input.display_name,
      email: input.email?.toLowerCase() ?? null,
      phone: input.phone ?? null,
      address: input.address ? JSON.stringify(input.address) : null,
      payout_method: input.payout_method,
      store_credit_bonus_percent: input.store_credit_bonus_percent,
    })
    .returningAll()
    .executeTakeFirstOrThrow();
  return toConsignor(row);
}
