import { defineMetric } from '../../platform/observability/metrics.ts';

/** Payment Layer: webhook idempotency ratio (target 100 %: every duplicate recognised). */
export const stripeWebhookReceived = defineMetric({
  name: 'villagecompute_storefront_payments_stripe_webhook_received_total',
  help: 'Stripe webhook deliveries whose signature verified, by event type.',
  type: 'counter',
  labels: ['type'],
  component: 'payments',
  kpi: 'Payment Layer: webhook idempotency ratio 100 %',
});

export const stripeWebhookDuplicate = defineMetric({
  name: 'villagecompute_storefront_payments_stripe_webhook_duplicate_total',
  help: 'Stripe webhook deliveries of an event already stored (made a no-op).',
  type: 'counter',
  labels: ['type'],
  component: 'payments',
  kpi: 'Payment Layer: webhook idempotency ratio 100 %',
});

export const stripeWebhookRejected = defineMetric({
  name: 'villagecompute_storefront_payments_stripe_webhook_rejected_total',
  help: 'Stripe webhook deliveries refused before parsing (bad signature, too old, too large).',
  type: 'counter',
  labels: ['reason'],
  component: 'payments',
  kpi: 'Payment Layer: only signed events are processed',
});

/** Payment success rate (SLO > 98 %): attempts by provider and outcome. */
export const paymentAttempts = defineMetric({
  name: 'villagecompute_storefront_payments_attempts_total',
  help: 'Payment attempts by provider and outcome (succeeded, declined, unavailable).',
  type: 'counter',
  labels: ['provider', 'outcome'],
  component: 'payments',
  kpi: 'Payment Layer: payment success > 98 %',
});

/** Refund turnaround (target < 5 minutes from request to provider confirmation). */
export const refundDuration = defineMetric({
  name: 'villagecompute_storefront_payments_refund_duration_seconds',
  help: 'Time from a refund request to the provider accepting it.',
  type: 'histogram',
  labels: ['provider'],
  component: 'payments',
  kpi: 'Payment Layer: refund turnaround < 5 minutes',
  buckets: [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300],
});
