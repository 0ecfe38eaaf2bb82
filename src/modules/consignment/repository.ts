import type { ColumnType, Generated } from 'kysely';
import type { AuditColumns } from '../../platform/db/schema.ts';

export const PAYOUT_METHODS = ['stripe_connect', 'check', 'cash', 'store_credit'] as const;
export type PayoutMethod = (typeof PAYOUT_METHODS)[number];
export const CONSIGNOR_STATUSES = ['active', 'inactive', 'archived'] as const;
export type ConsignorStatus = (typeof CONSIGNOR_STATUSES)[number];
export const EXPIRY_OUTCOMES = ['return', 'donate', 'store_stock'] as const;
export type ExpiryOutcome = (typeof EXPIRY_OUTCOMES)[number];
export const DISCOUNT_ABSORPTIONS = ['store', 'consignor', 'shared'] as const;
export type DiscountAbsorption = (typeof DISCOUNT_ABSORPTIONS)[number];
export type ItemStatus = 'pending' | 'on_floor' | 'sold' | 'returned' | 'donated' | 'store_stock';
export type BatchStatus = 'draft' | 'proposed' | 'accepted' | 'rejected';

export interface Address {
  line1?: string;
  line2?: string;
  city?: string;
  region?: string;
  postal_code?: string;
  country?: string;
}

export interface MarkdownStep {
  after_days: number;
  percent_off: number;
}

type NullableJson<T> = ColumnType<T | null, string | null | undefined, string | null>;
/** numeric columns are read as strings. */
type Numeric = ColumnType<string, string | number | undefined, string | number>;
type NullableNumeric = ColumnType<string | null, string | number | null | undefined, string | number | null>;
type AppendOnlyAudit = Omit<AuditColumns, 'updated_at'> & { updated_at: ColumnType<Date, never, never> };

export interface ConsignorsTable extends AuditColumns {
  id: Generated<string>;
  tenant_id: string;
  display_name: string;
  email: string | null;
  phone: string | null;
  address: NullableJson<Address>;
  tax_id_ciphertext: Buffer | null;
  tax_id_key_version: number | null;
  payout_method: ColumnType<PayoutMethod, PayoutMethod | undefined, PayoutMethod>;
  store_credit_bonus_percent: Numeric;
  stripe_account_id: string | null;
  status: ColumnType<ConsignorStatus, ConsignorStatus | undefined, ConsignorStatus>;
}

export interface TaxIdAccessLogTable extends AppendOnlyAudit {
  id: Generated<string>;
  tenant_id: string;
  consignor_id: string;
  operation: 'encrypt' | 'decrypt';
  key_version: number;
  actor: string;
  purpose: 'set' | 'reveal' | 'rotate';
}

export interface AgreementAcceptancesTable extends AppendOnlyAudit {
  id: Generated<string>;
  tenant_id: string;
  consignor_id: string;
  agreement_version: number;
  accepted_at: ColumnType<Date, never, never>;
  ip_address: string;
  user_agent: string | null;
  channel: 'portal' | 'in_store';
}

export interface StoreTermsTable extends AuditColumns {
  tenant_id: string;
  commission_percent: Numeric;
  intake_fee_minor: ColumnType<string, number | undefined, number>;
  monthly_fee_minor: ColumnType<string, number | undefined, number>;
  period_days: ColumnType<number, number | undefined, number>;
  grace_days: ColumnType<number, number | undefined, number>;
  expiry_outcome: ColumnType<ExpiryOutcome, ExpiryOutcome | undefined, ExpiryOutcome>;
  discount_absorption: ColumnType<DiscountAbsorption, DiscountAbsorption | undefined, DiscountAbsorption>;
  expiry_notice_days: ColumnType<number, number | undefined, number>;
  markdown_steps: ColumnType<MarkdownStep[], string | undefined, string>;
  agreement_version: ColumnType<number, number | undefined, number>;
  agreement_text: ColumnType<string, string | undefined, string>;
}

export interface ConsignorTermsTable extends AuditColumns {
  tenant_id: string;
  consignor_id: string;
  commission_percent: NullableNumeric;
  intake_fee_minor: ColumnType<string | null, number | null | undefined, number | null>;
  monthly_fee_minor: ColumnType<string | null, number | null | undefined, number | null>;
  period_days: number | null;
  grace_days: number | null;
  expiry_outcome: ExpiryOutcome | null;
  discount_absorption: DiscountAbsorption | null;
  markdown_steps: NullableJson<MarkdownStep[]>;
}

export interface CategoryCommissionsTable extends AuditColumns {
  tenant_id: string;
  category_id: string;
  commission_percent: Numeric;
}

export interface BatchesTable extends AuditColumns {
  id: Generated<string>;
  tenant_id: string;
  consignor_id: string;
  source: 'staff' | 'consignor';
  status: BatchStatus;
  note: string | null;
  accepted_at: Date | null;
}

export interface ItemsTable extends AuditColumns {
  id: Generated<string>;
  tenant_id: string;
  batch_id: string;
  consignor_id: string;
  position: number;
  title: string;
  description: ColumnType<string, string | undefined, string>;
  category_id: string | null;
  price_minor: ColumnType<string, number, number>;
  currency: string;
  commission_percent: NullableNumeric;
  status: ColumnType<ItemStatus, ItemStatus | undefined, ItemStatus>;
  sku: string | null;
  product_id: string | null;
  variant_id: string | null;
  received_at: Date | null;
  expires_at: Date | null;
  grace_ends_at: Date | null;
  markdown_step: ColumnType<number, number | undefined, number>;
  expiry_notice_sent_at: Date | null;
  sold_at: Date | null;
  closed_at: Date | null;
}

export interface PriceHistoryTable extends AppendOnlyAudit {
  id: Generated<string>;
  tenant_id: string;
  item_id: string;
  price_minor: ColumnType<string, number, never>;
  reason: 'intake' | 'markdown';
  markdown_step: ColumnType<number, number | undefined, never>;
}

declare module '../../platform/db/schema.ts' {
  interface Database {
    consignors: ConsignorsTable;
    consignor_tax_id_access_log: TaxIdAccessLogTable;
    consignor_agreement_acceptances: AgreementAcceptancesTable;
    consignment_store_terms: StoreTermsTable;
    consignor_terms: ConsignorTermsTable;
    consignment_category_commissions: CategoryCommissionsTable;
    consignment_batches: BatchesTable;
    consignment_items: ItemsTable;
    consignment_price_history: PriceHistoryTable;
  }
}
