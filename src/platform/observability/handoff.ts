import { randomUUID } from 'node:crypto';
import { ROOT_CONTEXT, SpanKind, SpanStatusCode, context, propagation, trace } from '@opentelemetry/api';
import { type ImpersonationContext, type RequestContext, activeSpan, currentContext, runWithContext } from './context.ts';
import { type ServiceName, tracer } from './tracing.ts';

/**
 * Carrying a request's context into work that runs later elsewhere (a job, a message): `captureContext` where
 * the work is enqueued, stored as JSON with it; `runWithCapturedContext` where it runs.
 */
export interface CapturedContext {
  correlationId: string;
  tenantId?: string;
  storeId?: string;
  userId?: string;
  sessionId?: string;
  impersonation?: ImpersonationContext;
  /** W3C trace context of the span that was active at capture. */
  traceparent?: string;
  tracestate?: string;
}

/** The current context's fields and W3C trace context, as plain JSON; undefined outside any context. */
export function captureContext(): CapturedContext | undefined {
  const current = currentContext();
  if (!current) return undefined;
  const { span: _root, ...fields } = current;
  const carrier: { traceparent?: string; tracestate?: string } = {};
  const span = activeSpan();
  propagation.inject(span ? trace.setSpan(context.active(), span) : context.active(), carrier);
  return { ...fields, ...carrier };
}

export interface RestoreOptions {
  spanName: string;
  /** `child` (default): the span continues the captured trace. `link`: a new trace that links to it, for
   * work that runs long after or apart from its cause (scheduled retries, fan-out). */
  relation?: 'child' | 'link';
  service?: ServiceName;
  attributes?: Record<string, string | number | boolean>;
}

/**
 * Runs `fn` in a fresh context restored from `captured` (a new correlation ID when nothing was captured), inside
 * a CONSUMER span that is a child of, or linked to, the captured span. The span records a thrown error.
 */
export function runWithCapturedContext<T>(captured: CapturedContext | undefined, options: RestoreOptions, fn: () => Promise<T>): Promise<T> {
  const { traceparent, tracestate, ...fields } = captured ?? { correlationId: randomUUID() };
  const carrier = { ...(traceparent ? { traceparent } : {}), ...(tracestate ? { tracestate } : {}) };
  const remote = propagation.extract(ROOT_CONTEXT, carrier);
  const remoteSpan = trace.getSpanContext(remote);
  const link = options.relation === 'link';
  const restored: RequestContext = { ...fields };
  return runWithContext(restored, () =>
    tracer(options.service ?? 'background-jobs').startActiveSpan(
      options.spanName,
      {
        kind: SpanKind.CONSUMER,
        links: link && remoteSpan ? [{ context: remoteSpan }] : [],
        ...(options.attributes ? { attributes: options.attributes } : {}),
      },
      link ? ROOT_CONTEXT : remote,
      async (span) => {
        restored.span = span;
        try {
          return await fn();
        } catch (error) {
          span.recordException(error instanceof Error ? error : String(error));
          span.setStatus({ code: SpanStatusCode.ERROR, message: error instanceof Error ? error.message : String(error) });
          throw error;
        } finally {
          span.end();
        }
      },
    ),
  );
}
