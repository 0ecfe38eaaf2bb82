import type { ColumnType, Generated } from 'kysely';
import type { AuditColumns } from '../../platform/db/schema.ts';

export const ENTRY_KINDS = ['sale_credit', 'commission', 'fee', 'refund_clawback', 'payout', 'adjustment'] as const;
export type EntryKind = (typeof ENTRY_KINDS)[number];

/** bigint columns arrive as strings; inserts take numbers. */
type Minor = ColumnType<string, number, never>;
type NullableMinor = ColumnType<string | null, number | null | undefined, never>;

interface LedgerEntriesTable extends AuditColumns {
  id: Generated<string>;
  tenant_id: string;
  consignor_id: string;
  kind: EntryKind;
  amount_minor: Minor;
  currency: string;
  posting_key: string;
  available_at: ColumnType<Date, Date | undefined, never>;
  order_id: string | null;
  order_line_id: string | null;
  payout_id: string | null;
  rule: string | null;
  description: string | null;
  reason: string | null;
  ticket: string | null;
  occurred_at: ColumnType<Date, Date | undefined, never>;
}

interface BalancesView {
  tenant_id: string;
  consignor_id: string;
  currency: string;
  balance_minor: string;
  payable_minor: string | null;
  entries: number;
}

interface PayoutSettingsTable extends AuditColumns {
  tenant_id: string;
  return_window_days: ColumnType<number, number | undefined, number>;
  minimum_payout_minor: ColumnType<string, number | undefined, number>;
  currency: ColumnType<string, string | undefined, string>;
}

export const RUN_STATUSES = ['awaiting_approval', 'approved', 'processing', 'completed', 'incomplete', 'rejected'] as const;
export type RunStatus = (typeof RUN_STATUSES)[number];

interface PayoutRunsTable extends AuditColumns {
  id: Generated<string>;
  tenant_id: string;
  status: ColumnType<RunStatus, RunStatus | undefined, RunStatus>;
  origin: 'schedule' | 'on_demand';
  currency: string;
  total_minor: ColumnType<string, number | undefined, number>;
  payouts: ColumnType<number, number | undefined, number>;
  approved_at: ColumnType<Date | null, never, Date>;
  closed_at: ColumnType<Date | null, never, Date | null>;
}

export const PAYOUT_STATUSES = ['proposed', 'sending', 'sent', 'awaiting_handover', 'paid', 'failed', 'reversed', 'cancelled'] as const;
export type PayoutStatus = (typeof PAYOUT_STATUSES)[number];
export type PayoutChannel = 'stripe_connect' | 'test' | 'check' | 'cash' | 'store_credit';

interface PayoutsTable extends AuditColumns {
  id: Generated<string>;
  tenant_id: string;
  run_id: string;
  consignor_id: string;
  method: PayoutChannel;
  amount_minor: Minor;
  bonus_minor: ColumnType<string, number | undefined, never>;
  currency: string;
  status: ColumnType<PayoutStatus, PayoutStatus | undefined, PayoutStatus>;
  attempt: ColumnType<number, number | undefined, number>;
  provider: string | null;
  provider_reference: string | null;
  handover_reference: string | null;
  sent_at: ColumnType<Date | null, never, Date | null>;
  failure: string | null;
  paid_at: ColumnType<Date | null, never, Date | null>;
}

interface PayoutApprovalsTable extends AuditColumns {
  id: Generated<string>;
  tenant_id: string;
  run_id: string;
  decision: 'approved' | 'rejected';
  ticket: string;
  note: string | null;
  decided_by: string;
  decided_at: ColumnType<Date, never, never>;
}

interface ReconciliationsTable extends AuditColumns {
  id: Generated<string>;
  tenant_id: string;
  provider: string;
  day: ColumnType<string, string, string>;
  payouts_checked: number;
  transfers_checked: number;
  discrepancies: number;
}

export const DISCREPANCY_KINDS = ['missing_transfer', 'unknown_transfer', 'amount_mismatch', 'reversed_transfer'] as const;
export type DiscrepancyKind = (typeof DISCREPANCY_KINDS)[number];

interface DiscrepanciesTable extends AuditColumns {
  id: Generated<string>;
  tenant_id: string;
  reconciliation_id: string;
  kind: DiscrepancyKind;
  payout_id: string | null;
  provider_reference: string | null;
  ledger_minor: NullableMinor;
  provider_minor: NullableMinor;
}

interface StatementsTable extends AuditColumns {
  id: Generated<string>;
  tenant_id: string;
  consignor_id: string;
  period: ColumnType<string, string, never>;
  currency: string;
  opening_minor: Minor;
  closing_minor: Minor;
  entries: number;
  html: string;
  csv: string;
}

export const NOTIFICATION_KINDS = ['sale', 'expiry', 'payout', 'statement'] as const;
export type NotificationKind = (typeof NOTIFICATION_KINDS)[number];

interface NotificationsTable extends AuditColumns {
  id: Generated<string>;
  tenant_id: string;
  consignor_id: string;
  kind: NotificationKind;
  dedupe_key: string;
  subject: string;
  body: string;
  sent_at: ColumnType<Date | null, never, Date>;
}

interface OrderEventsTable {
  tenant_id: string;
  event_id: ColumnType<string, string, never>;
  type: string;
  processed_at: ColumnType<Date, never, never>;
  created_by: ColumnType<string | null, never, never>;
  updated_by: ColumnType<string | null, never, never>;
  updated_at: ColumnType<Date, never, never>;
}

declare module '../../platform/db/schema.ts' {
  interface Database {
    consignment_ledger_entries: LedgerEntriesTable;
    consignment_balances: BalancesView;
    consignment_payout_settings: PayoutSettingsTable;
    consignment_payout_runs: PayoutRunsTable;
    consignment_payouts: PayoutsTable;
    consignment_payout_approvals: PayoutApprovalsTable;
    consignment_reconciliations: ReconciliationsTable;
    consignment_reconciliation_discrepancies: DiscrepanciesTable;
    consignment_statements: StatementsTable;
    consignment_notifications: NotificationsTable;
    consignment_order_events: OrderEventsTable;
    consignment_event_watermark: { singleton: ColumnType<boolean, never, never>; last_event_id: ColumnType<string, never, number | string> };
  }
}
