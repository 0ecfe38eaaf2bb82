import { defineTelemetry, growing, observations, series } from '../../platform/observability/alerting.ts';
import { defineMetric } from '../../platform/observability/metrics.ts';
import { quantile, re, sumIncrease, sumRate, sumRateBelow } from '../../platform/observability/promql.ts';
import { httpRequests } from '../../platform/observability/telemetry.ts';

/** Tenant Access Gateway KPIs (median < 10 ms, < 0.1 % misclassified). */
export const resolutionDuration = defineMetric({
  name: 'villagecompute_storefront_tenant_gateway_resolution_duration_seconds',
  help: 'Time to resolve a request host to a tenant, cache hit or database lookup.',
  type: 'histogram',
  labels: ['source'],
  component: 'tenant_gateway',
  kpi: 'Tenant Access Gateway: median resolution < 10 ms',
  buckets: [0.00001, 0.00005, 0.0001, 0.0005, 0.001, 0.002, 0.005, 0.01, 0.025, 0.05, 0.1],
});

export const resolutions = defineMetric({
  name: 'villagecompute_storefront_tenant_gateway_resolutions_total',
  help: 'Host resolutions by outcome: hit (cached), miss (looked up), unknown (no store), suspended.',
  type: 'counter',
  labels: ['outcome'],
  component: 'tenant_gateway',
  kpi: 'Tenant Access Gateway: tenant_resolution_total',
});

export const misclassifications = defineMetric({
  name: 'villagecompute_storefront_tenant_gateway_misclassified_total',
  help: 'Requests whose credentials belong to another store than the one their host resolved to.',
  type: 'counter',
  labels: [],
  component: 'tenant_gateway',
  kpi: 'Tenant Access Gateway: misclassification < 0.1 %',
});

let hitRatio = () => 0;
/** The gateway's directory, whose hit ratio the gauge reads at each scrape (no metric call per request). */
export function reportCacheHitRatio(read: () => number): void {
  hitRatio = read;
}

export const cacheHitRatio = defineMetric({
  name: 'villagecompute_storefront_tenant_gateway_cache_hit_ratio',
  help: 'Share of host resolutions answered from the in-process cache since start.',
  type: 'gauge',
  labels: [],
  component: 'tenant_gateway',
  kpi: 'Tenant Access Gateway: cache hit rate',
  collect() {
    cacheHitRatio.set(hitRatio());
  },
});

export const rateLimited = defineMetric({
  name: 'villagecompute_storefront_tenant_gateway_rate_limited_requests_total',
  help: 'Requests refused with 429, by what the budget belongs to (tenant: a traffic class of a store, requester: one address or staff member in a store, client, ip: the platform host).',
  type: 'counter',
  labels: ['scope'],
  component: 'tenant_gateway',
});

export const changeNotices = defineMetric({
  name: 'villagecompute_storefront_tenant_gateway_change_notices_total',
  help: 'Cache invalidation notices received over PostgreSQL LISTEN, by kind (tenant, domain, flag, override, reset).',
  type: 'counter',
  labels: ['kind'],
  component: 'tenant_gateway',
});

const slow = (seconds: number) => [{ seconds, perMinute: 100 }];

