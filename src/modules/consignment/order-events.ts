import { sql } from 'kysely';
import Type from 'typebox';
import type { Tx } from '../../platform/db/database.ts';
import { defineJob } from '../../platform/jobs/definitions.ts';
import type { Platform } from '../../platform/platform.ts';
import { type OrderEvent, loadOrder } from '../checkout/index.ts';
import { type SendNotificationJob, notify } from './notifications.ts';
import { orderSplits } from './order-splits.ts';
import { payoutSettings } from './payout-settings.ts';
import { clawBackRefunds, creditPaidOrder } from './sales.ts';
import { formatMoney } from './money-format.ts';

export const LEDGER_EVENT_TYPES = ['OrderPaid', 'OrderRefunded'] as const;

const PostPayload = Type.Object({ event_id: Type.String({ pattern: '^[0-9]+$', maxLength: 19 }) }, { additionalProperties: false });

interface StoredEvent {
  id: string;
  type: string;
  aggregate_id: string;
  occurred_at: Date;
}

/**
 * Posts one order event to the ledger in the job's unit of work: OrderPaid credits the consigned lines,
 * OrderRefunded claws back the refunded share. The event is marked posted in the same transaction; posting
 * keys make a second run (bus and sweeper both enqueue) post nothing.
 */
export async function postOrderEvent(trx: Tx, tenantId: string, eventId: string, notices?: { job: SendNotificationJob; platform: Platform }): Promise<void> {
  const done = await trx.selectFrom('consignment_order_events').select('event_id').where('tenant_id', '=', tenantId).where('event_id', '=', eventId).executeTakeFirst();
  if (done) return;
  // The platform's domain event log (append-only, every module's events) is read here as a durable subscriber.
  const { rows } = await sql<StoredEvent>`select id::text, type, aggregate_id, occurred_at from domain_events where id = ${eventId}`.execute(trx);
  const event = rows[0];
  if (!event || !(LEDGER_EVENT_TYPES as readonly string[]).includes(event.type)) return;
  const order = await loadOrder(trx, { id: event.aggregate_id });
  if (order && event.type === 'OrderPaid') {
    const settings = await payoutSettings(trx);
    const credits = await creditPaidOrder(trx, tenantId, order, await orderSplits(trx, tenantId, order), event.occurred_at, settings.return_window_days);
    if (notices) {
      for (const credit of credits) {
        await notify(trx, notices.platform.jobs, notices.job, tenantId, {
          consignorId: credit.consignor_id,
          kind: 'sale',
          dedupeKey: `sale:${credit.order_line_id}`,
          subject: 'One of your items sold',
          body: `${credit.description ?? 'An item'} sold for ${formatMoney(credit.amount_minor, credit.currency)}. Your share becomes payable on ${credit.available_at.slice(0, 10)}.`,
        });
      }
    }
  } else if (order && event.type === 'OrderRefunded') {
    await clawBackRefunds(trx, tenantId, order, eventId);
  }
  await trx.insertInto('consignment_order_events').values({ tenant_id: tenantId, event_id: eventId, type: event.type }).onConflict((oc) => oc.doNothing()).execute();
}

export function postOrderEventJob(platform: () => Platform, notices: () => SendNotificationJob) {
  return defineJob({
    name: 'consignment.post-order-event',
    version: 1,
    payload: PostPayload,
    priority: 'HIGH',
    maxAttempts: 25,
    timeoutMs: 60_000,
    async run(payload, { trx, tenantId }) {
      await postOrderEvent(trx, tenantId!, payload.event_id, { job: notices(), platform: platform() });
    },
  });
}
export type PostOrderEventJob = ReturnType<typeof postOrderEventJob>;

/** Hears order events on the bus (delivered after their commit) and enqueues their posting at once. */
export function subscribeToOrderEvents(platform: Platform, job: PostOrderEventJob): void {
  const enqueue = (event: OrderEvent) =>
    platform.jobs.enqueue(job, { event_id: event.eventId }, { tenantId: event.tenantId, jobKey: `consignment-order-event:${event.eventId}` }).then(() => undefined);
  platform.events.on('OrderPaid', enqueue);
  platform.events.on('OrderRefunded', enqueue);
}

/** Events younger than this may still have smaller ids committing after them; the watermark stays behind them. */
const SETTLE_MINUTES = 10;
const SWEEP_BATCH = 1_000;

/**
 * The safety net behind the bus: reads the event log past the watermark and enqueues every order event the
 * ledger has not posted (a process that died between an event's delivery and its enqueue loses nothing).
 * Returns the number of events it enqueued.
 */
export async function sweepOrderEvents(platform: Platform, job: PostOrderEventJob): Promise<number> {
  return platform.db.withPlatform(async (trx) => {
    const { rows } = await sql<{ id: string; tenant_id: string; settled: boolean; posted: boolean }>`
      select e.id::text, e.tenant_id, e.occurred_at < now() - make_interval(mins => ${SETTLE_MINUTES}) as settled,
             exists (select 1 from consignment_order_events p where p.tenant_id = e.tenant_id and p.event_id = e.id) as posted
        from domain_events e
       where e.id > (select last_event_id from consignment_event_watermark)
         and e.type in ('OrderPaid', 'OrderRefunded')
       order by e.id
       limit ${SWEEP_BATCH}`.execute(trx);
    const missing = rows.filter((row) => !row.posted);
    for (const row of missing) await platform.jobs.enqueue(job, { event_id: row.id }, { trx, tenantId: row.tenant_id, jobKey: `consignment-order-event:${row.id}` });
    const firstUnsettled = rows.findIndex((row) => !row.settled);
    const settledUpTo = firstUnsettled === -1 ? rows.at(-1) : rows[firstUnsettled - 1];
    if (settledUpTo) await trx.updateTable('consignment_event_watermark').set({ last_event_id: settledUpTo.id }).where('last_event_id', '<', settledUpTo.id).execute();
    return missing.length;
  });
}

export function sweepOrderEventsJob(platform: () => Platform, job: () => PostOrderEventJob) {
  return defineJob({
    name: 'consignment.sweep-order-events',
    version: 1,
    payload: Type.Object({}, { additionalProperties: false }),
    priority: 'HIGH',
    maxAttempts: 3,
    timeoutMs: 60_000,
    scope: 'platform',
    async run() {
      await sweepOrderEvents(platform(), job());
    },
  });
}
