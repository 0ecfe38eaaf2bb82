import { randomUUID } from 'node:crypto';
import { BulkheadRejectedError, bulkhead } from 'cockatiel';
import type { FastifyRequest } from 'fastify';
import type { Tx } from '../../platform/db/database.ts';
import { idempotent } from '../../platform/http/idempotency.ts';
import { HttpProblem } from '../../platform/http/problem.ts';
import type { Platform } from '../../platform/platform.ts';
import { type Payment, type PaymentChange, type Payments, paymentsOf, paymentsOfOrder } from '../payments/index.ts';
import { OfflineAddressValidator } from './address.ts';
import { type OrderEvent, type OrderEventJob, type OrderEventType, recordOrderEvent } from './events.ts';
import { unitsShare } from './money.ts';
import { InvalidTransition, type Order, loadOrder, recordFulfilment, recordLineRefund, setOrderStatus } from './orders.ts';
import { type CheckoutParts, type CommitInput, type CommitResult, commitCheckout } from './saga.ts';
import { ShippingRateAdapter, TableRateSource } from './shipping.ts';
import { RegionTaxCalculator } from './tax.ts';

const notFound = () => new HttpProblem(404, 'Not Found', 'No such order in this store.');

/** The checkout module's service: carts are in carts.ts; this is commit and the order lifecycle. */
export class Checkout {
  readonly parts: CheckoutParts;
  readonly payments: Payments;
  /**
   * A commit holds its unit of work (with the Idempotency-Key row) while its steps use a second connection, so
   * at most half the pool commits at once; the rest wait their turn (a full queue is a 503).
   */
  private readonly commits;

  constructor(platform: Platform, orderEvents: OrderEventJob) {
    this.payments = paymentsOf(platform);
    this.parts = {
      platform,
      payments: this.payments,
      addresses: new OfflineAddressValidator(),
      shipping: new ShippingRateAdapter(new TableRateSource()),
      tax: new RegionTaxCalculator(),
      orderEvents,
    };
    this.commits = bulkhead(Math.max(1, Math.floor(platform.config.db.poolMax / 2)), 1_000);
    this.payments.onChange((trx, change) => this.followPayment(trx, change));
  }

  private get platform() {
    return this.parts.platform;
  }

  /** Commits the checkout at most once per Idempotency-Key: a retry or double click gets the first answer. */
  async commit(request: FastifyRequest, input: CommitInput): Promise<{ status: number; body: CommitResult; replayed: boolean }> {
    try {
      return await this.commits.execute(() =>
        this.platform.db.withTenant(input.tenantId, (trx) =>
          idempotent(trx, input.tenantId, request, async () => ({ status: 201, body: await commitCheckout(this.parts, trx, input) })),
        ),
      );
    } catch (error) {
      if (error instanceof BulkheadRejectedError) {
        throw new HttpProblem(503, 'Checkout busy', 'Too many checkouts at once; try again in a moment.', { headers: { 'retry-after': '2' } });
      }
      throw error;
    }
  }

  private event(order: Order, tenantId: string, extra: Partial<OrderEvent> = {}): Omit<OrderEvent, 'eventId'> {
    return { tenantId, orderId: order.id, orderNumber: order.number, status: order.status, email: order.email, totalMinor: order.total_minor, currency: order.currency, ...extra };
  }

  private record(trx: Tx, type: OrderEventType, event: Omit<OrderEvent, 'eventId'>) {
    return recordOrderEvent(trx, this.platform.jobs, this.parts.orderEvents, type, event);
  }

