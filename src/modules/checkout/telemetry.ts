import { defineTelemetry, growing, observations, series } from '../../platform/observability/alerting.ts';
import { defineMetric } from '../../platform/observability/metrics.ts';
import { quantile, sumRate, sumRateBelow } from '../../platform/observability/promql.ts';

/** Checkout & Order Orchestrator: saga latency per stage (`complete` is the whole commit; p95 target < 800 ms). */
export const checkoutSagaDuration = defineMetric({
  name: 'villagecompute_storefront_checkout_saga_duration_seconds',
  help: 'Duration of checkout saga stages; stage="complete" is the whole commit.',
  type: 'histogram',
  labels: ['stage'],
  component: 'checkout',
  kpi: 'Checkout & Order Orchestrator: checkout latency p95 < 800 ms',
  buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.2, 0.3, 0.5, 0.8, 1, 2, 5],
});

/** The failure funnel: which stage failed, and why (out_of_stock, card_declined, invalid_address, …). */
export const checkoutSagaFailed = defineMetric({
  name: 'villagecompute_storefront_checkout_saga_failed_total',
  help: 'Checkout commits that failed, by the stage that failed and the error type.',
  type: 'counter',
  labels: ['stage', 'error_type'],
  component: 'checkout',
  kpi: 'Checkout & Order Orchestrator: failure rate < 2 % per category',
});

/** Integration Adapter Layer: calls to external sources that failed (the fallback was used). */
export const integrationAdapterFailed = defineMetric({
  name: 'villagecompute_storefront_integration_adapter_failed_total',
  help: 'External adapter calls that failed or were skipped by an open circuit, by adapter and failure type.',
  type: 'counter',
  labels: ['adapter', 'failure_type'],
  component: 'integration',
  kpi: 'Integration Adapter Layer: external call failures',
});

export const shippingQuoteCache = defineMetric({
  name: 'villagecompute_storefront_checkout_shipping_quote_cache_total',
  help: 'Shipping quotes served from the 15-minute cache (hit) or asked of the rate sources (miss).',
  type: 'counter',
  labels: ['result'],
  component: 'checkout',
  kpi: 'Checkout: shipping quotes cached 15 minutes',
});

export const ordersPlaced = defineMetric({
  name: 'villagecompute_storefront_checkout_orders_placed_total',
  help: 'Orders placed, by payment provider.',
  type: 'counter',
  labels: ['provider'],
  component: 'checkout',
  kpi: 'Checkout & Order Orchestrator: orders placed',
});

const runbook = 'checkout.md#runbooks';
const completed = (window: string) => sumRate(checkoutSagaDuration, { where: { stage: 'complete' }, window }, '_count');
/** Commit attempts: each ends either complete or failed at exactly one stage (the saga stops at the first failure). */
const attempts = (window: string) => `(${completed(window)} + ${sumRate(checkoutSagaFailed, { window })})`;
const commits = (complete: number, stage: string, errorType: string, failed: number) => [
  ...observations(checkoutSagaDuration, { stage: 'complete' }, [{ seconds: 0.1, perMinute: complete }]),
  series(checkoutSagaFailed, { stage, error_type: errorType }, growing(failed)),
];
const latencySteps = [
  '`checkout_saga_duration_seconds` by `stage` on panel 7: the slow stage names the dependency (`payment` = provider, `shipping` = carrier rate sources, `reserve` = stock holds in PostgreSQL).',
  '`payment` slow: the provider status page and `payments_attempts_total{outcome="unavailable"}` (panel 13); `shipping` slow: `integration_adapter_failed_total` (open circuits answer with table rates).',
  '`reserve` or `order` slow: the database dashboard (locks on `inventory_reservations`, slow statements); one store with a flash sale shows as lock waits.',
  'Runs stuck in `running`: follow “Runs stuck in running” in the checkout runbook.',
];

