import { defineMetric } from '../../platform/observability/metrics.ts';

/** Seed 000 "Storefront Rendering Engine": cold render < 150 ms. Cold = rendered from the database, warm = page cache. */
export const renderDuration = defineMetric({
  name: 'villagecompute_storefront_storefront_render_duration_seconds',
  help: 'Time to produce a storefront page, by page and by cache state.',
  type: 'histogram',
  labels: ['page', 'cold'],
  component: 'storefront',
  kpi: 'seed 000 Storefront Rendering: cold render < 150 ms',
  buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.15, 0.3, 1],
});

/** Seed 001 §3.16: template errors < 0.1 % of renders. */
export const templateErrors = defineMetric({
  name: 'villagecompute_storefront_storefront_template_errors_total',
  help: 'Storefront renders that failed.',
  type: 'counter',
  labels: ['page'],
  component: 'storefront',
  kpi: 'seed 001 §3.16 Storefront Rendering: template errors < 0.1 %',
});

/** Seed 000: hydration bundle < 120 KB gzipped (our goal: < 30 KB). */
export const bundleSize = defineMetric({
  name: 'villagecompute_storefront_storefront_bundle_size_bytes',
  help: 'Size of the storefront scripts as served, gzipped.',
  type: 'gauge',
  labels: ['type'],
  component: 'storefront',
  kpi: 'seed 000 Storefront Rendering: hydration bundle < 120 KB gzipped',
});
