import { defineTelemetry, growing, series } from '../../platform/observability/alerting.ts';
import { defineMetric } from '../../platform/observability/metrics.ts';
import { not, sumRate } from '../../platform/observability/promql.ts';

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

const runbook = 'checkout.md#runbooks';
const webhooks = (received: number, duplicates: number) => [
  series(stripeWebhookReceived, { type: 'payment_intent.succeeded' }, growing(received)),
  series(stripeWebhookDuplicate, { type: 'payment_intent.succeeded' }, growing(duplicates)),
];

/** Alerts, the payment success SLO and the component KPI panel 13 of the Payment Layer. */
export const telemetry = defineTelemetry({
  alerts: [
    {
      // No metric counts an event processed twice: a duplicate reaches the unique (provider, event_id) row and is a
      // no-op by construction. What the counters show is how much the guard absorbs; a sustained share of
      // redeliveries means Stripe does not get our 2xx in time and retries, the condition under which a guard
      // regression would double-process.
      name: 'StripeWebhookIdempotencyViolation',
      file: 'component-kpis',
      group: 'payments',
      expr: `${sumRate(stripeWebhookDuplicate, { window: '15m', by: ['type'] })} / ${sumRate(stripeWebhookReceived, { window: '15m', by: ['type'] })} > 0.1`,
      for: '5m',
      severity: 'warning',
      summary: 'Stripe redelivers more than 10 % of webhook events',
      description:
        '{{ $value | humanizePercentage }} of verified {{ $labels.type }} deliveries over 15 minutes were events already stored. Each was absorbed as a no-op (the counter counts absorbed duplicates; a double processing is not measurable from it), but this many redeliveries means Stripe is not getting our 2xx in time and the idempotency guard alone stands between it and a doubled payment state change.',
      action: 'Check webhook response times and 5xx on `/webhooks/stripe`, and the Stripe dashboard\'s delivery attempts for the endpoint.',
      kpi: 'stripe-webhook-idempotency',
      panel: { dashboard: 'component-kpis', id: 13 },
      meaning: 'Stripe retries events it believes were not received. Payments stay correct while the unique event row absorbs them; slow or failing acknowledgements are the cause to fix.',
      steps: [
        '`payments_stripe_webhook_duplicate_total` vs `_received_total` by `type` on panel 13: one type or all?',
        'Latency and errors of `POST /webhooks/stripe` (golden signals): a slow database insert or a 5xx makes Stripe retry.',
        'A redelivered event is stored once and processed once: `select type, processed_at, error from webhook_events where event_id = \'<evt_…>\'`; the webhook job skips processed events and payment state only moves forward.',
        'Stripe shows the endpoint failing or timing out: fix the cause; events Stripe gave up on can be replayed as the checkout runbook says.',
      ],
      runbook,
      test: { firing: webhooks(10, 3), quiet: webhooks(10, 0.2) },
    },
  ],
  slos: [
    {
      name: 'payment-success',
      component: 'payments',
      objective: 98,
      description: 'Payment attempts the provider accepted, of all attempts (declined cards and unavailable providers count as failures).',
      errors: (window) => sumRate(paymentAttempts, { where: { outcome: not('succeeded') }, window }),
      total: (window) => sumRate(paymentAttempts, { window }),
      measuredBy: paymentAttempts,
      test: (bad, good) => [
        series(paymentAttempts, { provider: 'stripe', outcome: 'declined' }, growing(bad)),
        series(paymentAttempts, { provider: 'stripe', outcome: 'succeeded' }, growing(good)),
      ],
      steps: [
        '`payments_attempts_total` by `outcome` on panel 13: `unavailable` is the provider (status page, circuit breaker), `declined` is cards (a burst from one store can be card testing).',
        'Follow `CheckoutFailureRateHigh` in this catalog for the failed checkouts.',
      ],
    },
  ],
  panels: [
    {
      dashboard: 'component-kpis',
      id: 13,
      title: 'Payment success and Stripe webhook redeliveries',
      description: 'Accepted payment attempts of all attempts by provider (objective > 98 %) and Stripe deliveries of already stored events by type (absorbed duplicates).',
      kind: 'timeseries',
      unit: 'percentunit',
      targets: [
        {
          expr: `${sumRate(paymentAttempts, { where: { outcome: 'succeeded' }, window: '$__rate_interval', by: ['provider'] })} / ${sumRate(paymentAttempts, { window: '$__rate_interval', by: ['provider'] })}`,
          legend: 'success {{provider}}',
        },
        {
          expr: `${sumRate(stripeWebhookDuplicate, { window: '$__rate_interval', by: ['type'] })} / ${sumRate(stripeWebhookReceived, { window: '$__rate_interval', by: ['type'] })}`,
          legend: 'redelivered {{type}}',
        },
      ],
    },
  ],
});
