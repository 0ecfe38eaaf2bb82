import { sql } from 'kysely';
import type { Tx } from '../../platform/db/database.ts';
import { items, proposals, propose, storeCurrency } from './consignor-items-view.ts';
import { type Balance, balanceOf } from './ledger.ts';
import type { PayoutChannel, PayoutStatus } from './ledger-schema.ts';
import { listNotifications } from './notifications.ts';
import { payoutSettings } from './payout-settings.ts';

/**
 * What one consignor may see of their own account, for the consignor portal. Every function takes the consignor's
 * id and filters by it (inside the store's tenant context, so RLS keeps other stores out): a portal session reaches
 * its own rows only, and an id of another consignor's row finds nothing.
 */

export interface ConsignorSale {
  order_line_id: string;
  order_id: string;
  description: string;
  currency: string;
  sale_minor: number;
  commission_minor: number;
  refunded_minor: number;
  /** What the consignor earns from the line after commission and refunds. */
  net_minor: number;
  sold_at: string;
  payable_at: string;
}

export interface ConsignorPayout {
  id: string;
  method: PayoutChannel;
  status: PayoutStatus;
  amount_minor: number;
  bonus_minor: number;
  currency: string;
  reference: string | null;
  created_at: string;
  paid_at: string | null;
}

export interface ConsignorStatement {
  id: string;
  period: string;
  currency: string;
  opening_minor: number;
  closing_minor: number;
  entries: number;
}

export interface ConsignorNotification {
  id: string;
  kind: string;
  subject: string;
  body: string;
  created_at: string;
}

/** Balance in the store's payout currency: payable now vs still inside the return window. */
async function balance(trx: Tx, consignorId: string): Promise<Balance> {
  const { currency } = await payoutSettings(trx);
  return balanceOf(trx, consignorId, currency);
}

/** One row per sold order line, newest first: the sale, the store's commission, and what refunds took back. */
async function sales(trx: Tx, consignorId: string, limit: number): Promise<ConsignorSale[]> {
  const { rows } = await sql<{
    order_line_id: string;
    order_id: string;
    description: string | null;
    currency: string;
    sale_minor: string;
    commission_minor: string;
    refunded_minor: string;
    sold_at: Date;
    payable_at: Date;
  }>`
    select order_line_id, order_id, currency,
           (array_agg(description order by id) filter (where kind = 'sale_credit'))[1] as description,
           coalesce(sum(amount_minor) filter (where kind = 'sale_credit'), 0) as sale_minor,
           coalesce(-sum(amount_minor) filter (where kind = 'commission'), 0) as commission_minor,
           coalesce(-sum(amount_minor) filter (where kind = 'refund_clawback'), 0) as refunded_minor,
           min(occurred_at) as sold_at,
           max(available_at) filter (where kind = 'sale_credit') as payable_at
      from consignment_ledger_entries
     where consignor_id = ${consignorId} and order_line_id is not null
     group by order_line_id, order_id, currency
     order by min(occurred_at) desc, order_line_id
     limit ${limit}`.execute(trx);
  return rows.map((row) => {
    const [sale, commission, refunded] = [Number(row.sale_minor), Number(row.commission_minor), Number(row.refunded_minor)];
    return {
      order_line_id: row.order_line_id,
      order_id: row.order_id,
      description: row.description ?? '',
      currency: row.currency,
      sale_minor: sale,
      commission_minor: commission,
      refunded_minor: refunded,
      net_minor: sale - commission - refunded,
      sold_at: row.sold_at.toISOString(),
      payable_at: (row.payable_at ?? row.sold_at).toISOString(),
    };
  });
}

async function payouts(trx: Tx, consignorId: string, limit: number): Promise<ConsignorPayout[]> {
  const rows = await trx
    .selectFrom('consignment_payouts')
    .select(['id', 'method', 'status', 'amount_minor', 'bonus_minor', 'currency', 'handover_reference', 'created_at', 'paid_at'])
    .where('consignor_id', '=', consignorId)
    .orderBy('created_at', 'desc')
    .orderBy('id')
    .limit(limit)
    .execute();
  return rows.map((row) => ({
    id: row.id,
    method: row.method,
    status: row.status,
    amount_minor: Number(row.amount_minor),
    bonus_minor: Number(row.bonus_minor),
    currency: row.currency,
    reference: row.handover_reference,
    created_at: row.created_at.toISOString(),
    paid_at: row.paid_at?.toISOString() ?? null,
  }));
}

async function statements(trx: Tx, consignorId: string, limit: number): Promise<ConsignorStatement[]> {
  const rows = await trx
    .selectFrom('consignment_statements')
    .select(['id', sql<string>`period::text`.as('period'), 'currency', 'opening_minor', 'closing_minor', 'entries'])
    .where('consignor_id', '=', consignorId)
    .orderBy('period', 'desc')
    .limit(limit)
    .execute();
  return rows.map((row) => ({ ...row, opening_minor: Number(row.opening_minor), closing_minor: Number(row.closing_minor) }));
}

/** The stored statement document, only if it is this consignor's. */
async function statementDocument(trx: Tx, consignorId: string, statementId: string, format: 'html' | 'csv'): Promise<{ period: string; body: string } | undefined> {
  const row = await trx
    .selectFrom('consignment_statements')
    .select([sql<string>`period::text`.as('period'), 'html', 'csv'])
    .where('id', '=', statementId)
    .where('consignor_id', '=', consignorId)
    .executeTakeFirst();
  return row && { period: row.period, body: row[format] };
}

async function notifications(trx: Tx, consignorId: string, limit: number): Promise<ConsignorNotification[]> {
  const rows = await listNotifications(trx, consignorId, limit);
  return rows.map((row) => ({ id: row.id, kind: row.kind, subject: row.subject, body: row.body, created_at: row.created_at.toISOString() }));
}

export const consignorView = { balance, sales, payouts, statements, statementDocument, notifications, items, proposals, propose, storeCurrency };