/** Alerts, SLOs and panels of the Tenant Access Gateway (panels 1–2 of the component KPI dashboard). */
export const telemetry = defineTelemetry({
  annotations: [
    {
      name: 'Feature flag changes',
      expr: `${sumIncrease(changeNotices, { where: { kind: re('flag|override') }, window: '1m' })} > 0`,
      text: 'Feature flags or overrides changed',
      color: 'purple',
    },
  ],
  alerts: [
    {
      name: 'TenantResolutionLatencyHigh',
      file: 'component-kpis',
      group: 'tenant-gateway',
      expr: `${quantile(0.5, resolutionDuration)} > 0.01`,
      for: '10m',
      severity: 'warning',
      summary: 'Tenant resolution median above 10 ms',
      description: 'Median host-to-tenant resolution is {{ $value | humanizeDuration }} (target: < 10 ms).',
      action: 'Check the cache hit ratio (panel 1) and the database lookup latency; a cold cache after a deploy recovers by itself.',
      kpi: 'tenant-resolution-latency',
      panel: { dashboard: 'component-kpis', id: 1 },
      meaning: 'Every request waits for its store to be resolved from the Host header; a slow median slows every page and API call.',
      steps: [
        'Compare `source="cache"` and `source="database"` on panel 1: database lookups dominating means the cache is cold or being flushed.',
        'Look at `…_tenant_gateway_change_notices_total`: a storm of `reset` notices empties the cache repeatedly.',
        'Check `…_db_query_duration_seconds` and the database-performance dashboard for a slow database.',
      ],
      runbook: 'tenant-gateway.md',
      test: {
        firing: observations(resolutionDuration, { source: 'database' }, slow(0.05)),
        quiet: observations(resolutionDuration, { source: 'cache' }, slow(0.0001)),
      },
    },
    {
      name: 'TenantMisclassificationRateHigh',
      file: 'component-kpis',
      group: 'tenant-gateway',
      expr: `${sumRate(misclassifications)} / ${sumRate(resolutions)} > 0.001`,
      for: '5m',
      severity: 'critical',
      summary: 'Requests carry credentials of another store than their host',
      description: '{{ $value | humanizePercentage }} of resolutions were misclassified (target: < 0.1 %).',
      action: 'Find the tenants and clients in the logs ("tenant mismatch"); a misrouted custom domain or a leaked token is the usual cause.',
      kpi: 'tenant-misclassification',
      panel: { dashboard: 'component-kpis', id: 2 },
      meaning: 'Credentials issued for one store arrive on another store’s host. The request is refused, but many of them mean a routing error or an attack.',
      steps: [
        'Search the logs for `tenant mismatch` in the last 15 minutes: which hosts, which client IDs.',
        'A single custom domain: check its DNS and the domain table (a domain moved between stores).',
        'Many stores from one client or IP: treat as credential abuse; revoke the client and block the source.',
      ],
      escalation: 'Security on-call when credentials are involved.',
      runbook: 'tenant-gateway.md',
      test: {
        firing: [series(misclassifications, {}, growing(5)), series(resolutions, { outcome: 'hit' }, growing(100))],
        quiet: [series(misclassifications, {}, growing(0)), series(resolutions, { outcome: 'hit' }, growing(100))],
      },
    },
  ],
  slos: [
    {
      name: 'tenant-gateway-availability',
      component: 'tenant-gateway',
      objective: 99.99,
      description: 'Requests answered without a server error (5xx), of all requests.',
      errors: (window) => sumRate(httpRequests, { where: { status_class: '5xx' }, window }),
      total: (window) => sumRate(httpRequests, { window }),
      measuredBy: httpRequests,
      test: (bad, good) => [
        series(httpRequests, { method: 'GET', route: '/', status_class: '5xx', tenant_id: 'other' }, growing(bad)),
        series(httpRequests, { method: 'GET', route: '/', status_class: '2xx', tenant_id: 'other' }, growing(good)),
      ],
      steps: ['Open the error-tracking dashboard: which routes and error types.', 'Follow `HighErrorRate` in this catalog.'],
    },
    {
      name: 'tenant-gateway-resolution-latency',
      component: 'tenant-gateway',
      objective: 99,
      description: 'Host resolutions within 10 ms, of all resolutions (stricter than a 10 ms median).',
      errors: (window) => `(${sumRate(resolutionDuration, { window }, '_count')} - ${sumRateBelow(resolutionDuration, 0.01, { window })})`,
      total: (window) => sumRate(resolutionDuration, { window }, '_count'),
      measuredBy: resolutionDuration,
      test: (bad, good) =>
        observations(resolutionDuration, { source: 'database' }, [
          { seconds: 0.05, perMinute: bad },
          { seconds: 0.0001, perMinute: good },
        ]),
      steps: ['Follow `TenantResolutionLatencyHigh` in this catalog.'],
    },
  ],
  panels: [
    {
      dashboard: 'component-kpis',
      id: 1,
      title: 'Tenant resolution latency (p50, p99)',
      description: 'Host-to-tenant resolution by source (cache or database). Target: median < 10 ms.',
      kind: 'timeseries',
      unit: 's',
      targets: [
        { expr: quantile(0.5, resolutionDuration, { window: '$__rate_interval', by: ['source'] }), legend: 'p50 {{source}}' },
        { expr: quantile(0.99, resolutionDuration, { window: '$__rate_interval', by: ['source'] }), legend: 'p99 {{source}}' },
      ],
    },
    {
      dashboard: 'component-kpis',
      id: 2,
      title: 'Tenant misclassification rate',
      description: 'Requests whose credentials belong to another store than their host, of all resolutions. Target: < 0.1 %.',
      kind: 'timeseries',
      unit: 'percentunit',
      targets: [
        {
          expr: `${sumRate(misclassifications, { window: '$__rate_interval' })} / ${sumRate(resolutions, { window: '$__rate_interval' })}`,
          legend: 'misclassified',
        },
      ],
    },
  ],
});
