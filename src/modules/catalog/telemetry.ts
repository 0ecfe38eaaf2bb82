import { defineMetric } from '../../platform/observability/metrics.ts';

/** Seed 000 "Catalog & Inventory Module": bulk import throughput (target 5k products/min). */
export const bulkImportProducts = defineMetric({
  name: 'villagecompute_storefront_catalog_bulk_import_products_total',
  help: 'Products written by bulk imports.',
  type: 'counter',
  labels: ['format'],
  component: 'catalog',
  kpi: 'seed 000 Catalog & Inventory: bulk import throughput >= 5k products/min',
});

export const bulkImportRate = defineMetric({
  name: 'villagecompute_storefront_catalog_bulk_import_rate_products_per_minute',
  help: 'Throughput of the most recently finished bulk import.',
  type: 'gauge',
  labels: ['format'],
  component: 'catalog',
  kpi: 'seed 000 Catalog & Inventory: bulk import throughput >= 5k products/min',
});

/** Seed 000 "variant_upsert_duration": single-variant writes and import batches (target p95 < 200 ms). */
export const variantUpsertDuration = defineMetric({
  name: 'villagecompute_storefront_catalog_variant_upsert_duration_seconds',
  help: 'Duration of variant writes: one variant through the API, or one batch of an import.',
  type: 'histogram',
  labels: ['operation'],
  component: 'catalog',
  kpi: 'seed 001 §3.16 Catalog & Inventory: variant update API < 200 ms',
  buckets: [0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1, 2],
});
