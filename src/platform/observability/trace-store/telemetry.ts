import { defineTelemetry, growing, series } from '../alerting.ts';
import { defineMetric } from '../metrics.ts';
import { sumRate } from '../promql.ts';

const component = 'trace_store';
const KPI = 'Correlation-ID search: every failed or slow request findable for the retention period';

export const traceStoreMetrics = {
  decisions: defineMetric({
    name: 'villagecompute_storefront_trace_store_decisions_total',
    help: 'Finished requests and jobs by tail-sampling decision (error, slow, sampled, linked, dropped).',
    type: 'counter',
    labels: ['decision'],
    component,
    kpi: KPI,
  }),
  dropped: defineMetric({
    name: 'villagecompute_storefront_trace_store_dropped_total',
    help: 'Spans, log lines or traces the store could not keep, by reason (buffer_full, write_failed, pending_full, trace_too_large, out_of_range).',
    type: 'counter',
    labels: ['reason'],
    component,
    kpi: KPI,
  }),
  written: defineMetric({
    name: 'villagecompute_storefront_trace_store_rows_written_total',
    help: 'Rows written to the trace store, by table (traces, spans, logs).',
    type: 'counter',
    labels: ['table'],
    component,
    kpi: KPI,
  }),
  buffered: defineMetric({
    name: 'villagecompute_storefront_trace_store_buffer_rows',
    help: 'Rows waiting in the trace store buffer for the next write.',
    type: 'gauge',
    labels: [],
    component,
    kpi: KPI,
  }),
  flushDuration: defineMetric({
    name: 'villagecompute_storefront_trace_store_flush_duration_seconds',
    help: 'Time to write one batch of the trace store buffer.',
    type: 'histogram',
    labels: [],
    component,
    kpi: KPI,
    buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
  }),
};

export const telemetry = defineTelemetry({
  alerts: [
    {
      name: 'TraceStoreDroppingRows',
      file: 'platform',
      group: 'platform-trace-store',
      expr: `${sumRate(traceStoreMetrics.dropped, { window: '10m' })} > 0`,
      for: '10m',
      severity: 'warning',
      summary: 'The trace store is dropping spans or log lines',
      description: 'The embedded trace store dropped {{ $value | humanize }} rows per second over 10 minutes; some requests cannot be found by their ID.',
      action: 'Read the drop reason on the metric: a full buffer means writes are too slow or the sample ratio too high.',
      kpi: 'trace-store-completeness',
      meaning: 'Failed or slow requests may be missing from the console’s correlation-ID search.',
      steps: [
        '`sum by (reason) (rate(villagecompute_storefront_trace_store_dropped_total[10m]))`: which bound was hit.',
        '`buffer_full`: compare the flush duration histogram with TRACE_STORE_FLUSH_MS; lower TRACE_STORE_SAMPLE_RATIO or raise TRACE_STORE_BUFFER_ROWS.',
        '`write_failed`: the warn lines of logger `trace-store` give the database error (a missing partition, a full disk).',
      ],
      runbook: 'trace-store.md',
      test: {
        firing: [series(traceStoreMetrics.dropped, { reason: 'buffer_full' }, growing(60))],
        quiet: [series(traceStoreMetrics.dropped, { reason: 'buffer_full' }, growing(0))],
      },
    },
  ],
});
