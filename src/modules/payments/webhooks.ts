import type { FastifyInstance } from 'fastify';
import Type from 'typebox';
import type { Tx } from '../../platform/db/database.ts';
import { HttpProblem } from '../../platform/http/problem.ts';
import { defineJob } from '../../platform/jobs/definitions.ts';
import type { Platform } from '../../platform/platform.ts';
import { lockPayment, markWebhookEvent, storeWebhookEvent, webhookEvent } from './repository.ts';
import { type Payments, paymentsOf } from './service.ts';
import { stripeWebhookDuplicate, stripeWebhookReceived, stripeWebhookRejected } from './telemetry.ts';

/** Stripe sends events of a few KB; anything much larger is not Stripe. */
export const WEBHOOK_BODY_LIMIT_BYTES = 256 * 1024;

/** An event about a payment the platform has not recorded yet (its checkout is still committing): retried later. */
export class PaymentNotYetKnown extends Error {
  constructor(reference: string) {
    super(`no payment ${reference} yet; the event will be retried`);
    this.name = 'PaymentNotYetKnown';
  }
}

interface StripeObject {
  object: string;
  id: string;
  payment_intent?: string | null;
  amount?: number;
  amount_received?: number;
  amount_refunded?: number;
}

/** What a Stripe event says about a payment: which one, and the state it reports. */
function stripeReport(type: string, object: StripeObject) {
  const reference = object.object === 'payment_intent' ? object.id : object.payment_intent;
  if (!reference) return undefined;
  switch (type) {
    case 'payment_intent.succeeded':
      return { reference, reported: { status: 'captured' as const, captured_minor: object.amount_received ?? 0 } };
    case 'payment_intent.amount_capturable_updated':
      return { reference, reported: { status: 'authorised' as const } };
    case 'payment_intent.canceled':
      return { reference, reported: { status: 'cancelled' as const } };
    case 'payment_intent.payment_failed':
      return { reference, reported: { status: 'failed' as const } };
    case 'charge.refunded':
      return { reference, reported: { refunded_minor: object.amount_refunded ?? 0 } };
    default:
      return undefined;
  }
}

/** Processes one stored event in the job's transaction; a processed event is skipped (replays re-arm it first). */
export async function processWebhookEvent(payments: Payments, trx: Tx, tenantId: string, provider: string, eventId: string): Promise<void> {
  const stored = await webhookEvent(trx, provider, eventId);
  if (!stored || stored.processed_at) return;
  const event = stored.payload as { type: string; data: { object: StripeObject } };
  const report = stripeReport(event.type, event.data.object);
  if (report) {
    const payment = await lockPayment(trx, { provider, reference: report.reference });
    if (!payment) throw new PaymentNotYetKnown(report.reference);
    await payments.apply(trx, tenantId, payment, report.reported);
  } else {
    for (const listener of payments.eventListeners) await listener(trx, { tenantId, provider, type: event.type, object: event.data.object as unknown as Record<string, unknown> });
  }
  await markWebhookEvent(trx, provider, eventId, { processed: true });
}

const WebhookJobPayload = Type.Object({ provider: Type.Literal('stripe'), event_id: Type.String({ maxLength: 255 }) }, { additionalProperties: false });

export function webhookJob(platform: () => Platform) {
  return defineJob({
    name: 'payments.process-webhook',
    version: 1,
    payload: WebhookJobPayload,
    priority: 'CRITICAL',
    maxAttempts: 12,
    timeoutMs: 30_000,
    async run(payload, { trx, tenantId }) {
      await processWebhookEvent(paymentsOf(platform()), trx, tenantId!, payload.provider, payload.event_id);
    },
  });
}

export type WebhookJob = ReturnType<typeof webhookJob>;

/**
 * POST /webhooks/stripe on the store's host. The body is read as raw bytes (never parsed before the signature
 * verifies), stored, and its processing enqueued on the CRITICAL queue in the same transaction; the answer
 * comes as soon as that commits. A redelivered event is acknowledged and changes nothing.
 */
export async function webhookRoutes(app: FastifyInstance, platform: Platform, job: WebhookJob): Promise<void> {
  await app.register(async (scope) => {
    scope.removeAllContentTypeParsers();
    scope.addContentTypeParser('*', { parseAs: 'buffer', bodyLimit: WEBHOOK_BODY_LIMIT_BYTES }, (_request, body, done) => done(null, body));
    scope.post('/webhooks/stripe', { bodyLimit: WEBHOOK_BODY_LIMIT_BYTES, schema: { tags: ['payments'], security: [], hide: true } }, async (request, reply) => {
      const tenant = request.tenant;
      if (!tenant) throw new HttpProblem(404, 'Not Found', 'Webhooks are received on a store host.');
      const handler = paymentsOf(platform).webhooks.get('stripe');
      if (!handler) throw new HttpProblem(404, 'Not Found', 'Stripe is not configured.');
      const raw = request.body;
      if (!Buffer.isBuffer(raw)) throw new HttpProblem(400, 'Bad Request', 'A webhook needs a body.');
      let event: ReturnType<typeof handler.verify>;
      try {
        event = handler.verify(raw, request.headers['stripe-signature'] as string | undefined);
      } catch (error) {
        stripeWebhookRejected.inc({ reason: 'signature' });
        throw error;
      }
      stripeWebhookReceived.inc({ type: event.type });
      const stored = await platform.db.withTenant(tenant.id, async (trx) => {
        const fresh = await storeWebhookEvent(trx, tenant.id, { provider: 'stripe', ...event });
        if (fresh) await platform.jobs.enqueue(job, { provider: 'stripe', event_id: event.id }, { trx, tenantId: tenant.id });
        return fresh;
      });
      if (!stored) stripeWebhookDuplicate.inc({ type: event.type });
      return reply.code(200).send({ received: true, duplicate: !stored });
    });
  });
}

/** Re-arms a stored event and enqueues it again (admin API; failed deliveries also sit in dead jobs for `jobs requeue`). */
export async function replayWebhookEvent(platform: Platform, job: WebhookJob, tenantId: string, provider: 'stripe', eventId: string): Promise<boolean> {
  return platform.db.withTenant(tenantId, async (trx) => {
    const stored = await webhookEvent(trx, provider, eventId);
    if (!stored) return false;
    await markWebhookEvent(trx, provider, eventId, { processed: false, error: 'replay requested' });
    await platform.jobs.enqueue(job, { provider, event_id: eventId }, { trx, tenantId });
    return true;
  });
}
