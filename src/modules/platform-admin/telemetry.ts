import { defineMetric } from '../../platform/observability/metrics.ts';

/** Platform Admin Backend metrics (seed 000 "Platform Admin Backend", seed 001 §3.16). */
export const storeListDuration = defineMetric({
  name: 'villagecompute_storefront_platform_admin_store_list_duration_seconds',
  help: 'Time to answer the global store list (GET /admin/platform/stores).',
  type: 'histogram',
  labels: [],
  component: 'platform_admin',
  kpi: '001 §3.16 Platform Admin: global store list API < 300 ms (p95)',
  buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.3, 1],
});
