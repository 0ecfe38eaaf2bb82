import { ROOT_CONTEXT, type Context, context as otelContext, propagation } from '@opentelemetry/api';
import { currentContext, type RequestContext } from '../observability/context.ts';

/** What a job carries from the code that enqueued it (seed 004 "Celery Task Correlation"). */
export interface JobOrigin {
  correlation_id: string | null;
  user_id: string | null;
  /** W3C trace context of the enqueuing span; absent until the fabric registers a propagator. */
  traceparent?: string;
  tracestate?: string;
}

export function captureOrigin(): JobOrigin {
  const context = currentContext();
  const carrier: Record<string, string> = {};
  propagation.inject(otelContext.active(), carrier);
  return { correlation_id: context?.correlationId ?? null, user_id: context?.userId ?? null, ...carrier };
}

/** The request context a job runs in: the enqueuer's correlation and user, the job's tenant. */
export function jobContext(origin: JobOrigin, tenantId: string | null, jobId: string): RequestContext {
  return {
    correlationId: origin.correlation_id ?? `job-${jobId}`,
    ...(tenantId ? { tenantId, storeId: tenantId } : {}),
    ...(origin.user_id ? { userId: origin.user_id } : {}),
  };
}

/** The enqueuing span's context, parent of the job's span. */
export function parentTraceContext(origin: JobOrigin): Context {
  const carrier: Record<string, string> = {};
  if (origin.traceparent) carrier.traceparent = origin.traceparent;
  if (origin.tracestate) carrier.tracestate = origin.tracestate;
  return propagation.extract(ROOT_CONTEXT, carrier);
}
