import { isSpanContextValid } from '@opentelemetry/api';
import { activeSpan, currentContext } from '../observability/context.ts';

/**
 * sqlcommenter (https://google.github.io/sqlcommenter/spec/): `key='value'` pairs, keys sorted, keys and
 * values URL-encoded, so that no value can close the comment or break out of its quotes.
 */
export function sqlComment(fields: Record<string, string | undefined>): string {
  const pairs = commentPairs(fields);
  return pairs ? `/*${pairs}*/` : '';
}

function commentPairs(fields: Record<string, string | undefined>): string {
  return Object.entries(fields)
    .filter((entry): entry is [string, string] => entry[1] !== undefined && entry[1] !== '')
    .sort(([a], [b]) => (a < b ? -1 : 1))
    .map(([key, value]) => `${encode(key)}='${encode(value)}'`)
    .join(',');
}

/** What URL encoding leaves as it is (less `!'()*`, which it leaves too but a comment's quotes must not see). */
const UNRESERVED = /^[A-Za-z0-9_.~-]*$/;
const encode = (value: string) =>
  UNRESERVED.test(value) ? value : encodeURIComponent(value).replace(/[!'()*]/g, (char) => `%${char.charCodeAt(0).toString(16).toUpperCase()}`);

/** commentPairs of a context's three fields, whose keys are known, sorted and need no encoding. */
function contextPairs(requestId: string, route: string | undefined, tenantId: string | undefined): string {
  let pairs = requestId ? `request_id='${encode(requestId)}'` : '';
  if (route) pairs += `${pairs ? ',' : ''}route='${encode(route)}'`;
  if (tenantId) pairs += `${pairs ? ',' : ''}tenant_id='${encode(tenantId)}'`;
  return pairs;
}

const PAIRS = Symbol('sqlCommentPairs');
declare module '../observability/context.ts' {
  interface RequestContext {
    /** The encoded request_id, route and tenant_id, kept with the values they encode: a request's queries share them. */
    [PAIRS]?: Pick<RequestContext, 'correlationId' | 'route' | 'tenantId'> & { pairs: string };
  }
}

/** The comment of the current request or job (request_id, route, tenant_id, traceparent); empty outside any context. */
export function contextComment(): string {
  const context = currentContext();
  if (!context) return '';
  let known = context[PAIRS];
  if (!known || known.tenantId !== context.tenantId || known.correlationId !== context.correlationId || known.route !== context.route) {
    const { correlationId, route, tenantId } = context;
    known = { correlationId, route, tenantId, pairs: contextPairs(correlationId, route, tenantId) };
    context[PAIRS] = known;
  }
  const span = activeSpan()?.spanContext();
  if (!span || !isSpanContextValid(span)) return known.pairs ? `/*${known.pairs}*/` : '';
  // traceparent sorts after the other keys, and its characters (hex digits, dashes) need no encoding.
  const traceparent = `traceparent='00-${span.traceId}-${span.spanId}-${span.traceFlags.toString(16).padStart(2, '0')}'`;
  return `/*${known.pairs ? `${known.pairs},` : ''}${traceparent}*/`;
}

/** Appends the comment, before a trailing semicolon so the statement stays one statement. */
export function withComment(text: string, comment: string): string {
  if (!comment) return text;
  const trimmed = text.trimEnd();
  return trimmed.endsWith(';') ? `${trimmed.slice(0, -1)} ${comment};` : `${trimmed} ${comment}`;
}
