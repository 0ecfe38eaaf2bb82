import { AsyncLocalStorage } from 'node:async_hooks';

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
}

const storage = new AsyncLocalStorage<RequestContext>();

export function runWithContext<T>(context: RequestContext, fn: () => T): T {
  return storage.run(context, fn);
}

/** The current context, or undefined outside any request or job. */
export function currentContext(): RequestContext | undefined {
  return storage.getStore();
}

/** Fills in fields learned after the context began (tenant after host resolution, user after auth). */
export function updateContext(fields: Partial<RequestContext>): void {
  const context = storage.getStore();
  if (context) Object.assign(context, fields);
}
