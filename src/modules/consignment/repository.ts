import type { ColumnType, Generated } from 'kysely';
import type { AuditColumns } from '../../platform/db/schema.ts';

export const PAYOUT_METHODS = ['stripe_connect', 'check', 'cash', 'store_credit'] as const;
export type PayoutMethod = (typeof PAYOUT_METHODS)[number];
export const CONSIGNOR_STATUSES = ['active', 'inactive', 'archived'] as const;
export type ConsignorStatus = (typeof CONSIGNOR_STATUSES)[number];

export interface Address {
  line1?: string;
  line2?: string;
  city?: string;
  region?: string;
  postal_code?: string;
  country?: string;
}

export interface ConsignorsTable extends AuditColumns {
  id: Generated<string>;
  tenant_id: string;
  display_name: string;
  email: string | null;
  phone: string | null;
  address: ColumnType<Address | null, string | null, string | null>;
  tax_id_ciphertext: Buffer | null;
  tax_id_key_version: number | null;
  payout_method: ColumnType<PayoutMethod, PayoutMethod | undefined, PayoutMethod>;
  /** numeric(5,2): read as a string. */
  store_credit_bonus_percent: ColumnType<string, string | number | undefined, string | number>;
  stripe_account_id: string | null;
  status: ColumnType<ConsignorStatus, ConsignorStatus | undefined, ConsignorStatus>;
}

declare module '../../platform/db/schema.ts' {
  interface Database {
    consignors: ConsignorsTable;
  }
}
