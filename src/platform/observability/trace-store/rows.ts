import { SpanKind, SpanStatusCode } from '@opentelemetry/api';
import type { ReadableSpan } from '@opentelemetry/sdk-trace-node';
import { redactSecrets } from '../logger.ts';
import type { KeptTrace } from './collector.ts';
import { type SamplingRules, durationMs, failed, httpStatusOf, isRequest, weightOf } from './sampling.ts';

/** The rows of the three tables, as column arrays for one multi-row `insert … select from unnest(…)` each. */
export interface TraceRow {
  trace_id: string;
  root_span_id: string;
  kind: 'request' | 'job';
  name: string;
  request_id: string;
  tenant_id: string | null;
  started_at: string;
  duration_ms: number;
  status: 'ok' | 'error';
  http_status: number | null;
  job_id: string | null;
  task: string | null;
  fingerprint: string | null;
  kept: string;
  weight: number;
}

export interface SpanRow {
  trace_id: string;
  span_id: string;
  parent_span_id: string | null;
  root_span_id: string;
  name: string;
  kind: string;
  service: string;
  started_at: string;
  duration_ms: number;
  status: 'unset' | 'ok' | 'error';
  attributes: string;
}

export interface LogRow {
  trace_id: string;
  span_id: string | null;
  at: string;
  level: string;
  message: string;
  fields: string;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const FINGERPRINT = /^[0-9a-f]{32}$/;
const KINDS: Record<SpanKind, string> = {
  [SpanKind.INTERNAL]: 'internal',
  [SpanKind.SERVER]: 'server',
  [SpanKind.CLIENT]: 'client',
  [SpanKind.PRODUCER]: 'producer',
  [SpanKind.CONSUMER]: 'consumer',
};

const text = (value: unknown, max: number): string | null => (typeof value === 'string' || typeof value === 'number' ? String(value).slice(0, max) : null);
export const startedAt = (span: ReadableSpan) => new Date(span.startTime[0] * 1000 + span.startTime[1] / 1e6).toISOString();

export function traceRow(kept: KeptTrace, rules: SamplingRules): TraceRow {
  const { root } = kept;
  const attributes = root.attributes;
  const request = isRequest(root);
  const method = text(attributes['http.request.method'], 10);
  const route = text(attributes['http.route'], 280);
  const tenant = attributes['tenant.id'];
  const fingerprint = attributes['error.fingerprint'];
  return {
    trace_id: root.spanContext().traceId,
    root_span_id: root.spanContext().spanId,
    kind: request ? 'request' : 'job',
    name: (request && method ? `${method} ${route ?? text(attributes['url.path'], 280) ?? ''}` : root.name).slice(0, 300),
    request_id: text(attributes['correlation.id'], 128) ?? root.spanContext().traceId,
    tenant_id: typeof tenant === 'string' && UUID.test(tenant) ? tenant : null,
    started_at: startedAt(root),
    duration_ms: durationMs(root),
    status: failed(root) ? 'error' : 'ok',
    http_status: httpStatusOf(root) ?? null,
    job_id: request ? null : text(attributes['job.id'], 40),
    task: request ? null : text(attributes['job.task'], 200),
    fingerprint: typeof fingerprint === 'string' && FINGERPRINT.test(fingerprint) ? fingerprint : null,
    kept: kept.reason,
    weight: weightOf(kept.reason, rules),
  };
}

/** A span's attributes, with its status description and recorded exceptions, secrets censored. */
function spanAttributes(span: ReadableSpan): Record<string, unknown> {
  const attributes: Record<string, unknown> = { ...span.attributes };
  if (span.status.message) attributes['otel.status_description'] = span.status.message;
  const exception = span.events.find((event) => event.name === 'exception');
  if (exception?.attributes) Object.assign(attributes, exception.attributes);
  return redactSecrets(attributes) as Record<string, unknown>;
}

export function spanRow(span: ReadableSpan, rootSpanId: string): SpanRow {
  const context = span.spanContext();
  const service = span.resource.attributes['service.name'];
  return {
    trace_id: context.traceId,
    span_id: context.spanId,
    parent_span_id: span.parentSpanContext?.spanId ?? null,
    root_span_id: rootSpanId,
    name: span.name.slice(0, 300),
    kind: KINDS[span.kind],
    service: typeof service === 'string' ? service : 'unknown',
    started_at: startedAt(span),
    duration_ms: durationMs(span),
    status: span.status.code === SpanStatusCode.ERROR ? 'error' : span.status.code === SpanStatusCode.OK ? 'ok' : 'unset',
    attributes: JSON.stringify(spanAttributes(span)),
  };
}

const LINE_KEYS = new Set(['time', 'level', 'message', 'msg', 'trace_id', 'span_id', 'service']);

/** A pino JSON line as a row; undefined when it is not one (a foreign line cannot break a batch). */
export function logRow(line: string): LogRow | undefined {
  let parsed: Record<string, unknown>;
  try {
    parsed = JSON.parse(line);
  } catch {
    return undefined;
  }
  if (typeof parsed.trace_id !== 'string' || typeof parsed.time !== 'string') return undefined;
  const fields: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(parsed)) if (!LINE_KEYS.has(key) && value !== null) fields[key] = value;
  return {
    trace_id: parsed.trace_id,
    span_id: typeof parsed.span_id === 'string' ? parsed.span_id : null,
    at: parsed.time,
    level: typeof parsed.level === 'string' ? parsed.level : String(parsed.level),
    message: text(parsed.message ?? parsed.msg, 2000) ?? '',
    fields: JSON.stringify(fields),
  };
}