  /** The order follows its payment, whoever moved it (checkout, admin, webhook), in the same transaction. */
  private async followPayment(trx: Tx, { tenantId, before, after, reason }: PaymentChange): Promise<void> {
    if (!after.order_id) return;
    let order = await loadOrder(trx, { id: after.order_id }, { lock: true });
    if (!order) return;
    if (after.status !== before.status) {
      if (after.status === 'captured' && (order.status === 'pending' || order.status === 'authorised')) {
        order = await setOrderStatus(trx, order, 'paid', 'paid');
        await this.record(trx, 'OrderPaid', this.event(order, tenantId));
      } else if (after.status === 'authorised' && order.status === 'pending') {
        order = await setOrderStatus(trx, order, 'authorised', 'authorised');
      } else if ((after.status === 'cancelled' || after.status === 'failed') && (order.status === 'pending' || order.status === 'authorised')) {
        order = await setOrderStatus(trx, order, 'cancelled', 'cancelled');
        await this.record(trx, 'OrderCancelled', this.event(order, tenantId));
      }
    }
    const refunded = Math.min(after.refunded_minor, order.total_minor);
    if (refunded > order.refunded_minor) {
      const amount = refunded - order.refunded_minor;
      const status = refunded >= order.total_minor ? 'refunded' : 'partially_refunded';
      // A cancelled order keeps its status; its refund is still recorded.
      order = order.status === 'cancelled' ? order : await setOrderStatus(trx, order, status, 'refunded', { refunded_minor: refunded });
      if (order.status === 'cancelled') await trx.updateTable('orders').set({ refunded_minor: refunded }).where('id', '=', order.id).execute();
      await this.record(trx, 'OrderRefunded', this.event(order, tenantId, { amountMinor: amount, ...(reason ? { reason } : {}) }));
    }
  }

  private async paymentOf(trx: Tx, order: Order): Promise<Payment> {
    const [payment] = await paymentsOfOrder(trx, order.id);
    if (!payment) throw new HttpProblem(409, 'No payment', 'This order has no payment.', { extensions: { code: 'no_payment' } });
    return payment;
  }

  /**
   * Marks lines (all that are left when none are given) as shipped. An authorised order is captured first, so the
   * money is taken when the goods leave.
   */
  async fulfil(tenantId: string, orderId: string, lines: { line_id: string; quantity: number }[] | undefined, key: string): Promise<Order> {
    return this.platform.db.withTenant(tenantId, async (trx) => {
      let order = (await loadOrder(trx, { id: orderId }, { lock: true })) ?? notFoundThrow();
      if (!['authorised', 'paid', 'partially_fulfilled', 'partially_refunded'].includes(order.status)) throw new InvalidTransition(order.status, 'fulfilled');
      if (order.status === 'authorised') {
        await this.payments.capture(trx, tenantId, await this.paymentOf(trx, order), `${key}:capture`);
        order = (await loadOrder(trx, { id: orderId }, { lock: true }))!;
      }
      let units = 0;
      const wanted = new Map((lines ?? order.lines.map((line) => ({ line_id: line.id, quantity: line.quantity - line.fulfilled_quantity - line.refunded_quantity }))).map((line) => [line.line_id, line.quantity]));
      for (const [lineId, quantity] of wanted) {
        const line = order.lines.find((candidate) => candidate.id === lineId);
        if (!line) throw new HttpProblem(422, 'Unknown line', `Line ${lineId} is not on this order.`, { extensions: { code: 'unknown_line' } });
        if (quantity < 0 || line.fulfilled_quantity + line.refunded_quantity + quantity > line.quantity) {
          throw new HttpProblem(422, 'Too many units', `Line ${lineId} has ${line.quantity - line.fulfilled_quantity - line.refunded_quantity} units left to fulfil.`, { extensions: { code: 'over_fulfilment' } });
        }
        if (quantity > 0) await recordFulfilment(trx, lineId, line.fulfilled_quantity + quantity);
        units += quantity;
      }
      const after = (await loadOrder(trx, { id: orderId }))!;
      const complete = after.lines.every((line) => line.fulfilled_quantity + line.refunded_quantity >= line.quantity);
      order = await setOrderStatus(trx, order, complete ? 'fulfilled' : 'partially_fulfilled', 'fulfilled');
      await this.record(trx, 'OrderFulfilled', this.event(order, tenantId, { units }));
      return (await loadOrder(trx, { id: orderId }))!;
    });
  }

