import { readFileSync } from 'node:fs';
import type { SpanExporter } from '@opentelemetry/sdk-trace-node';
import type { Config } from '../config/config.ts';
import { startRuntimeMetrics } from './metrics.ts';
import { propagateRequestIdOnFetch } from './outbound.ts';
import { buildInfo } from './telemetry.ts';
import { configureTenantLabels } from './tenant-label.ts';
import { type Tracing, startTracing } from './tracing.ts';

/** The running build's version (package.json, or APP_VERSION set by the image build), for deployment annotations. */
const BUILD_VERSION: string =
  process.env.APP_VERSION ?? (JSON.parse(readFileSync(new URL('../../../package.json', import.meta.url), 'utf8')) as { version: string }).version;

/**
 * Starts the fabric's process-wide parts once: tracing (spans to `spanExporter` in tests, else OTLP when
 * configured), runtime metrics, the tenant label bound, and X-Request-ID on outbound calls. Logging is
 * configured before, by `configureLogging`, so that start-up itself is logged.
 */
export function startObservability(config: Pick<Config, 'tracing' | 'metrics'>, spanExporter?: SpanExporter): Tracing {
  configureTenantLabels({ allowList: config.metrics.tenantAllowList, topK: config.metrics.tenantTopK });
  startRuntimeMetrics();
  buildInfo.set({ version: BUILD_VERSION, node_version: process.version }, 1);
  propagateRequestIdOnFetch();
  return startTracing(config.tracing, spanExporter);
}
