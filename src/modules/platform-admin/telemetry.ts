import { defineTelemetry, observations, } from '../../platform/observability/alerting.ts';
import { defineMetric } from '../../platform/observability/metrics.ts';
import { quantile, sumRate, sumRateBelow } from '../../platform/observability/promql.ts';

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

/** Alerts, SLOs and panels of the Platform Admin Backend (panel 17). */
export const telemetry = defineTelemetry({
  alerts: [
    {
      name: 'PlatformAdminStoreListSlow',
      file: 'component-kpis',
      group: 'platform-admin',
      expr: `${quantile(0.95, storeListDuration)} > 0.3`,
      for: '10m',
      severity: 'warning',
      summary: 'Global store list above 300 ms (p95)',
      description: 'p95 of the platform store list is {{ $value | humanizeDuration }} (target: < 300 ms).',
      action: 'Check the store-list query plan (its indexes) and the database load.',
      kpi: 'platform-admin-store-list',
      panel: { dashboard: 'component-kpis', id: 17 },
      meaning: 'Platform operators wait for the fleet list; support work slows down.',
      steps: [
        'Top statements on the database-performance dashboard: the store-list query and its mean time.',
        '`EXPLAIN ANALYZE` the query with the filters operators use; a sequential scan means a missing index.',
      ],
      test: {
        firing: observations(storeListDuration, {}, [{ seconds: 1, perMinute: 10 }]),
        quiet: observations(storeListDuration, {}, [{ seconds: 0.01, perMinute: 10 }]),
      },
    },
  ],
  slos: [
    {
      name: 'platform-admin-store-list',
      component: 'platform-admin',
      objective: 99,
      description: 'Store list answers within 300 ms, of all store list requests.',
      errors: (window) => `(${sumRate(storeListDuration, { window }, '_count')} - ${sumRateBelow(storeListDuration, 0.3, { window })})`,
      total: (window) => sumRate(storeListDuration, { window }, '_count'),
      measuredBy: storeListDuration,
      test: (bad, good) =>
        observations(storeListDuration, {}, [
          { seconds: 1, perMinute: bad },
          { seconds: 0.01, perMinute: good },
        ]),
      steps: ['Follow `PlatformAdminStoreListSlow` in this catalog.'],
    },
  ],
  panels: [
    {
      dashboard: 'component-kpis',
      id: 17,
      title: 'Platform store list latency (p95)',
      description: 'Time to answer the global store list. Target: p95 < 300 ms.',
      kind: 'timeseries',
      unit: 's',
      targets: [{ expr: quantile(0.95, storeListDuration, { window: '$__rate_interval' }), legend: 'p95' }],
    },
  ],
});
