import { type ColumnType, type Generated, sql } from 'kysely';
import type { Tx } from '../../platform/db/database.ts';
import type { AuditColumns } from '../../platform/db/schema.ts';

export type PaymentStatus = 'requires_action' | 'authorised' | 'captured' | 'cancelled' | 'failed';

interface PaymentsTable extends AuditColumns {
  id: Generated<string>;
  tenant_id: string;
  order_id: string | null;
  provider: string;
  reference: string;
  status: PaymentStatus;
  amount_minor: ColumnType<string, number, number>;
  captured_minor: ColumnType<string, number | undefined, number>;
  refunded_minor: ColumnType<string, number | undefined, number>;
  currency: string;
}

interface RefundsTable extends AuditColumns {
  id: Generated<string>;
  tenant_id: string;
  order_id: string;
  payment_id: string;
  amount_minor: ColumnType<string, number, never>;
  reason: string;
  reference: string | null;
  lines: ColumnType<unknown, string, never>;
}

interface WebhookEventsTable extends AuditColumns {
  tenant_id: string;
  provider: string;
  event_id: string;
  type: string;
  created: Date;
  payload: ColumnType<unknown, string, never>;
  received_at: ColumnType<Date, never, never>;
  processed_at: Date | null;
  attempts: ColumnType<number, never, number>;
  last_error: string | null;
}

interface CheckoutSettingsTable extends Omit<AuditColumns, 'created_at'> {
  tenant_id: string;
  provider: ColumnType<'test' | 'stripe', 'test' | 'stripe' | undefined, 'test' | 'stripe'>;
  capture: ColumnType<'automatic' | 'manual', 'automatic' | 'manual' | undefined, 'automatic' | 'manual'>;
  prices_include_tax: ColumnType<boolean, boolean | undefined, boolean>;
}

declare module '../../platform/db/schema.ts' {
  interface Database {
    payments: PaymentsTable;
    refunds: RefundsTable;
    webhook_events: WebhookEventsTable;
    checkout_settings: CheckoutSettingsTable;
  }
}

export interface Payment {
  id: string;
  order_id: string | null;
  provider: string;
  reference: string;
  status: PaymentStatus;
  amount_minor: number;
  captured_minor: number;
  refunded_minor: number;
  currency: string;
}

const toPayment = (row: { id: string; order_id: string | null; provider: string; reference: string; status: PaymentStatus; amount_minor: string; captured_minor: string; refunded_minor: string; currency: string }): Payment => ({
  ...row,
  amount_minor: Number(row.amount_minor),
  captured_minor: Number(row.captured_minor),
  refunded_minor: Number(row.refunded_minor),
});

const COLUMNS = ['id', 'order_id', 'provider', 'reference', 'status', 'amount_minor', 'captured_minor', 'refunded_minor', 'currency'] as const;

export async function insertPayment(trx: Tx, tenantId: string, row: { provider: string; reference: string; status: PaymentStatus; amount_minor: number; captured_minor: number; currency: string }): Promise<Payment> {
  const inserted = await trx
    .insertInto('payments')
    .values({ tenant_id: tenantId, ...row })
    .onConflict((oc) => oc.columns(['tenant_id', 'provider', 'reference']).doUpdateSet({ updated_at: new Date() }))
    .returning(COLUMNS)
    .executeTakeFirstOrThrow();
  return toPayment(inserted);
}

export async function lockPayment(trx: Tx, by: { id: string } | { provider: string; reference: string }): Promise<Payment | undefined> {
  let query = trx.selectFrom('payments').select(COLUMNS).forUpdate();
  query = 'id' in by ? query.where('id', '=', by.id) : query.where('provider', '=', by.provider).where('reference', '=', by.reference);
  const row = await query.executeTakeFirst();
  return row && toPayment(row);
}

export async function paymentsOfOrder(trx: Tx, orderId: string): Promise<Payment[]> {
  const rows = await trx.selectFrom('payments').select(COLUMNS).where('order_id', '=', orderId).orderBy('created_at').execute();
  return rows.map(toPayment);
}

export async function updatePayment(trx: Tx, id: string, changes: { status?: PaymentStatus; captured_minor?: number; refunded_minor?: number; order_id?: string }): Promise<void> {
  await trx.updateTable('payments').set(changes).where('id', '=', id).execute();
}

export async function insertRefund(trx: Tx, tenantId: string, row: { order_id: string; payment_id: string; amount_minor: number; reason: string; reference: string; lines: unknown }): Promise<string> {
  const inserted = await trx
    .insertInto('refunds')
    .values({ tenant_id: tenantId, ...row, lines: JSON.stringify(row.lines) })
    .returning('id')
    .executeTakeFirstOrThrow();
  return inserted.id;
}

/** Stores the event; false when it was stored before (a redelivery). */
export async function storeWebhookEvent(trx: Tx, tenantId: string, event: { provider: string; id: string; type: string; created: Date; payload: unknown }): Promise<boolean> {
  const { rows } = await sql`
    insert into webhook_events (tenant_id, provider, event_id, type, created, payload)
    values (${tenantId}, ${event.provider}, ${event.id}, ${event.type}, ${event.created}, ${JSON.stringify(event.payload)}::jsonb)
    on conflict do nothing returning event_id`.execute(trx);
  return rows.length === 1;
}

export async function webhookEvent(trx: Tx, provider: string, eventId: string) {
  return trx.selectFrom('webhook_events').selectAll().where('provider', '=', provider).where('event_id', '=', eventId).executeTakeFirst();
}

export async function markWebhookEvent(trx: Tx, provider: string, eventId: string, outcome: { processed: boolean; error?: string }): Promise<void> {
  await trx
    .updateTable('webhook_events')
    .set((eb) => ({
      processed_at: outcome.processed ? new Date() : null,
      attempts: eb('attempts', '+', 1),
      last_error: outcome.error ?? null,
    }))
    .where('provider', '=', provider)
    .where('event_id', '=', eventId)
    .execute();
}

export interface CheckoutSettings {
  provider: 'test' | 'stripe';
  capture: 'automatic' | 'manual';
  prices_include_tax: boolean;
}

export async function checkoutSettings(trx: Tx): Promise<CheckoutSettings> {
  const row = await trx.selectFrom('checkout_settings').select(['provider', 'capture', 'prices_include_tax']).executeTakeFirst();
  return row ?? { provider: 'test', capture: 'automatic', prices_include_tax: false };
}

export async function saveCheckoutSettings(trx: Tx, tenantId: string, settings: CheckoutSettings): Promise<void> {
  await trx
    .insertInto('checkout_settings')
    .values({ tenant_id: tenantId, ...settings })
    .onConflict((oc) => oc.column('tenant_id').doUpdateSet(settings))
    .execute();
}
