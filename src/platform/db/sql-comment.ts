import { isSpanContextValid } from '@opentelemetry/api';
import { activeSpan, currentContext } from '../observability/context.ts';

/**
 * sqlcommenter (https://google.github.io/sqlcommenter/spec/): `key='value'` pairs, keys sorted, keys and
 * values URL-encoded, so that no value can close the comment or break out of its quotes.
 */
export function sqlComment(fields: Record<string, string | undefined>): string {
  const pairs = Object.entries(fields)
    .filter((entry): entry is [string, string] => entry[1] !== undefined && entry[1] !== '')
    .sort(([a], [b]) => (a < b ? -1 : 1))
    .map(([key, value]) => `${encode(key)}='${encode(value)}'`);
  return pairs.length > 0 ? `/*${pairs.join(',')}*/` : '';
}

const encode = (value: string) => encodeURIComponent(value).replace(/[!'()*]/g, (char) => `%${char.charCodeAt(0).toString(16).toUpperCase()}`);

/** The comment of the current request or job (request_id, route, tenant_id, traceparent); empty outside any context. */
export function contextComment(): string {
  const context = currentContext();
  if (!context) return '';
  const span = activeSpan()?.spanContext();
  const traceparent =
    span && isSpanContextValid(span) ? `00-${span.traceId}-${span.spanId}-${span.traceFlags.toString(16).padStart(2, '0')}` : undefined;
  return sqlComment({ request_id: context.correlationId, route: context.route, tenant_id: context.tenantId, traceparent });
}

/** Appends the comment, before a trailing semicolon so the statement stays one statement. */
export function withComment(text: string, comment: string): string {
  if (!comment) return text;
  const trimmed = text.trimEnd();
  return trimmed.endsWith(';') ? `${trimmed.slice(0, -1)} ${comment};` : `${trimmed} ${comment}`;
}
