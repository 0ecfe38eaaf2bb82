import { defineTelemetry, observations } from '../../platform/observability/alerting.ts';
import { defineMetric } from '../../platform/observability/metrics.ts';
import { quantile } from '../../platform/observability/promql.ts';

/** Consignment: intake of a batch (entering it with its items, accepting it onto the floor); target < 500 ms for 100 items. */
export const intakeDuration = defineMetric({
  name: 'villagecompute_storefront_consignment_intake_duration_seconds',
  help: 'Duration of consignment intake: creating a batch with its items, or accepting a batch (its products created).',
  type: 'histogram',
  labels: ['operation'],
  component: 'consignment',
  kpi: 'Consignment: intake transactions < 500 ms for 100 items',
  buckets: [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
});

/** Alerts and panels of the Consignment Module (panel 21: intake; panel 22 belongs to payouts). */
export const telemetry = defineTelemetry({
  alerts: [
    {
      name: 'ConsignmentIntakeLatencyHigh',
      file: 'component-kpis',
      group: 'consignment',
      expr: `${quantile(0.95, intakeDuration, { by: ['operation'] })} > 0.5`,
      for: '10m',
      severity: 'warning',
      summary: 'Consignment intake above 500 ms (p95)',
      description: 'p95 of consignment intake ({{ $labels.operation }}) is {{ $value | humanizeDuration }} (target: < 500 ms for 100 items).',
      action: 'Check lock waits on consignment and catalog tables and the slow statements on the database-performance dashboard.',
      kpi: 'consignment-intake-latency',
      panel: { dashboard: 'component-kpis', id: 21 },
      meaning: 'Staff taking in a consignor’s items wait at the counter; a batch of 100 items should take under half a second.',
      steps: [
        'Panel 21: which `operation`, `create` (entering the batch) or `accept` (products created in the catalog)?',
        'Top statements by mean time on the database-performance dashboard: the bulk inserts into products and variants.',
        '`pg_locks` waiting on `consignment_batches`: many accepts of one batch at once (only one proceeds; the others get 409).',
      ],
      runbook: 'consignment.md',
      test: {
        firing: observations(intakeDuration, { operation: 'accept' }, [{ seconds: 1.2, perMinute: 10 }]),
        quiet: observations(intakeDuration, { operation: 'accept' }, [{ seconds: 0.05, perMinute: 10 }]),
      },
    },
  ],
  panels: [
    {
      dashboard: 'component-kpis',
      id: 21,
      title: 'Consignment intake latency (p95)',
      description: 'p95 of batch creation and acceptance by operation (target < 500 ms for 100 items).',
      kind: 'timeseries',
      unit: 's',
      targets: [{ expr: quantile(0.95, intakeDuration, { window: '$__rate_interval', by: ['operation'] }), legend: 'p95 {{operation}}' }],
    },
  ],
});
