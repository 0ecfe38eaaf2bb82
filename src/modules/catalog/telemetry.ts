import { defineTelemetry, growing, holding, observations, series } from '../../platform/observability/alerting.ts';
import { defineMetric } from '../../platform/observability/metrics.ts';
import { quantile, re, sumIncrease, sumOf, sumRate, sumRateBelow } from '../../platform/observability/promql.ts';

/** Catalog & Inventory: bulk import throughput (target 5k products/min). */
export const bulkImportProducts = defineMetric({
  name: 'villagecompute_storefront_catalog_bulk_import_products_total',
  help: 'Products written by bulk imports.',
  type: 'counter',
  labels: ['format'],
  component: 'catalog',
  kpi: 'Catalog & Inventory: bulk import throughput >= 5k products/min',
});

export const bulkImportRate = defineMetric({
  name: 'villagecompute_storefront_catalog_bulk_import_rate_products_per_minute',
  help: 'Throughput of the most recently finished bulk import.',
  type: 'gauge',
  labels: ['format'],
  component: 'catalog',
  kpi: 'Catalog & Inventory: bulk import throughput >= 5k products/min',
});

/** Variant upserts: single-variant writes and import batches (target p95 < 200 ms). */
export const variantUpsertDuration = defineMetric({
  name: 'villagecompute_storefront_catalog_variant_upsert_duration_seconds',
  help: 'Duration of variant writes: one variant through the API, or one batch of an import.',
  type: 'histogram',
  labels: ['operation'],
  component: 'catalog',
  kpi: 'Catalog & Inventory: variant update API < 200 ms',
  buckets: [0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1, 2],
});

/** Alerts, SLOs and panels of the Catalog & Inventory Module (panel 6). */
export const telemetry = defineTelemetry({
  alerts: [
    {
      name: 'CatalogBulkImportThroughputLow',
      file: 'component-kpis',
      group: 'catalog',
      expr: `min(${sumOf(bulkImportRate, { by: ['format'] })}) < 5000 and on() ${sumIncrease(bulkImportProducts, { window: '1h' })} > 1000`,
      for: '15m',
      severity: 'warning',
      summary: 'Bulk imports run below 5,000 products per minute',
      description: 'The last finished import ran at {{ $value | humanize }} products/min (target: >= 5,000).',
      action: 'Check the BULK job class (wait time, concurrency) and the import batch latency on panel 6.',
      kpi: 'catalog-bulk-import-throughput',
      panel: { dashboard: 'component-kpis', id: 6 },
      meaning: 'Merchants importing catalogs wait longer than promised; only fires while sizeable imports are running.',
      steps: [
        'Background-jobs dashboard: is the BULK class backed up behind other work?',
        'Panel 6 `operation="import_batch"`: slow batches point at the database (locks, missing index).',
        'Raise the BULK concurrency (`JOB_CONCURRENCY`) when the database has room.',
      ],
      runbook: 'catalog-import.md',
      test: {
        firing: [series(bulkImportRate, { format: 'csv' }, holding(1200)), series(bulkImportProducts, { format: 'csv' }, growing(100))],
        quiet: [series(bulkImportRate, { format: 'csv' }, holding(9000)), series(bulkImportProducts, { format: 'csv' }, growing(100))],
      },
    },
    {
      name: 'VariantUpsertLatencyHigh',
      file: 'component-kpis',
      group: 'catalog',
      expr: `${quantile(0.95, variantUpsertDuration, { by: ['operation'] })} > 0.2`,
      for: '10m',
      severity: 'warning',
      summary: 'Variant writes above 200 ms (p95)',
      description: 'p95 of {{ $labels.operation }} variant writes is {{ $value | humanizeDuration }} (target: < 200 ms).',
      action: 'Look for lock waits on catalog tables and slow statements on the database-performance dashboard.',
      kpi: 'variant-upsert-latency',
      panel: { dashboard: 'component-kpis', id: 6 },
      meaning: 'Merchants saving variants (or import batches) wait longer than 200 ms.',
      steps: [
        'Which `operation`: `create`/`update` (API) or `import_batch`?',
        'Top statements by mean time on the database-performance dashboard.',
        '`pg_locks` count rising: a long import holding row locks; see the catalog import runbook.',
      ],
      runbook: 'catalog-import.md',
      test: {
        firing: observations(variantUpsertDuration, { operation: 'update' }, [{ seconds: 0.5, perMinute: 20 }]),
        quiet: observations(variantUpsertDuration, { operation: 'update' }, [{ seconds: 0.01, perMinute: 20 }]),
      },
    },
  ],
  slos: [
    {
      name: 'catalog-variant-update-latency',
      component: 'catalog',
      objective: 99,
      description: 'Variant writes through the API within 200 ms, of all API variant writes.',
      errors: (window) =>
        `(${sumRate(variantUpsertDuration, { where: { operation: re('create|update') }, window }, '_count')} - ${sumRateBelow(variantUpsertDuration, 0.2, { where: { operation: re('create|update') }, window })})`,
      total: (window) => sumRate(variantUpsertDuration, { where: { operation: re('create|update') }, window }, '_count'),
      measuredBy: variantUpsertDuration,
      test: (bad, good) =>
        observations(variantUpsertDuration, { operation: 'update' }, [
          { seconds: 0.5, perMinute: bad },
          { seconds: 0.01, perMinute: good },
        ]),
      steps: ['Follow `VariantUpsertLatencyHigh` in this catalog.'],
    },
  ],
  panels: [
    {
      dashboard: 'component-kpis',
      id: 6,
      title: 'Variant upsert latency (p95) and import throughput',
      description: 'p95 of variant writes by operation (target < 200 ms) and the last import’s products per minute (target >= 5,000).',
      kind: 'timeseries',
      unit: 's',
      targets: [
        { expr: quantile(0.95, variantUpsertDuration, { window: '$__rate_interval', by: ['operation'] }), legend: 'p95 {{operation}}' },
        { expr: `${sumRate(bulkImportProducts, { window: '$__rate_interval' })} * 60 / 1000`, legend: 'imported (k products/min)' },
      ],
    },
  ],
});
