import Type from 'typebox';
import type { Tx } from '../../platform/db/database.ts';
import { defineJob } from '../../platform/jobs/definitions.ts';
import type { Jobs } from '../../platform/jobs/service.ts';
import { currentContext } from '../../platform/observability/context.ts';
import type { Platform } from '../../platform/platform.ts';
import { tenancy } from '../tenancy/index.ts';
import { orderConfirmationMail } from './confirmation-mail.ts';
import { loadOrder } from './orders.ts';

export type OrderEventType = 'OrderPlaced' | 'OrderPaid' | 'OrderFulfilled' | 'OrderCancelled' | 'OrderRefunded';

/** What every order event carries; subscribers (the order confirmation e-mail, reporting) read the order by id. */
export interface OrderEvent {
  eventId: string;
  tenantId: string;
  orderId: string;
  orderNumber: number;
  status: string;
  email: string;
  totalMinor: number;
  currency: string;
  /** OrderRefunded: the amount of this refund. */
  amountMinor?: number;
  /** OrderRefunded, OrderCancelled: the reason the merchant gave. */
  reason?: string;
  /** OrderFulfilled: the units this fulfilment shipped. */
  units?: number;
}

declare module '../../platform/events/bus.ts' {
  interface DomainEvents {
    OrderPlaced: OrderEvent;
    OrderPaid: OrderEvent;
    OrderFulfilled: OrderEvent;
    OrderCancelled: OrderEvent;
    OrderRefunded: OrderEvent;
  }
}

const DeliveryPayload = Type.Object({ event_id: Type.String({ pattern: '^[0-9]+$' }) }, { additionalProperties: false });

/**
 * Delivers an order event on the event bus once its transaction has committed: the event row and this job are
 * written together, so an event is delivered if and only if its change committed (at least once: handlers
 * must be idempotent, e.g. by `eventId`).
 */
export function orderEventJob(platform: () => Platform) {
  return defineJob({
    name: 'checkout.deliver-order-event',
    version: 1,
    payload: DeliveryPayload,
    priority: 'HIGH',
    maxAttempts: 10,
    timeoutMs: 30_000,
    async run(payload, { trx }) {
      const row = await trx.selectFrom('domain_events').select(['id', 'type', 'payload']).where('id', '=', payload.event_id as never).executeTakeFirst();
      if (!row) return;
      const event: OrderEvent = { ...(row.payload as Omit<OrderEvent, 'eventId'>), eventId: String(row.id) };
      // The confirmation is written in this job's unit of work: it leaves once, when the delivery commits.
      if (row.type === 'OrderPlaced') await sendOrderConfirmation(platform(), trx, event);
      platform().events.publish(row.type as OrderEventType, event);
    },
  });
}
export type OrderEventJob = ReturnType<typeof orderEventJob>;

/** Appends the event in the caller's transaction and enqueues its delivery in the same one. */
export async function recordOrderEvent(trx: Tx, jobs: Jobs, job: OrderEventJob, type: OrderEventType, event: Omit<OrderEvent, 'eventId'>): Promise<void> {
  const row = await trx
    .insertInto('domain_events')
    .values({ tenant_id: event.tenantId, type, aggregate_type: 'order', aggregate_id: event.orderId, payload: JSON.stringify(event), correlation_id: currentContext()?.correlationId ?? null })
    .returning('id')
    .executeTakeFirstOrThrow();
  await jobs.enqueue(job, { event_id: String(row.id) }, { trx, tenantId: event.tenantId });
}

async function sendOrderConfirmation(platform: Platform, trx: Tx, event: OrderEvent): Promise<void> {
  const [order, store] = await Promise.all([loadOrder(trx, { id: event.orderId }), tenancy(platform).storeIdentity(event.tenantId)]);
  if (order && store) await platform.mail.enqueue(trx, orderConfirmationMail(order, store));
}
