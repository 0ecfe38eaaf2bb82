import { defineTelemetry, growing, holding, observations, series } from './alerting.ts';
import { METRIC_PREFIX, defineMetric } from './metrics.ts';
import { externalMetric, metricName, quantile, re, sumOf, sumRate } from './promql.ts';

/** The HTTP golden signals (the golden-signals dashboard) and the error counter. */
export const httpRequestDuration = defineMetric({
  name: 'villagecompute_storefront_http_request_duration_seconds',
  help: 'HTTP request duration by method, route template and status class.',
  type: 'histogram',
  labels: ['method', 'route', 'status_class'],
  component: 'http',
  kpi: 'golden signals: latency',
  exemplars: true,
  buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
});

export const httpRequests = defineMetric({
  name: 'villagecompute_storefront_http_requests_total',
  help: 'HTTP requests by method, route template, status class and (bounded) tenant.',
  type: 'counter',
  labels: ['method', 'route', 'status_class', 'tenant_id'],
  component: 'http',
  kpi: 'golden signals: traffic',
});

let requestsInFlight = 0;
/** Counts requests in and out; the gauge reads the count at each scrape, so a request makes no metric call for it. */
export const inFlight = {
  enter: () => {
    requestsInFlight++;
  },
  leave: () => {
    requestsInFlight--;
  },
};

export const httpInFlight = defineMetric({
  name: 'villagecompute_storefront_http_in_flight_requests',
  help: 'HTTP requests being served right now.',
  type: 'gauge',
  labels: [],
  component: 'http',
  kpi: 'golden signals: saturation',
  collect() {
    httpInFlight.set(requestsInFlight);
  },
});

export const httpErrors = defineMetric({
  name: 'villagecompute_storefront_http_errors_total',
  help: 'Error responses by endpoint (route template), status code and error type.',
  type: 'counter',
  labels: ['endpoint', 'status_code', 'error_type'],
  component: 'http',
  kpi: 'error_counter',
});

/** prom-client's process and runtime metrics (`startRuntimeMetrics`), named by rules and panels. */
export const runtimeMetrics = {
  cpu: externalMetric({ name: `${METRIC_PREFIX}runtime_process_cpu_seconds_total`, type: 'counter', labels: [], source: 'runtime', help: 'CPU seconds used by the process' }),
  memory: externalMetric({ name: `${METRIC_PREFIX}runtime_process_resident_memory_bytes`, type: 'gauge', labels: [], source: 'runtime', help: 'Resident memory' }),
  eventLoopLag: externalMetric({ name: `${METRIC_PREFIX}runtime_nodejs_eventloop_lag_p99_seconds`, type: 'gauge', labels: [], source: 'runtime', help: 'Event loop lag, p99' }),
  startTime: externalMetric({ name: `${METRIC_PREFIX}runtime_process_start_time_seconds`, type: 'gauge', labels: [], source: 'runtime', help: 'Process start, Unix time' }),
};

/** Deployments show as changes of this series (one per running build, value 1). */
export const buildInfo = defineMetric({
  name: 'villagecompute_storefront_build_info',
  help: 'The running build: version and Node.js version (value 1).',
  type: 'gauge',
  labels: ['version', 'node_version'],
  component: 'build',
  kpi: 'deployment annotations on every dashboard',
});

const filesystemAvail = externalMetric({ name: 'node_filesystem_avail_bytes', type: 'gauge', labels: ['mountpoint', 'fstype'], source: 'node_exporter', help: 'Free bytes for unprivileged users' });
const filesystemSize = externalMetric({ name: 'node_filesystem_size_bytes', type: 'gauge', labels: ['mountpoint', 'fstype'], source: 'node_exporter', help: 'Filesystem size' });

const errorRatio = (window: string) => `${sumRate(httpRequests, { where: { status_class: '5xx' }, window })} / ${sumRate(httpRequests, { window })}`;
const ok = (route = '/products') => ({ method: 'GET', route, tenant_id: 'other' });
const disk = { mountpoint: '/var/lib/postgresql', fstype: 'ext4' };

