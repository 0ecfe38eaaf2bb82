import { defineTelemetry, growing, holding, observations, series } from '../../platform/observability/alerting.ts';
import { defineMetric } from '../../platform/observability/metrics.ts';
import { quantile, sumOf, sumRate, } from '../../platform/observability/promql.ts';

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

const renders = (window: string) => sumRate(renderDuration, { window }, '_count');

/** Alerts, SLOs and panels of the Storefront Rendering Engine (panel 5). */
export const telemetry = defineTelemetry({
  alerts: [
    {
      name: 'StorefrontColdRenderSlow',
      file: 'component-kpis',
      group: 'storefront',
      expr: `${quantile(0.95, renderDuration, { where: { cold: 'true' } })} > 0.15`,
      for: '10m',
      severity: 'warning',
      summary: 'Storefront cold renders above 150 ms (p95)',
      description: 'p95 of cold storefront renders is {{ $value | humanizeDuration }} (target: < 150 ms).',
      action: 'Find the slow page on panel 5 and its queries on the database-performance dashboard; check the page cache hit rate.',
      kpi: 'storefront-cold-render',
      panel: { dashboard: 'component-kpis', id: 5 },
      meaning: 'Pages rendered from the database (not the page cache) are slow: shoppers on uncached pages wait.',
      steps: [
        'Panel 5 by `page`: one page type or all?',
        'One page: its catalog queries (database-performance, top statements by mean time).',
        'All pages: database or CPU saturation (golden-signals).',
      ],
      runbook: 'storefront.md',
      test: {
        firing: observations(renderDuration, { page: 'product', cold: 'true' }, [{ seconds: 0.3, perMinute: 30 }]),
        quiet: observations(renderDuration, { page: 'product', cold: 'true' }, [{ seconds: 0.025, perMinute: 30 }]),
      },
    },
    {
      name: 'HydrationBundleSizeLarge',
      file: 'component-kpis',
      group: 'storefront',
      expr: `max(${sumOf(bundleSize, { by: ['type'] })}) > 122880`,
      for: '0m',
      severity: 'info',
      summary: 'Storefront hydration bundle above 120 KB gzipped',
      description: 'The largest storefront script is {{ $value | humanize1024 }}B gzipped (budget: 120 KiB).',
      action: 'Find the change that grew the storefront scripts (src/modules/storefront/assets) and split or drop it.',
      kpi: 'hydration-bundle-size',
      panel: { dashboard: 'component-kpis', id: 5 },
      meaning: 'A release ships storefront JavaScript over the size budget, slowing first interaction on phones.',
      steps: ['Compare the size with the previous release (deployment annotation).', 'Revert or lazy-load the new dependency.'],
      test: {
        firing: [series(bundleSize, { type: 'hydration' }, holding(200_000))],
        quiet: [series(bundleSize, { type: 'hydration' }, holding(3_000))],
      },
    },
  ],
  slos: [
    {
      name: 'storefront-template-errors',
      component: 'storefront',
      objective: 99.9,
      description: 'Storefront renders without a template error, of all renders.',
      errors: (window) => sumRate(templateErrors, { window }),
      total: renders,
      measuredBy: renderDuration,
      test: (bad, good) => [
        series(templateErrors, { page: 'product' }, growing(bad)),
        ...observations(renderDuration, { page: 'product', cold: 'true' }, [{ seconds: 0.01, perMinute: bad + good }]),
      ],
      steps: ['Logs of `storefront` at error: the template and the record that failed.', 'Roll back the release when it started with a deploy.'],
    },
  ],
  panels: [
    {
      dashboard: 'component-kpis',
      id: 5,
      title: 'Storefront render latency (p95) and bundle size',
      description: 'p95 render time by cache state (cold = from the database). Target: cold < 150 ms; hydration bundle < 120 KB gzipped.',
      kind: 'timeseries',
      unit: 's',
      targets: [
        { expr: quantile(0.95, renderDuration, { window: '$__rate_interval', by: ['cold'] }), legend: 'p95 cold={{cold}}' },
        { expr: `${sumOf(bundleSize, { by: ['type'] })} / 1e6`, legend: 'bundle {{type}} (MB gz)' },
      ],
    },
  ],
});