  /** Cancels an order not yet shipped: the authorisation is voided, or a captured payment refunded in full. */
  async cancel(tenantId: string, orderId: string, key: string, reason?: string): Promise<Order> {
    return this.platform.db.withTenant(tenantId, async (trx) => {
      let order = (await loadOrder(trx, { id: orderId }, { lock: true })) ?? notFoundThrow();
      if (order.lines.some((line) => line.fulfilled_quantity > 0)) throw new InvalidTransition(order.status, 'cancelled after shipping');
      order = await setOrderStatus(trx, order, 'cancelled', 'cancelled');
      await this.record(trx, 'OrderCancelled', this.event(order, tenantId, reason ? { reason } : {}));
      const [payment] = await paymentsOfOrder(trx, order.id);
      if (payment?.status === 'captured' && payment.captured_minor > payment.refunded_minor) {
        await this.payments.refund(trx, tenantId, payment, { amountMinor: payment.captured_minor - payment.refunded_minor, reason: 'order cancelled', lines: [], idempotencyKey: `${key}:refund` });
      } else if (payment) {
        await this.payments.cancel(trx, tenantId, payment, `${key}:cancel`);
      }
      return (await loadOrder(trx, { id: orderId }))!;
    });
  }

  /**
   * Refunds units of lines (each unit's exact share of its line total, tax included, so refunding a line in
   * pieces returns exactly the line) and/or a plain amount (shipping, goodwill).
   */
  async refund(tenantId: string, orderId: string, input: { lines?: { line_id: string; quantity: number }[] | undefined; amount_minor?: number | undefined; reason: string }, key: string): Promise<Order> {
    return this.platform.db.withTenant(tenantId, async (trx) => {
      const order = (await loadOrder(trx, { id: orderId }, { lock: true })) ?? notFoundThrow();
      const payment = await this.paymentOf(trx, order);
      if (payment.status !== 'captured') throw new InvalidTransition(order.status, 'refunded before the payment is captured');
      let amount = input.amount_minor ?? 0;
      const refundedLines: { line_id: string; quantity: number; amount_minor: number }[] = [];
      for (const wanted of input.lines ?? []) {
        const line = order.lines.find((candidate) => candidate.id === wanted.line_id);
        if (!line) throw new HttpProblem(422, 'Unknown line', `Line ${wanted.line_id} is not on this order.`, { extensions: { code: 'unknown_line' } });
        if (line.refunded_quantity + wanted.quantity > line.quantity) {
          throw new HttpProblem(422, 'Too many units', `Line ${line.id} has ${line.quantity - line.refunded_quantity} units left to refund.`, { extensions: { code: 'over_refund' } });
        }
        const share = unitsShare(line.total_minor, line.quantity, line.refunded_quantity, wanted.quantity);
        amount += share;
        refundedLines.push({ line_id: line.id, quantity: wanted.quantity, amount_minor: share });
        await recordLineRefund(trx, line.id, line.refunded_quantity + wanted.quantity);
      }
      const left = Math.min(order.total_minor, payment.captured_minor) - order.refunded_minor;
      if (amount <= 0 || amount > left) {
        throw new HttpProblem(422, 'Refund amount invalid', `A refund must be between 1 and ${left} (minor units).`, { extensions: { code: 'invalid_refund_amount', refundable_minor: left } });
      }
      await this.payments.refund(trx, tenantId, payment, { amountMinor: amount, reason: input.reason, lines: refundedLines, idempotencyKey: `${key}:refund` });
      return (await loadOrder(trx, { id: orderId }))!;
    });
  }
}

function notFoundThrow(): never {
  throw notFound();
}

const instances = new WeakMap<Platform, Checkout>();

export function checkoutOf(platform: Platform, orderEvents: OrderEventJob): Checkout {
  let checkout = instances.get(platform);
  if (!checkout) {
    checkout = new Checkout(platform, orderEvents);
    instances.set(platform, checkout);
  }
  return checkout;
}

/** An idempotency key for an admin action: the client's, else a fresh one (the action is then not retry-safe). */
export const actionKey = (request: FastifyRequest) => {
  const header = request.headers['idempotency-key'];
  return typeof header === 'string' && header.length > 0 ? `${request.tenant?.id}:${header}` : randomUUID();
};