/** Alerts, the checkout latency SLO and the component KPI panels 7–8 of the Checkout & Order Orchestrator. */
export const telemetry = defineTelemetry({
  alerts: [
    {
      name: 'CheckoutLatencyWarning',
      file: 'component-kpis',
      group: 'checkout',
      expr: `${quantile(0.95, checkoutSagaDuration, { where: { stage: 'complete' }, window: '5m' })} > 0.3`,
      for: '5m',
      severity: 'warning',
      summary: 'Checkout commits take longer than 300 ms (p95)',
      description: 'p95 of the whole checkout commit is {{ $value | humanizeDuration }} (warning above 300 ms, target < 800 ms).',
      action: 'Find the slow stage on panel 7 (payment, shipping, reserve, order) before the 800 ms objective is missed.',
      kpi: 'checkout-latency',
      panel: { dashboard: 'component-kpis', id: 7 },
      meaning: 'Shoppers wait longer on “Place order”; it is still inside the objective but heading for it.',
      steps: latencySteps,
      runbook,
      test: {
        firing: observations(checkoutSagaDuration, { stage: 'complete' }, [{ seconds: 0.5, perMinute: 10 }]),
        quiet: observations(checkoutSagaDuration, { stage: 'complete' }, [{ seconds: 0.1, perMinute: 10 }]),
      },
    },
    {
      name: 'CheckoutLatencyCritical',
      file: 'component-kpis',
      group: 'checkout',
      expr: `${quantile(0.95, checkoutSagaDuration, { where: { stage: 'complete' }, window: '5m' })} > 0.8`,
      for: '5m',
      severity: 'critical',
      oncall: true,
      summary: 'Checkout commits take longer than 800 ms (p95)',
      description: 'p95 of the whole checkout commit is {{ $value | humanizeDuration }} (objective: < 800 ms).',
      action: 'Find the slow stage on panel 7; a slow payment provider or carrier is the usual cause, the database next.',
      kpi: 'checkout-latency',
      panel: { dashboard: 'component-kpis', id: 7 },
      meaning: 'Shoppers wait close to a second or more to place an order: abandoned carts and doubled clicks (absorbed by the Idempotency-Key, but a sign of pain).',
      steps: latencySteps,
      escalation: 'Payment provider slow: their status page and support; database: the platform database owner.',
      runbook,
      test: {
        firing: observations(checkoutSagaDuration, { stage: 'complete' }, [{ seconds: 2, perMinute: 10 }]),
        quiet: observations(checkoutSagaDuration, { stage: 'complete' }, [{ seconds: 0.5, perMinute: 10 }]),
      },
    },
    {
      name: 'CheckoutFailureRateHigh',
      file: 'component-kpis',
      group: 'checkout',
      expr: `${sumRate(checkoutSagaFailed, { window: '5m', by: ['stage', 'error_type'] })} / ignoring (stage, error_type) group_left () ${attempts('5m')} > 0.02`,
      for: '5m',
      severity: 'warning',
      summary: 'More than 2 % of checkouts fail for one reason',
      description: '{{ $value | humanizePercentage }} of checkout commits failed at stage {{ $labels.stage }} with {{ $labels.error_type }} over 5 minutes (target: < 2 % per category).',
      action: 'Read the stage and error type: `card_declined` spikes point at the provider or fraud, `out_of_stock` at oversold items, dependency codes at an outage.',
      kpi: 'checkout-failure-rate',
      panel: { dashboard: 'component-kpis', id: 8 },
      meaning: 'Shoppers who pressed “Place order” did not get an order, for one recurring reason.',
      steps: [
        '`checkout_saga_failed_total` by `stage` and `error_type` on panel 8: one category rising, or all stages (an outage)?',
        'One failed run: `select step, action, outcome, error from saga_steps where run_id = \'<id>\' order by id` (find the run by correlation id, checkout runbook).',
        '`payment`: `payments_attempts_total` by `outcome` (panel 13): `unavailable` is the provider, `declined` is cards (a burst from one store can be card testing).',
        '`compensation_failed` runs may hold money or stock: void and release as the checkout runbook says.',
      ],
      runbook,
      test: { firing: commits(95, 'payment', 'card_declined', 5), quiet: commits(99, 'payment', 'card_declined', 1) },
    },
  ],
  slos: [
    {
      name: 'checkout-latency',
      component: 'checkout',
      objective: 95,
      description: 'Checkout commits completed within 800 ms, of all completed commits (p95 < 800 ms).',
      errors: (window) => `(${completed(window)} - ${sumRateBelow(checkoutSagaDuration, 0.8, { where: { stage: 'complete' }, window })})`,
      total: completed,
      measuredBy: checkoutSagaDuration,
      test: (bad, good) =>
        observations(checkoutSagaDuration, { stage: 'complete' }, [
          { seconds: 2, perMinute: bad },
          { seconds: 0.1, perMinute: good },
        ]),
      steps: ['Follow `CheckoutLatencyCritical` in this catalog.'],
    },
  ],
  panels: [
    {
      dashboard: 'component-kpis',
      id: 7,
      title: 'Checkout commit latency (p95) by stage',
      description: 'p95 of each checkout saga stage; `complete` is the whole commit (warning above 300 ms, objective < 800 ms).',
      kind: 'timeseries',
      unit: 's',
      targets: [{ expr: quantile(0.95, checkoutSagaDuration, { window: '$__rate_interval', by: ['stage'] }), legend: '{{stage}}' }],
    },
    {
      dashboard: 'component-kpis',
      id: 8,
      title: 'Checkout failure rate by stage and error type',
      description: 'Failed checkout commits of all commit attempts, by the stage that failed and the error type (target < 2 % per category).',
      kind: 'timeseries',
      unit: 'percentunit',
      targets: [
        {
          expr: `${sumRate(checkoutSagaFailed, { window: '$__rate_interval', by: ['stage', 'error_type'] })} / ignoring (stage, error_type) group_left () ${attempts('$__rate_interval')}`,
          legend: '{{stage}} {{error_type}}',
        },
      ],
    },
  ],
});
