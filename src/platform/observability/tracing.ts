import { createRequire } from 'node:module';
import { FastifyOtelInstrumentation } from '@fastify/otel';
import { type Tracer, trace } from '@opentelemetry/api';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import { registerInstrumentations } from '@opentelemetry/instrumentation';
import { HttpInstrumentation } from '@opentelemetry/instrumentation-http';
import { PgInstrumentation } from '@opentelemetry/instrumentation-pg';
import { UndiciInstrumentation } from '@opentelemetry/instrumentation-undici';
import { resourceFromAttributes } from '@opentelemetry/resources';
import {
  BatchSpanProcessor,
  NodeTracerProvider,
  ParentBasedSampler,
  type Sampler,
  SimpleSpanProcessor,
  type Span,
  type SpanExporter,
  type SpanProcessor,
  TraceIdRatioBasedSampler,
} from '@opentelemetry/sdk-trace-node';
import { ATTR_SERVICE_NAME } from '@opentelemetry/semantic-conventions';
import type { FastifyPluginCallback } from 'fastify';
import type { TracingConfig } from '../config/config.ts';
import { currentContext, spanAttributes } from './context.ts';
import { RecordEverySampler, RemoteParentRatioSampler } from './remote-sampler.ts';
import { traceStoreCollector } from './trace-store/store.ts';

/** The bounded-context service names (one per part of the product). */
export const SERVICE_NAMES = ['village-storefront', 'checkout-orchestrator', 'media-processor', 'background-jobs', 'platform-admin'] as const;
export type ServiceName = (typeof SERVICE_NAMES)[number];

export interface Tracing {
  /** Registers @fastify/otel on an app (the HTTP server span); call before any route. */
  fastifyPlugin(): FastifyPluginCallback;
  /** A tracer whose spans are exported under a bounded context's own service name. */
  tracer(service?: ServiceName): Tracer;
  forceFlush(): Promise<void>;
  shutdown(): Promise<void>;
}

/** Stamps every span with the tenant and correlation ID of the context it starts in. */
const contextAttributes: SpanProcessor = {
  onStart(span: Span) {
    const context = currentContext();
    if (context) span.setAttributes(spanAttributes(context));
  },
  onEnd() {},
  forceFlush: () => Promise.resolve(),
  shutdown: () => Promise.resolve(),
};

let running: Tracing | undefined;

/**
 * Starts the OpenTelemetry SDK once per process (later calls return the running one). Spans are always
 * created, so every log line and SQL comment has a trace_id; they are exported only to `exporter` (tests) or
 * to OTLP when an endpoint is configured.
 */
export function startTracing(config: TracingConfig, exporter?: SpanExporter): Tracing {
  if (running) return running;
  const processors: SpanProcessor[] = [contextAttributes];
  if (exporter) processors.push(new SimpleSpanProcessor(exporter));
  else if (config.export) processors.push(new BatchSpanProcessor(new OTLPTraceExporter()));
  const store = traceStoreCollector(config.store);
  if (store) processors.push(store);
  // A remote parent's sampled flag is the client's to set, so it decides nothing (see remote-sampler.ts).
  const remote = new RemoteParentRatioSampler(config.samplerRatio);
  const headSampler: Sampler = new ParentBasedSampler({
    root: new TraceIdRatioBasedSampler(config.samplerRatio),
    remoteParentSampled: remote,
    remoteParentNotSampled: remote,
  });
  // The trace store samples at the tail, so it must see every span: spans the head sampler leaves out are still
  // recorded (not exported, not marked sampled) when the store is on.
  const sampler = store ? new RecordEverySampler(headSampler) : headSampler;
  const providerFor = (serviceName: string) =>
    new NodeTracerProvider({ resource: resourceFromAttributes({ [ATTR_SERVICE_NAME]: serviceName }), sampler, spanProcessors: processors });

  const main = providerFor(config.serviceName);
  main.register();
  const services = new Map<string, NodeTracerProvider>([[config.serviceName, main]]);
  // One span per request: the handler runs in the request span (a handler span of its own cost a span's work on
  // every request and told nothing the request span does not).
  const fastify = new FastifyOtelInstrumentation({
    registerOnInitialization: false,
    instrumentHooks: false,
    instrumentHandler: false,
    // @fastify/otel's url.path is the whole request URL; a query string may hold a search or a token.
    requestHook: (span, request) => span.setAttribute('url.path', request.url.split('?')[0]!),
  });
  registerInstrumentations({
    tracerProvider: main,
    // Incoming requests get their SERVER span from @fastify/otel (which also continues a caller's traceparent):
    // the http instrumentation's incoming side cost ~50 µs a request for the same span (docs/adr/0031). Pool
    // checkouts get no span (their wait shows in the pool gauges); queries outside a request get none.
    instrumentations: [new HttpInstrumentation({ disableIncomingRequestInstrumentation: true }), new UndiciInstrumentation(), new PgInstrumentation({ requireParentSpan: true, ignoreConnectSpans: true }), fastify],
  });
  patchLoadedModules();

  running = {
    fastifyPlugin: () => fastify.plugin(),
    tracer(service = 'village-storefront') {
      const name = service === 'village-storefront' ? config.serviceName : service;
      let provider = services.get(name);
      if (!provider) {
        provider = providerFor(name);
        services.set(name, provider);
      }
      return provider.getTracer('village-storefront');
    },
    forceFlush: async () => {
      await Promise.all([...services.values()].map((provider) => provider.forceFlush()));
    },
    shutdown: async () => {
      await Promise.all([...services.values()].map((provider) => provider.shutdown()));
    },
  };
  return running;
}

/** The running tracing, or a no-op tracer before `startTracing` (scripts, the migration CLI). */
export function tracer(service?: ServiceName): Tracer {
  return running ? running.tracer(service) : trace.getTracer('village-storefront');
}

/**
 * ESM imports of `pg` and `node:http` do not pass through the `require` hook that instrumentations patch
 * from, and `main.ts` imports them before tracing starts. Requiring them once more, after the hook is in
 * place, patches the shared module objects (the instrumentations patch prototypes), whatever the load order.
 */
function patchLoadedModules(): void {
  const require = createRequire(import.meta.url);
  require('node:http');
  require('node:https');
  require('pg');
  createRequire(require.resolve('pg'))('pg-pool');
}
