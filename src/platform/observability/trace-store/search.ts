import { sql } from 'kysely';
import type { Db } from '../../db/database.ts';

/** Reads of the trace store, all in platform context (the tables refuse any other). */
export interface StoredTrace {
  trace_id: string;
  root_span_id: string;
  kind: 'request' | 'job';
  name: string;
  request_id: string;
  tenant_id: string | null;
  started_at: Date;
  duration_ms: number;
  status: 'ok' | 'error';
  http_status: number | null;
  job_id: string | null;
  task: string | null;
  fingerprint: string | null;
  kept: string;
}

export interface StoredSpan {
  trace_id: string;
  span_id: string;
  parent_span_id: string | null;
  root_span_id: string;
  name: string;
  kind: string;
  service: string;
  started_at: Date;
  duration_ms: number;
  status: string;
  attributes: Record<string, unknown>;
}

export interface StoredLog {
  trace_id: string;
  span_id: string | null;
  at: Date;
  level: string;
  message: string;
  fields: Record<string, unknown>;
}

const TRACE_COLUMNS = sql.raw(
  'trace_id, root_span_id, kind, name, request_id, tenant_id, started_at, duration_ms, status, http_status, job_id, task, fingerprint, kept',
);
const MAX_SPANS = 5000;
const MAX_LOGS = 2000;
const MAX_ROOTS = 100;

/**
 * Everything stored under one correlation ID: its request and the jobs it enqueued (each a local root), their
 * spans and the log lines of their traces. Spans and lines are read only from the partitions of the roots' time
 * span (the index on request_id finds the roots in every partition; the rest is pruned by time).
 */
export async function findByRequestId(db: Db, requestId: string): Promise<{ traces: StoredTrace[]; spans: StoredSpan[]; logs: StoredLog[] } | undefined> {
  return db.withPlatform(async (trx) => {
    const traces = (
      await sql<StoredTrace>`select ${TRACE_COLUMNS} from obs_traces where request_id = ${requestId} order by started_at limit ${MAX_ROOTS}`.execute(trx)
    ).rows;
    if (traces.length === 0) return undefined;
    const traceIds = [...new Set(traces.map((row) => row.trace_id))];
    const from = new Date(Math.min(...traces.map((row) => row.started_at.getTime())) - 60_000);
    const to = new Date(Math.max(...traces.map((row) => row.started_at.getTime() + row.duration_ms)) + 60_000);
    const roots = traces.map((row) => row.root_span_id);
    const spans = (
      await sql<StoredSpan>`
        select trace_id, span_id, parent_span_id, root_span_id, name, kind, service, started_at, duration_ms, status, attributes
          from obs_spans
         where trace_id = any(${traceIds}::text[]) and root_span_id = any(${roots}::text[]) and started_at >= ${from} and started_at <= ${to}
         order by started_at, span_id limit ${MAX_SPANS}`.execute(trx)
    ).rows;
    const logs = (
      await sql<StoredLog>`
        select trace_id, span_id, at, level, message, fields from obs_logs
         where trace_id = any(${traceIds}::text[]) and at >= ${from} and at <= ${to}
         order by at limit ${MAX_LOGS}`.execute(trx)
    ).rows;
    return { traces, spans, logs };
  });
}

export interface RecentFilter {
  tenantId?: string | undefined;
  /** `error`: failed only. Without it and without `minDurationMs`: failed or slow. */
  status?: 'error' | undefined;
  minDurationMs?: number | undefined;
  since: Date;
  limit: number;
}

/** Recent requests with errors or high latency, newest first. */
export async function recentTraces(db: Db, filter: RecentFilter): Promise<StoredTrace[]> {
  const conditions = [sql`kind = 'request'`, sql`started_at >= ${filter.since}`];
  if (filter.tenantId) conditions.push(sql`tenant_id = ${filter.tenantId}::uuid`);
  if (filter.status === 'error') conditions.push(sql`status = 'error'`);
  if (filter.minDurationMs !== undefined) conditions.push(sql`duration_ms >= ${filter.minDurationMs}`);
  if (filter.status === undefined && filter.minDurationMs === undefined) conditions.push(sql`kept in ('error', 'slow')`);
  const { rows } = await db.withPlatform((trx) =>
    sql<StoredTrace>`select ${TRACE_COLUMNS} from obs_traces where ${sql.join(conditions, sql` and `)} order by started_at desc limit ${filter.limit}`.execute(trx),
  );
  return rows;
}

export interface HeatmapCell {
  tenant_id: string;
  bucket: Date;
  requests: number;
  errors: number;
}

/**
 * Requests and failed requests per store and time bucket, weighted by what each stored request stands for (a
 * sampled one for 1/ratio), for the stores with the most failures in the period.
 */
export async function errorHeatmap(db: Db, options: { since: Date; bucketSeconds: number; tenants: number }): Promise<HeatmapCell[]> {
  const { rows } = await db.withPlatform((trx) =>
    sql<{ tenant_id: string; bucket: Date; requests: number; errors: number }>`
      with recent as (
        select tenant_id, started_at, status, weight from obs_traces
         where kind = 'request' and tenant_id is not null and started_at >= ${options.since}
      ), top as (
        select tenant_id from recent group by tenant_id
         order by sum(weight) filter (where status = 'error') desc nulls last, sum(weight) desc limit ${options.tenants}
      )
      select r.tenant_id,
             to_timestamp(floor(extract(epoch from r.started_at) / ${options.bucketSeconds}) * ${options.bucketSeconds}) as bucket,
             sum(r.weight)::float8 as requests,
             coalesce(sum(r.weight) filter (where r.status = 'error'), 0)::float8 as errors
        from recent r join top using (tenant_id)
       group by 1, 2 order by 1, 2`.execute(trx),
  );
  return rows;
}

/**
 * Weighted request counts of the given tenants since `since` (each kept row stands for `weight` requests), for
 * a page of the store list: one index range per tenant on the hour's partitions. Tenants without requests are absent.
 */
export async function tenantRequestCounts(db: Db, tenantIds: string[], since: Date): Promise<Map<string, number>> {
  if (tenantIds.length === 0) return new Map();
  const { rows } = await db.withPlatform((trx) =>
    sql<{ tenant_id: string; requests: number }>`
      select tenant_id, sum(weight)::float8 as requests from obs_traces
       where kind = 'request' and tenant_id = any(${tenantIds}::uuid[]) and started_at >= ${since}
       group by tenant_id`.execute(trx),
  );
  return new Map(rows.map((row) => [row.tenant_id, Math.round(row.requests)]));
}

export interface TrafficSummary {
  requests: number;
  errors: number;
  p50_ms: number | null;
  p95_ms: number | null;
}

/** One store's weighted request count, failures and latency percentiles since `since`. */
export async function tenantTraffic(db: Db, tenantId: string, since: Date): Promise<TrafficSummary> {
  const { rows } = await db.withPlatform((trx) =>
    sql<TrafficSummary>`
      with recent as (
        select duration_ms, status, weight,
               sum(weight) over (order by duration_ms rows unbounded preceding) as running,
               sum(weight) over () as total
          from obs_traces where kind = 'request' and tenant_id = ${tenantId}::uuid and started_at >= ${since}
      )
      select coalesce(max(total), 0)::float8 as requests,
             coalesce(sum(weight) filter (where status = 'error'), 0)::float8 as errors,
             min(duration_ms) filter (where running >= 0.5 * total) as p50_ms,
             min(duration_ms) filter (where running >= 0.95 * total) as p95_ms
        from recent`.execute(trx),
  );
  return rows[0] ?? { requests: 0, errors: 0, p50_ms: null, p95_ms: null };
}
