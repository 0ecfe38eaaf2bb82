import { defineMetric } from './metrics.ts';

/** The HTTP golden signals (seed 004 "Golden Signals" dashboard) and the error counter (004 `error_counter`). */
export const httpRequestDuration = defineMetric({
  name: 'villagecompute_storefront_http_request_duration_seconds',
  help: 'HTTP request duration by method, route template and status class.',
  type: 'histogram',
  labels: ['method', 'route', 'status_class'],
  component: 'http',
  kpi: '004 golden signals: latency',
  buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
});

export const httpRequests = defineMetric({
  name: 'villagecompute_storefront_http_requests_total',
  help: 'HTTP requests by method, route template, status class and (bounded) tenant.',
  type: 'counter',
  labels: ['method', 'route', 'status_class', 'tenant_id'],
  component: 'http',
  kpi: '004 golden signals: traffic',
});

export const httpInFlight = defineMetric({
  name: 'villagecompute_storefront_http_in_flight_requests',
  help: 'HTTP requests being served right now.',
  type: 'gauge',
  labels: [],
  component: 'http',
  kpi: '004 golden signals: saturation',
});

export const httpErrors = defineMetric({
  name: 'villagecompute_storefront_http_errors_total',
  help: 'Error responses by endpoint (route template), status code and error type.',
  type: 'counter',
  labels: ['endpoint', 'status_code', 'error_type'],
  component: 'http',
  kpi: '004 error_counter',
});
