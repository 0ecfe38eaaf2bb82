import diagnosticsChannel from 'node:diagnostics_channel';
import { currentContext } from './context.ts';

interface UndiciRequest {
  addHeader(name: string, value: string): unknown;
}

let subscribed = false;

/** Outbound calls made with `fetch`/undici inside a context carry its X-Request-ID (traceparent is OpenTelemetry's). */
export function propagateRequestIdOnFetch(): void {
  if (subscribed) return;
  subscribed = true;
  diagnosticsChannel.subscribe('undici:request:create', (message) => {
    const correlationId = currentContext()?.correlationId;
    if (correlationId) (message as { request: UndiciRequest }).request.addHeader('x-request-id', correlationId);
  });
}
