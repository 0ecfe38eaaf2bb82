import { type ColumnType, type ExpressionBuilder, type Generated, sql } from 'kysely';
import type { Tx } from '../../platform/db/database.ts';
import type { AuditColumns, Database } from '../../platform/db/schema.ts';
import { HttpProblem } from '../../platform/http/problem.ts';
import type { Address } from './address.ts';

export const ORDER_STATUSES = ['pending', 'authorised', 'paid', 'partially_fulfilled', 'fulfilled', 'closed', 'cancelled', 'partially_refunded', 'refunded'] as const;
export type OrderStatus = (typeof ORDER_STATUSES)[number];

/**
 * The order lifecycle. Payment moves an order from pending to authorised or paid; fulfilment and refunds move
 * it on; closed, cancelled and refunded are final except that a refunded order may still be closed.
 */
const TRANSITIONS: Record<OrderStatus, readonly OrderStatus[]> = {
  pending: ['authorised', 'paid', 'cancelled'],
  authorised: ['paid', 'cancelled'],
  paid: ['partially_fulfilled', 'fulfilled', 'partially_refunded', 'refunded', 'cancelled'],
  partially_fulfilled: ['fulfilled', 'partially_refunded', 'refunded'],
  fulfilled: ['closed', 'partially_refunded', 'refunded'],
  partially_refunded: ['partially_refunded', 'partially_fulfilled', 'fulfilled', 'refunded', 'closed'],
  refunded: ['closed'],
  closed: [],
  cancelled: [],
};

export function canTransition(from: OrderStatus, to: OrderStatus): boolean {
  return TRANSITIONS[from].includes(to);
}

export class InvalidTransition extends HttpProblem {
  constructor(from: OrderStatus, action: string) {
    super(409, 'Invalid order state', `An order that is ${from} cannot be ${action}.`, { extensions: { code: 'invalid_transition', status: from } });
  }
}

interface OrdersTable extends AuditColumns {
  id: Generated<string>;
  tenant_id: string;
  number: number;
  checkout_id: string;
  customer_id: string | null;
  email: string;
  status: OrderStatus;
  currency: string;
  prices_include_tax: boolean;
  subtotal_minor: ColumnType<string, number, never>;
  discount_minor: ColumnType<string, number, never>;
  shipping_minor: ColumnType<string, number, never>;
  tax_minor: ColumnType<string, number, never>;
  total_minor: ColumnType<string, number, never>;
  refunded_minor: ColumnType<string, number | undefined, number>;
  shipping_address: ColumnType<Address, string, never>;
  shipping_method: ColumnType<{ id: string; name: string; amount_minor: number }, string, never>;
  placed_at: ColumnType<Date, never, never>;
}

interface OrderLinesTable extends Omit<AuditColumns, 'created_at'> {
  id: Generated<string>;
  tenant_id: string;
  order_id: string;
  variant_id: string | null;
  sku: string;
  title: string;
  quantity: number;
  unit_price_minor: ColumnType<string, number, never>;
  discount_minor: ColumnType<string, number, never>;
  tax_minor: ColumnType<string, number, never>;
  total_minor: ColumnType<string, number, never>;
  fulfilled_quantity: ColumnType<number, never, number>;
  refunded_quantity: ColumnType<number, never, number>;
  position: number;
}

declare module '../../platform/db/schema.ts' {
  interface Database {
    orders: OrdersTable;
    order_lines: OrderLinesTable;
    order_counters: { tenant_id: string; last_number: number; created_by: ColumnType<string | null, never, never>; updated_by: ColumnType<string | null, never, never>; updated_at: ColumnType<Date, never, Date | undefined> };
  }
}

export interface OrderLine {
  id: string;
  variant_id: string | null;
  sku: string;
  title: string;
  quantity: number;
  unit_price_minor: number;
  discount_minor: number;
  tax_minor: number;
  total_minor: number;
  fulfilled_quantity: number;
  refunded_quantity: number;
}

export interface Order {
  id: string;
  number: number;
  customer_id: string | null;
  email: string;
  status: OrderStatus;
  currency: string;
  prices_include_tax: boolean;
  subtotal_minor: number;
  discount_minor: number;
  shipping_minor: number;
  tax_minor: number;
  total_minor: number;
  refunded_minor: number;
  shipping_address: Address;
  shipping_method: { id: string; name: string; amount_minor: number };
  placed_at: string;
  lines: OrderLine[];
}

