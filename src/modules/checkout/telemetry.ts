import { defineMetric } from '../../platform/observability/metrics.ts';

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