/** The platform-wide HTTP alerts and the golden-signals, error-tracking and tracing dashboards. */
export const telemetry = defineTelemetry({
  annotations: [
    {
      name: 'Deployments',
      expr: `count by (version) (${metricName(buildInfo)}) unless count by (version) (${metricName(buildInfo)} offset 5m)`,
      text: 'Build {{version}} started',
      color: 'blue',
    },
  ],
  alerts: [
    {
      name: 'HighErrorRate',
      file: 'platform',
      group: 'platform-http',
      expr: `${errorRatio('5m')} > 0.05`,
      for: '5m',
      severity: 'critical',
      summary: 'More than 5 % of requests fail with a server error',
      description: 'Server error ratio is {{ $value | humanizePercentage }} over 5 minutes (threshold: 5 %).',
      action: 'Open the error-tracking dashboard: which routes and error types; roll back if it started with a deploy.',
      kpi: 'http-error-rate',
      panel: { dashboard: 'golden-signals', id: 3 },
      meaning: 'Shoppers and merchants are getting 5xx answers; a failing dependency gives 503, a bug 500.',
      steps: [
        'Error-tracking dashboard: errors by endpoint and type; a single route means a bug, all routes a dependency.',
        '503s: `/q/health/ready` names the failing dependency (database, storage, job queue).',
        'Top error groups: `SELECT error_type, message, endpoint, count, sample_request_id FROM error_groups ORDER BY last_seen DESC LIMIT 20`, then the logs of `sample_request_id`.',
        'Started with a deployment annotation: roll back.',
      ],
      escalation: 'Component owner of the failing route, then the tech lead.',
      runbook: 'observability.md#errors',
      test: {
        firing: [series(httpRequests, { ...ok(), status_class: '5xx' }, growing(20)), series(httpRequests, { ...ok(), status_class: '2xx' }, growing(80))],
        quiet: [series(httpRequests, { ...ok(), status_class: '5xx' }, growing(1)), series(httpRequests, { ...ok(), status_class: '2xx' }, growing(99))],
      },
    },
    {
      name: 'SlowAPIResponses',
      file: 'platform',
      group: 'platform-http',
      expr: `${quantile(0.95, httpRequestDuration)} > 1`,
      for: '5m',
      severity: 'warning',
      summary: 'API p95 latency above 1 s',
      description: 'p95 request latency is {{ $value | humanizeDuration }} (threshold: 1 s).',
      action: 'Golden-signals dashboard: which routes; then saturation (CPU, event loop lag, pool waits).',
      kpi: 'http-latency',
      panel: { dashboard: 'golden-signals', id: 1 },
      meaning: 'Requests as a whole are slow; the component alerts say where.',
      steps: [
        'Latency by route on golden-signals; exemplars on the latency panel open a slow trace.',
        'Event loop lag high: a CPU-bound handler; pool waiting clients high: too few connections or slow queries.',
      ],
      test: {
        firing: observations(httpRequestDuration, { method: 'GET', route: '/', status_class: '2xx' }, [{ seconds: 2.5, perMinute: 60 }]),
        quiet: observations(httpRequestDuration, { method: 'GET', route: '/', status_class: '2xx' }, [{ seconds: 0.05, perMinute: 60 }]),
      },
    },
    {
      name: 'DiskSpaceLow',
      file: 'platform',
      group: 'platform-hosts',
      expr: `${sumOf(filesystemAvail, { by: ['instance', 'mountpoint'], where: { fstype: re('ext4|xfs|btrfs') } })} / ${sumOf(filesystemSize, { by: ['instance', 'mountpoint'], where: { fstype: re('ext4|xfs|btrfs') } })} < 0.1`,
      for: '5m',
      severity: 'warning',
      summary: 'Disk space below 10 %',
      description: '{{ $labels.mountpoint }} on {{ $labels.instance }} has {{ $value | humanizePercentage }} free.',
      action: 'Find what grows (database, logs, media temp files) and free or extend the volume before it fills.',
      kpi: 'disk-space',
      meaning: 'A volume (node_exporter) is nearly full; PostgreSQL stops accepting writes when its volume is full.',
      steps: [
        'On the database volume: table sizes on the database-performance dashboard; old session-log partitions; WAL kept by a stuck replica slot.',
        'Elsewhere: media temp files of failed transcodes; log files.',
      ],
      test: {
        firing: [series(filesystemAvail, disk, holding(5e9)), series(filesystemSize, disk, holding(100e9))],
        quiet: [series(filesystemAvail, disk, holding(50e9)), series(filesystemSize, disk, holding(100e9))],
      },
    },
  ],
  panels: [
    {
      dashboard: 'golden-signals',
      id: 1,
      title: 'Latency: request duration p50 / p95 / p99',
      description: 'Request duration over all routes. Exemplars link a slow request to its trace.',
      kind: 'timeseries',
      unit: 's',
      targets: [0.5, 0.95, 0.99].map((q) => ({
        expr: quantile(q, httpRequestDuration, { window: '$__rate_interval' }),
        legend: `p${q * 100}`,
        exemplars: true,
      })),
    },
    {
      dashboard: 'golden-signals',
      id: 2,
      title: 'Traffic: requests per second by route',
      description: 'Requests per second by route template, for the selected tenants.',
      kind: 'timeseries',
      unit: 'reqps',
      targets: [{ expr: sumRate(httpRequests, { window: '$__rate_interval', by: ['route'], where: { tenant_id: re('$tenant_id') } }), legend: '{{route}}' }],
    },
    {
      dashboard: 'golden-signals',
      id: 3,
      title: 'Errors: server error ratio',
      description: 'Share of requests answered with 5xx. Alert: HighErrorRate above 5 %.',
      kind: 'timeseries',
      unit: 'percentunit',
      targets: [{ expr: errorRatio('$__rate_interval'), legend: '5xx ratio' }],
    },
    {
      dashboard: 'golden-signals',
      id: 4,
      title: 'Saturation: CPU, event loop lag, requests in flight',
      description: 'CPU seconds per second and event loop lag of each process, and requests being served.',
      kind: 'timeseries',
      unit: 'short',
      targets: [
        { expr: sumRate(runtimeMetrics.cpu, { window: '$__rate_interval', by: ['instance'] }), legend: 'cpu {{instance}}' },
        { expr: sumOf(runtimeMetrics.eventLoopLag, { by: ['instance'] }), legend: 'loop lag {{instance}} (s)' },
        { expr: sumOf(httpInFlight), legend: 'in flight' },
      ],
    },
    {
      dashboard: 'golden-signals',
      id: 5,
      title: 'Memory per process',
      description: 'Resident memory of each process.',
      kind: 'timeseries',
      unit: 'bytes',
      targets: [{ expr: sumOf(runtimeMetrics.memory, { by: ['instance'] }), legend: '{{instance}}' }],
    },
    {
      dashboard: 'error-tracking',
      id: 1,
      title: 'Error responses per second',
      description: 'All 4xx and 5xx answers per second by status code.',
      kind: 'timeseries',
      unit: 'reqps',
      targets: [{ expr: sumRate(httpErrors, { window: '$__rate_interval', by: ['status_code'] }), legend: '{{status_code}}' }],
    },
    {
      dashboard: 'error-tracking',
      id: 2,
      title: 'Errors by endpoint',
      description: 'Error answers by route template over the selected range.',
      kind: 'bargauge',
      unit: 'short',
      targets: [{ expr: `topk(10, sum by (endpoint) (increase(${metricName(httpErrors)}[$__range])))`, legend: '{{endpoint}}', instant: true }],
    },
    {
      dashboard: 'error-tracking',
      id: 3,
      title: 'Error types',
      description: 'Error answers by error type (error class for 5xx, validation, not found…).',
      kind: 'bargauge',
      unit: 'short',
      targets: [{ expr: `sum by (error_type) (increase(${metricName(httpErrors)}[$__range]))`, legend: '{{error_type}}', instant: true }],
    },
    {
      dashboard: 'error-tracking',
      id: 4,
      title: 'Server error ratio',
      description: 'Share of requests answered with 5xx. Alert: HighErrorRate above 5 %.',
      kind: 'timeseries',
      unit: 'percentunit',
      targets: [{ expr: errorRatio('$__rate_interval'), legend: '5xx ratio' }],
    },
    {
      dashboard: 'distributed-tracing',
      id: 1,
      title: 'Request latency p95 by route (with trace exemplars)',
      description: 'Each exemplar dot carries the trace_id of one request; click it to open the trace.',
      kind: 'timeseries',
      unit: 's',
      targets: [{ expr: quantile(0.95, httpRequestDuration, { window: '$__rate_interval', by: ['route'] }), legend: '{{route}}', exemplars: true }],
    },
    {
      dashboard: 'distributed-tracing',
      id: 2,
      title: 'Request rate by route',
      description: 'Requests per second by route template.',
      kind: 'timeseries',
      unit: 'reqps',
      targets: [{ expr: sumRate(httpRequests, { window: '$__rate_interval', by: ['route'] }), legend: '{{route}}' }],
    },
    {
      dashboard: 'distributed-tracing',
      id: 3,
      title: 'Server error ratio by route',
      description: 'Share of 5xx answers per route.',
      kind: 'timeseries',
      unit: 'percentunit',
      targets: [
        {
          expr: `${sumRate(httpRequests, { where: { status_class: '5xx' }, window: '$__rate_interval', by: ['route'] })} / ${sumRate(httpRequests, { window: '$__rate_interval', by: ['route'] })}`,
          legend: '{{route}}',
        },
      ],
    },
    {
      dashboard: 'distributed-tracing',
      id: 4,
      title: 'Latency heatmap',
      description: 'Distribution of request durations over time.',
      kind: 'heatmap',
      unit: 's',
      targets: [{ expr: `sum by (le) (increase(${metricName(httpRequestDuration)}_bucket[$__rate_interval]))`, legend: '{{le}}' }],
    },
    {
      dashboard: 'distributed-tracing',
      id: 5,
      title: 'Slowest routes (p99)',
      description: 'The ten routes with the highest p99 latency over the selected range.',
      kind: 'table',
      unit: 's',
      targets: [{ expr: `topk(10, ${quantile(0.99, httpRequestDuration, { window: '$__range', by: ['route'] })})`, legend: '{{route}}', instant: true }],
    },
    {
      dashboard: 'distributed-tracing',
      id: 6,
      title: 'Errors by route and status',
      description: 'Error answers over the selected range, by route and status code.',
      kind: 'table',
      unit: 'short',
      targets: [{ expr: `sum by (endpoint, status_code) (increase(${metricName(httpErrors)}[$__range])) > 0`, legend: '{{endpoint}} {{status_code}}', instant: true }],
    },
    {
      dashboard: 'distributed-tracing',
      id: 7,
      title: 'Trace search',
      description: 'Open the traces and log lines of one request by its X-Request-ID.',
      kind: 'text',
      unit: 'none',
      wide: true,
      targets: [],
      content: [
        'Correlation ID: **$correlation_id**',
        '',
        '- Traces: search Jaeger/Tempo by tag `correlation.id=$correlation_id`.',
        '- Logs: `{app="village-storefront"} | json | correlation_id="$correlation_id"`.',
        '- SQL: `pg_stat_activity` where the query comment has `request_id=\'$correlation_id\'`.',
      ].join('\n'),
    },
  ],
});
