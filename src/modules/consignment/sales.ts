import { sql } from 'kysely';
import type { Tx } from '../../platform/db/database.ts';
import type { Order } from '../checkout/index.ts';
import { type LedgerEntry, postEntries } from './ledger.ts';

/** How one paid order line divides between its consignor and the store, and the rule that said so. */
export interface LineSplit {
  orderLineId: string;
  consignorId: string;
  title: string;
  /** What the split was computed on: the line's price after the discount as the agreement allocates it. */
  saleMinor: number;
  /** The consignor's share of `saleMinor`; the rest is the store's commission. */
  consignorMinor: number;
  rule: string;
}

const DAY_MS = 86_400_000;

/**
 * Credits each consigned line of a paid order: the sale as a credit, the store's share as a commission, both
 * payable once the return window after payment has passed. Posting keys are per line, so a redelivered
 * OrderPaid posts nothing new. Returns the sale credits it posted (for the sale notifications).
 */
export async function creditPaidOrder(trx: Tx, tenantId: string, order: Order, splits: readonly LineSplit[], paidAt: Date, returnWindowDays: number): Promise<LedgerEntry[]> {
  const availableAt = new Date(paidAt.getTime() + returnWindowDays * DAY_MS);
  const entries = splits.flatMap((split) => {
    const common = { consignorId: split.consignorId, currency: order.currency, availableAt, orderId: order.id, orderLineId: split.orderLineId, rule: split.rule };
    const commission = split.saleMinor - split.consignorMinor;
    return [
      ...(split.saleMinor !== 0
        ? [{ ...common, kind: 'sale_credit' as const, amountMinor: split.saleMinor, postingKey: `sale:${split.orderLineId}`, description: `Order #${order.number}: ${split.title}` }]
        : []),
      ...(commission !== 0 ? [{ ...common, kind: 'commission' as const, amountMinor: -commission, postingKey: `commission:${split.orderLineId}`, description: `Commission on order #${order.number}` }] : []),
    ];
  });
  const posted = await postEntries(trx, tenantId, entries);
  return posted.filter((entry) => entry.kind === 'sale_credit');
}

interface CreditedLine {
  order_line_id: string;
  consignor_id: string;
  currency: string;
  net_minor: string;
  clawed_minor: string;
  credit_available_at: Date;
}

/**
 * Reverses the consignors' share of what the order has had refunded so far: a line refunded by quantity loses
 * that fraction, and any refund not tied to lines (an amount) is spread over all lines in proportion. Each call
 * posts only the difference from what was already clawed back, under a lock on the order, so refunds processed
 * late, twice or out of order reach the same total. A clawback of a credit still inside the return window
 * becomes payable with it, so payable is never reduced below what it would have been without the sale.
 */
export async function clawBackRefunds(trx: Tx, tenantId: string, order: Order, eventId: string): Promise<LedgerEntry[]> {
  if (order.total_minor <= 0) return [];
  await sql`select pg_advisory_xact_lock(hashtextextended(${`consignment-order:${tenantId}:${order.id}`}, 0))`.execute(trx);
  const { rows } = await sql<CreditedLine>`
    select order_line_id, consignor_id, currency,
           coalesce(sum(amount_minor) filter (where kind in ('sale_credit', 'commission')), 0) as net_minor,
           coalesce(-sum(amount_minor) filter (where kind = 'refund_clawback'), 0) as clawed_minor,
           max(available_at) filter (where kind = 'sale_credit') as credit_available_at
      from consignment_ledger_entries
     where order_id = ${order.id} and order_line_id is not null
     group by order_line_id, consignor_id, currency`.execute(trx);
  const lines = new Map(order.lines.map((line) => [line.id, line]));
  const byLines = order.lines.reduce((sum, line) => sum + (line.quantity > 0 ? Math.round((line.total_minor * line.refunded_quantity) / line.quantity) : 0), 0);
  const spread = Math.max(0, Math.min(order.refunded_minor, order.total_minor) - byLines) / order.total_minor;
  const now = new Date();
  const entries = rows.flatMap((row) => {
    const line = lines.get(row.order_line_id);
    const lineFraction = line && line.quantity > 0 ? line.refunded_quantity / line.quantity : 0;
    const fraction = Math.min(1, lineFraction + spread);
    const net = Number(row.net_minor);
    const due = Math.round(net * fraction) - Number(row.clawed_minor);
    if (due <= 0) return [];
    return [
      {
        consignorId: row.consignor_id,
        kind: 'refund_clawback' as const,
        amountMinor: -due,
        currency: row.currency,
        postingKey: `clawback:${row.order_line_id}:${eventId}`,
        availableAt: row.credit_available_at > now ? row.credit_available_at : now,
        orderId: order.id,
        orderLineId: row.order_line_id,
        description: `Refund on order #${order.number}`,
      },
    ];
  });
  return postEntries(trx, tenantId, entries);
}
