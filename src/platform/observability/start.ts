import type { SpanExporter } from '@opentelemetry/sdk-trace-node';
import type { Config } from '../config/config.ts';
import { startRuntimeMetrics } from './metrics.ts';
import { propagateRequestIdOnFetch } from './outbound.ts';
import { configureTenantLabels } from './tenant-label.ts';
import { type Tracing, startTracing } from './tracing.ts';

/**
 * Starts the fabric's process-wide parts once: tracing (spans to `spanExporter` in tests, else OTLP when
 * configured), runtime metrics, the tenant label bound, and X-Request-ID on outbound calls. Logging is
 * configured before, by `configureLogging`, so that start-up itself is logged.
 */
export function startObservability(config: Pick<Config, 'tracing' | 'metrics'>, spanExporter?: SpanExporter): Tracing {
  configureTenantLabels({ allowList: config.metrics.tenantAllowList, topK: config.metrics.tenantTopK });
  startRuntimeMetrics();
  propagateRequestIdOnFetch();
  return startTracing(config.tracing, spanExporter);
}
