import { Type } from 'typebox';
import type { Tx } from '../../platform/db/database.ts';
import type { OrderEvent, OrderEventType } from './events.ts';


export const TimelineView = Type.Object(
  {
    items: Type.Array(
      Type.Object(
        {
          id: Type.String(),
          type: Type.Union([Type.Literal('OrderPlaced'), Type.Literal('OrderPaid'), Type.Literal('OrderFulfilled'), Type.Literal('OrderCancelled'), Type.Literal('OrderRefunded')]),
          occurred_at: Type.String({ format: 'date-time' }),
          status: Type.String({ description: "The order's status after the event." }),
          amount_minor: Type.Union([Type.Integer(), Type.Null()], { description: 'OrderRefunded: the amount refunded; OrderPlaced, OrderPaid: the order total.' }),
          units: Type.Union([Type.Integer(), Type.Null()], { description: 'OrderFulfilled: the units shipped.' }),
          reason: Type.Union([Type.String(), Type.Null()]),
          actor_id: Type.Union([Type.String(), Type.Null()], { description: 'The staff user or API client that acted; null for the shopper or the payment provider.' }),
        },
        { additionalProperties: false },
      ),
    ),
  },
  { additionalProperties: false },
);

/** What happened to an order, oldest first: its domain events, written in the transaction of each change. */
export async function orderTimeline(trx: Tx, orderId: string) {
  const rows = await trx
    .selectFrom('domain_events')
    .select(['id', 'type', 'payload', 'occurred_at', 'created_by'])
    .where('aggregate_type', '=', 'order')
    .where('aggregate_id', '=', orderId)
    .orderBy('id')
    .execute();
  return {
    items: rows.map((row) => {
      const event = row.payload as unknown as Omit<OrderEvent, 'eventId'>;
      const type = row.type as OrderEventType;
      return {
        id: String(row.id),
        type,
        occurred_at: new Date(row.occurred_at).toISOString(),
        status: event.status,
        amount_minor: type === 'OrderRefunded' ? (event.amountMinor ?? null) : type === 'OrderPlaced' || type === 'OrderPaid' ? event.totalMinor : null,
        units: event.units ?? null,
        reason: event.reason ?? null,
        actor_id: row.created_by || null,
      };
    }),
  };
}