export interface NewOrder {
  checkoutId: string;
  customerId: string | null;
  email: string;
  currency: string;
  pricesIncludeTax: boolean;
  subtotalMinor: number;
  discountMinor: number;
  shippingMinor: number;
  taxMinor: number;
  totalMinor: number;
  address: Address;
  shippingMethod: { id: string; name: string; amount_minor: number };
  lines: { variant_id: string; sku: string; title: string; quantity: number; unit_price_minor: number; discount_minor: number; tax_minor: number; total_minor: number }[];
}

/** Writes the order with the store's next number (the counter row is locked until commit: no duplicates, no gaps). */
export async function insertOrder(trx: Tx, tenantId: string, order: NewOrder): Promise<{ id: string; number: number }> {
  const { rows } = await sql<{ id: string; number: number }>`
    with counter as (
      insert into order_counters (tenant_id, last_number) values (${tenantId}, 1001)
      on conflict (tenant_id) do update set last_number = order_counters.last_number + 1, updated_at = now()
      returning last_number
    )
    insert into orders (tenant_id, number, checkout_id, customer_id, email, status, currency, prices_include_tax, subtotal_minor, discount_minor,
                        shipping_minor, tax_minor, total_minor, shipping_address, shipping_method)
    select ${tenantId}, last_number, ${order.checkoutId}, ${order.customerId}, ${order.email}, 'pending', ${order.currency}, ${order.pricesIncludeTax},
           ${order.subtotalMinor}, ${order.discountMinor}, ${order.shippingMinor}, ${order.taxMinor}, ${order.totalMinor},
           ${JSON.stringify(order.address)}::jsonb, ${JSON.stringify(order.shippingMethod)}::jsonb
      from counter
    returning id, number`.execute(trx);
  const placed = rows[0]!;
  const lines = order.lines;
  await sql`
    insert into order_lines (tenant_id, order_id, variant_id, sku, title, quantity, unit_price_minor, discount_minor, tax_minor, total_minor, position)
    select ${tenantId}, ${placed.id}, l.variant_id, l.sku, l.title, l.quantity, l.unit_price_minor, l.discount_minor, l.tax_minor, l.total_minor, l.position
      from unnest(${lines.map((line) => line.variant_id)}::uuid[], ${lines.map((line) => line.sku)}::text[], ${lines.map((line) => line.title)}::text[],
                  ${lines.map((line) => line.quantity)}::int[], ${lines.map((line) => line.unit_price_minor)}::bigint[], ${lines.map((line) => line.discount_minor)}::bigint[],
                  ${lines.map((line) => line.tax_minor)}::bigint[], ${lines.map((line) => line.total_minor)}::bigint[], ${lines.map((_, index) => index)}::int[])
           as l(variant_id, sku, title, quantity, unit_price_minor, discount_minor, tax_minor, total_minor, position)`.execute(trx);
  return placed;
}

const ORDER_COLUMNS = [
  'id',
  'number',
  'customer_id',
  'email',
  'status',
  'currency',
  'prices_include_tax',
  'subtotal_minor',
  'discount_minor',
  'shipping_minor',
  'tax_minor',
  'total_minor',
  'refunded_minor',
  'shipping_address',
  'shipping_method',
  'placed_at',
] as const;

export async function loadOrder(trx: Tx, by: { id: string } | { number: number }, options: { lock?: boolean; customerId?: string } = {}): Promise<Order | undefined> {
  let query = trx.selectFrom('orders').select(ORDER_COLUMNS);
  query = 'id' in by ? query.where('id', '=', by.id) : query.where('number', '=', by.number);
  if (options.customerId) query = query.where('customer_id', '=', options.customerId);
  if (options.lock) query = query.forUpdate();
  const row = await query.executeTakeFirst();
  if (!row) return undefined;
  const lines = await trx
    .selectFrom('order_lines')
    .select(['id', 'variant_id', 'sku', 'title', 'quantity', 'unit_price_minor', 'discount_minor', 'tax_minor', 'total_minor', 'fulfilled_quantity', 'refunded_quantity'])
    .where('order_id', '=', row.id)
    .orderBy('position')
    .execute();
  return {
    ...row,
    subtotal_minor: Number(row.subtotal_minor),
    discount_minor: Number(row.discount_minor),
    shipping_minor: Number(row.shipping_minor),
    tax_minor: Number(row.tax_minor),
    total_minor: Number(row.total_minor),
    refunded_minor: Number(row.refunded_minor),
    placed_at: row.placed_at.toISOString(),
    lines: lines.map((line) => ({
      ...line,
      unit_price_minor: Number(line.unit_price_minor),
      discount_minor: Number(line.discount_minor),
      tax_minor: Number(line.tax_minor),
      total_minor: Number(line.total_minor),
    })),
  };
}

