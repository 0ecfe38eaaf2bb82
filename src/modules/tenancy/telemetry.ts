import { defineMetric } from '../../platform/observability/metrics.ts';

/** Tenant Access Gateway KPIs (seed 000 "Tenant Access Gateway", seed 001 §3.16: median < 10 ms, < 0.1 % misclassified). */
export const resolutionDuration = defineMetric({
  name: 'villagecompute_storefront_tenant_gateway_resolution_duration_seconds',
  help: 'Time to resolve a request host to a tenant, cache hit or database lookup.',
  type: 'histogram',
  labels: ['source'],
  component: 'tenant_gateway',
  kpi: 'seed 001 §3.16 Tenant Access Gateway: median resolution < 10 ms',
  buckets: [0.00001, 0.00005, 0.0001, 0.0005, 0.001, 0.002, 0.005, 0.01, 0.025, 0.05, 0.1],
});

export const resolutions = defineMetric({
  name: 'villagecompute_storefront_tenant_gateway_resolutions_total',
  help: 'Host resolutions by outcome: hit (cached), miss (looked up), unknown (no store), suspended.',
  type: 'counter',
  labels: ['outcome'],
  component: 'tenant_gateway',
  kpi: 'seed 000 Tenant Access Gateway: tenant_resolution_total',
});

export const misclassifications = defineMetric({
  name: 'villagecompute_storefront_tenant_gateway_misclassified_total',
  help: 'Requests whose credentials belong to another store than the one their host resolved to.',
  type: 'counter',
  labels: [],
  component: 'tenant_gateway',
  kpi: 'seed 001 §3.16 Tenant Access Gateway: misclassification < 0.1 %',
});

export const cacheHitRatio = defineMetric({
  name: 'villagecompute_storefront_tenant_gateway_cache_hit_ratio',
  help: 'Share of host resolutions answered from the in-process cache since start.',
  type: 'gauge',
  labels: [],
  component: 'tenant_gateway',
  kpi: 'seed 001 §3.12 Tenant Access Gateway: cache hit rate',
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
