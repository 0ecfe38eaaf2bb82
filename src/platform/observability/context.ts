import { AsyncLocalStorage } from 'node:async_hooks';
import { type Span, trace } from '@opentelemetry/api';

/**
 * The one context of a request or a job. Everything below the edge reads it from here (logs, metrics, SQL
 * comments, the unit of work); nobody passes it by hand.
 */
export interface ImpersonationContext {
  actorId: string;
  reason: string;
  ticket?: string;
}

export interface RequestContext {
  correlationId: string;
  tenantId?: string;
  storeId?: string;
  userId?: string;
  sessionId?: string;
  impersonation?: ImpersonationContext;
  /** The route template of a request (`/products/:handle`), for SQL comments. */
  route?: string;
  /** The root span of the request or job; `activeSpan()` gives the innermost one. */
  span?: Span;
}

const storage = new AsyncLocalStorage<RequestContext>();

export function runWithContext<T>(context: RequestContext, fn: () => T): T {
  return storage.run(context, fn);
}

/** The current context, or undefined outside any request or job. */
export function currentContext(): RequestContext | undefined {
  return storage.getStore();
}

/** The innermost active span; the context's root span where OpenTelemetry's own context was lost. */
export function activeSpan(): Span | undefined {
  return trace.getActiveSpan() ?? storage.getStore()?.span;
}

/** Fills in fields learned after the context began (tenant after host resolution, user after auth). */
export function updateContext(fields: Partial<RequestContext>): void {
  const context = storage.getStore();
  if (!context) return;
  Object.assign(context, fields);
  const attributes = spanAttributes(fields);
  context.span?.setAttributes(attributes);
  const active = trace.getActiveSpan();
  if (active !== context.span) active?.setAttributes(attributes);
}

/** The context fields every span carries. */
export function spanAttributes(context: Partial<RequestContext>): Record<string, string> {
  const attributes: Record<string, string> = {};
  if (context.correlationId) attributes['correlation.id'] = context.correlationId;
  if (context.tenantId) attributes['tenant.id'] = context.tenantId;
  if (context.userId) attributes['user.id'] = context.userId;
  return attributes;
}