export interface OrderSummary {
  id: string;
  number: number;
  email: string;
  status: OrderStatus;
  currency: string;
  total_minor: number;
  placed_at: string;
}

/** Newest first, keyset-paginated on (placed_at, id); `query` matches the e-mail or the order number. */
/** Orders with units still to ship: paid (or authorised, captured when fulfilled) and not all lines done. */
const FULFILLABLE: OrderStatus[] = ['authorised', 'paid', 'partially_fulfilled', 'partially_refunded'];
function toFulfil(eb: ExpressionBuilder<Database, 'orders'>) {
  return eb.and([
    eb('orders.status', 'in', FULFILLABLE),
    eb.exists(
      eb
        .selectFrom('order_lines as l')
        .select('l.id')
        .whereRef('l.order_id', '=', 'orders.id')
        .where(sql<boolean>`l.quantity > l.fulfilled_quantity + l.refunded_quantity`),
    ),
  ]);
}

export async function listOrders(
  trx: Tx,
  filter: { status?: OrderStatus | 'to_fulfil' | undefined; query?: string | undefined; customerId?: string | undefined; after?: { placedAt: string; id: string } | undefined; limit: number },
): Promise<OrderSummary[]> {
  let query = trx.selectFrom('orders').select(['id', 'number', 'email', 'status', 'currency', 'total_minor', 'placed_at']);
  if (filter.status === 'to_fulfil') query = query.where(toFulfil);
  else if (filter.status) query = query.where('status', '=', filter.status);
  if (filter.customerId) query = query.where('customer_id', '=', filter.customerId);
  if (filter.query) {
    const text = filter.query.trim();
    const number = /^#?\d{1,9}$/.test(text) ? Number(text.replace('#', '')) : undefined;
    query = query.where((eb) => eb.or([eb('email', 'ilike', `%${text.replace(/[%_\\]/g, (c) => `\\${c}`)}%`), ...(number ? [eb('number', '=', number)] : [])]));
  }
  if (filter.after) {
    const after = filter.after;
    query = query.where((eb) => eb(eb.refTuple('placed_at', 'id'), '<', eb.tuple(new Date(after.placedAt), after.id)));
  }
  const rows = await query.orderBy('placed_at', 'desc').orderBy('id', 'desc').limit(filter.limit).execute();
  return rows.map((row) => ({ ...row, total_minor: Number(row.total_minor), placed_at: row.placed_at.toISOString() }));
}

export async function setOrderStatus(trx: Tx, order: Order, to: OrderStatus, action: string, changes: { refunded_minor?: number } = {}): Promise<Order> {
  if (order.status !== to && !canTransition(order.status, to)) throw new InvalidTransition(order.status, action);
  await trx.updateTable('orders').set({ status: to, ...changes }).where('id', '=', order.id).execute();
  return { ...order, status: to, ...changes };
}

export async function recordFulfilment(trx: Tx, lineId: string, fulfilled: number): Promise<void> {
  await trx.updateTable('order_lines').set({ fulfilled_quantity: fulfilled }).where('id', '=', lineId).execute();
}

export async function recordLineRefund(trx: Tx, lineId: string, refunded: number): Promise<void> {
  await trx.updateTable('order_lines').set({ refunded_quantity: refunded }).where('id', '=', lineId).execute();
}

/**
 * The dashboard's order figures: orders placed since `since` (the start of the merchant's day) that reached
 * payment, their sales net of refunds per currency, and the orders waiting to be shipped.
 */
export async function orderSummary(trx: Tx, since: Date) {
  const today = await trx
    .selectFrom('orders')
    .where('placed_at', '>=', since)
    .where('status', 'not in', ['pending', 'cancelled'])
    .groupBy('currency')
    .select((eb) => ['currency', eb.fn.countAll<string>().as('orders'), sql<string>`sum(total_minor - refunded_minor)`.as('net_minor')])
    .orderBy('currency')
    .execute();
  const open = await trx.selectFrom('orders').where(toFulfil).select((eb) => eb.fn.countAll<string>().as('n')).executeTakeFirstOrThrow();
  return {
    since: since.toISOString(),
    orders: today.reduce((sum, row) => sum + Number(row.orders), 0),
    sales: today.map((row) => ({ currency: row.currency, net_minor: Number(row.net_minor) })),
    to_fulfil: Number(open.n),
  };
}
