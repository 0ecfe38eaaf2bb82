import type { ObservabilityLinksConfig } from '../../platform/config/config.ts';
import type { Db } from '../../platform/db/database.ts';
import { HttpProblem } from '../../platform/http/problem.ts';
import { type StoredSpan, type StoredTrace, findByRequestId, recentTraces } from '../../platform/observability/trace-store/search.ts';
import { outboundLinks } from './links.ts';

/** Seconds between refreshes of the recent-traces widget. */
export const RECENT_TRACES_REFRESH_SECONDS = 60;

const round = (ms: number) => Math.round(ms * 1000) / 1000;

export const traceSummary = (row: StoredTrace) => ({
  request_id: row.request_id,
  trace_id: row.trace_id,
  tenant_id: row.tenant_id,
  name: row.name,
  started_at: row.started_at.toISOString(),
  duration_ms: round(row.duration_ms),
  status: row.status,
  http_status: row.http_status,
  kept: row.kept,
});

const spanView = (origin: number) => (span: StoredSpan) => ({
  span_id: span.span_id,
  parent_span_id: span.parent_span_id,
  trace_id: span.trace_id,
  name: span.name,
  kind: span.kind,
  service: span.service,
  start_ms_offset: round(span.started_at.getTime() - origin),
  duration_ms: round(span.duration_ms),
  status: span.status,
  attributes: span.attributes,
});

const statementOf = (span: StoredSpan) => {
  const text = span.attributes['db.query.text'] ?? span.attributes['db.statement'];
  return typeof text === 'string' ? text : undefined;
};

async function errorGroup(db: Db, fingerprint: string | undefined) {
  if (!fingerprint) return null;
  const group = await db.kysely.selectFrom('error_groups').selectAll().where('fingerprint', '=', fingerprint).executeTakeFirst();
  if (!group) return null;
  return {
    fingerprint: group.fingerprint,
    error_type: group.error_type,
    message: group.message,
    top_frames: group.top_frames,
    endpoint: group.endpoint,
    first_seen: group.first_seen.toISOString(),
    last_seen: group.last_seen.toISOString(),
    count: Number(group.count),
    sample_request_id: group.sample_request_id,
  };
}

/**
 * One request found by its correlation ID: its spans as a waterfall (offsets from the request's start), its log
 * lines, its SQL statements, the jobs it enqueued with their spans, its error group and links out. A correlation
 * ID whose request was not kept but whose jobs were still answers, with the first job as the anchor.
 */
export async function requestTrace(db: Db, links: ObservabilityLinksConfig, requestId: string) {
  const found = await findByRequestId(db, requestId);
  if (!found) {
    throw new HttpProblem(404, 'Request not found', `No stored trace has request ID ${requestId}: it is unknown, older than the retention, or was not sampled.`);
  }
  const request = found.traces.find((row) => row.kind === 'request') ?? found.traces[0]!;
  const origin = request.started_at.getTime();
  const view = spanView(origin);
  const jobs = found.traces.filter((row) => row !== request);
  const spansOf = (root: StoredTrace) => found.spans.filter((span) => span.trace_id === root.trace_id && span.root_span_id === root.root_span_id);
  const fingerprint =
    found.traces.find((row) => row.fingerprint)?.fingerprint ??
    found.logs.map((line) => line.fields.fingerprint).find((value): value is string => typeof value === 'string');
  const sqlSpans = found.spans.flatMap((span) => {
    const text = statementOf(span);
    return text ? [{ text, duration_ms: round(span.duration_ms), span_id: span.span_id }] : [];
  });
  const end = new Date(Math.max(...found.traces.map((row) => row.started_at.getTime() + row.duration_ms)));
  return {
    ...traceSummary(request),
    spans: spansOf(request).map(view),
    logs: found.logs.map((line) => ({ time: line.at.toISOString(), level: line.level, msg: line.message, span_id: line.span_id, fields: line.fields })),
    sql: sqlSpans,
    jobs: jobs.map((job) => ({
      job_id: job.job_id,
      task: job.task,
      trace_id: job.trace_id,
      started_at: job.started_at.toISOString(),
      duration_ms: round(job.duration_ms),
      status: job.status,
      spans: spansOf(job).map(view),
    })),
    error_group: await errorGroup(db, fingerprint),
    links: outboundLinks(links, { tenantId: request.tenant_id, from: request.started_at, to: end, requestId, traceId: request.trace_id }),
  };
}

/** The recent-traces widget: requests that failed or were slow (or as filtered), newest first, from the last day. */
export async function recentTraceList(db: Db, filter: { tenantId?: string | undefined; status?: 'error' | undefined; minDurationMs?: number | undefined; limit: number }) {
  const dataAsOf = new Date();
  const rows = await recentTraces(db, { ...filter, since: new Date(dataAsOf.getTime() - 24 * 3_600_000) });
  return { data_as_of: dataAsOf.toISOString(), refresh_seconds: RECENT_TRACES_REFRESH_SECONDS, items: rows.map(traceSummary) };
}

/** Subdomains of the given stores, for labelling widget rows. */
export async function subdomainsOf(db: Db, ids: string[]): Promise<Map<string, string>> {
  if (ids.length === 0) return new Map();
  const rows = await db.kysely.selectFrom('tenants').select(['id', 'subdomain']).where('id', 'in', ids).execute();
  return new Map(rows.map((row) => [row.id, row.subdomain]));
}
