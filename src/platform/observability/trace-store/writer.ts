import type { ReadableSpan } from '@opentelemetry/sdk-trace-node';
import { sql } from 'kysely';
import type { TraceStoreConfig } from '../../config/config.ts';
import type { Db, Tx } from '../../db/database.ts';
import { logger } from '../logger.ts';
import type { KeptTrace, TraceSink } from './collector.ts';
import { type LogRow, type SpanRow, type TraceRow, logRow, spanRow, traceRow } from './rows.ts';
import { traceStoreMetrics } from './telemetry.ts';

const HOUR_MS = 3_600_000;
/** Partitions are made up to this many hours back for rows that started long ago (a long job). */
const HOURS_BACK = 6;
const HOURS_AHEAD = 2;

type Queued = { trace: KeptTrace } | { span: ReadableSpan; rootSpanId: string } | { line: string };
/** A kept trace is its trace row, its spans (the root among them) and its lines. */
const rowsOf = (item: Queued) => ('trace' in item ? 1 + item.trace.spans.length + item.trace.lines.length : 1);

/**
 * The store's write side: queues kept traces in a bounded buffer (what does not fit is dropped and counted, the
 * request never waits) and writes the buffer every `flushMs` as one multi-row insert per table, off the request
 * path. Rows are built from spans and log lines at write time, not when queued.
 */
export class TraceWriter implements TraceSink {
  private queue: Queued[] = [];
  private queuedRows = 0;
  private timer: NodeJS.Timeout | undefined;
  private writing: Promise<void> | undefined;
  private readonly partitioned = new Set<number>();
  private readonly log = logger('trace-store');
  private readonly db: Db;
  private readonly config: TraceStoreConfig;

  constructor(db: Db, config: TraceStoreConfig) {
    this.db = db;
    this.config = config;
  }

  start(): void {
    this.timer ??= setInterval(() => void this.flush(), this.config.flushMs);
    this.timer.unref();
  }

  keep(trace: KeptTrace): void {
    this.enqueue({ trace });
  }

  late(item: { span: ReadableSpan; rootSpanId: string } | { line: string }): void {
    this.enqueue(item);
  }

  private enqueue(item: Queued): void {
    const rows = rowsOf(item);
    if (this.queuedRows + rows > this.config.bufferRows) {
      traceStoreMetrics.dropped.inc({ reason: 'buffer_full' }, rows);
      return;
    }
    this.queue.push(item);
    this.queuedRows += rows;
    traceStoreMetrics.buffered.set(this.queuedRows);
  }

  /** Writes what is queued now; a flush already running is waited for instead of starting a second one. */
  async flush(): Promise<void> {
    if (this.writing) return this.writing;
    if (this.queue.length === 0) return;
    const batch = this.queue;
    const rows = this.queuedRows;
    this.queue = [];
    this.queuedRows = 0;
    traceStoreMetrics.buffered.set(0);
    const stop = traceStoreMetrics.flushDuration.startTimer();
    this.writing = this.write(batch)
      .catch((error: unknown) => {
        traceStoreMetrics.dropped.inc({ reason: 'write_failed' }, rows);
        this.log.warn({ err: error, rows }, 'trace store batch could not be written; dropped');
      })
      .finally(() => {
        stop();
        this.writing = undefined;
      });
    return this.writing;
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    this.timer = undefined;
    await this.writing;
    await this.flush();
  }

  private async write(batch: Queued[]): Promise<void> {
    const traces: TraceRow[] = [];
    const spans: SpanRow[] = [];
    const logs: LogRow[] = [];
    for (const item of batch) {
      if ('trace' in item) {
        const row = traceRow(item.trace, this.config);
        traces.push(row);
        for (const span of item.trace.spans) spans.push(spanRow(span, row.root_span_id));
        for (const line of item.trace.lines) {
          const log = logRow(line);
          if (log) logs.push(log);
        }
      } else if ('span' in item) {
        spans.push(spanRow(item.span, item.rootSpanId));
      } else {
        const log = logRow(item.line);
        if (log) logs.push(log);
      }
    }
    const inRange = this.inRange.bind(this);
    const keptTraces = traces.filter((row) => inRange(row.started_at));
    const keptSpans = spans.filter((row) => inRange(row.started_at));
    const keptLogs = logs.filter((row) => inRange(row.at));
    const outside = traces.length + spans.length + logs.length - keptTraces.length - keptSpans.length - keptLogs.length;
    if (outside > 0) traceStoreMetrics.dropped.inc({ reason: 'out_of_range' }, outside);
    await this.ensurePartitions([...keptTraces.map((row) => row.started_at), ...keptSpans.map((row) => row.started_at), ...keptLogs.map((row) => row.at)]);
    await this.db.withPlatform(async (trx) => {
      await insertTraces(trx, keptTraces);
      await insertSpans(trx, keptSpans);
      await insertLogs(trx, keptLogs);
    });
    traceStoreMetrics.written.inc({ table: 'traces' }, keptTraces.length);
    traceStoreMetrics.written.inc({ table: 'spans' }, keptSpans.length);
    traceStoreMetrics.written.inc({ table: 'logs' }, keptLogs.length);
  }

  private inRange(at: string): boolean {
    const time = Date.parse(at);
    const now = Date.now();
    return time >= Math.floor(now / HOUR_MS - HOURS_BACK) * HOUR_MS && time < (Math.floor(now / HOUR_MS) + HOURS_AHEAD + 1) * HOUR_MS;
  }

  /** Creates the hourly partitions the batch needs, once per hour and process (the function is idempotent). */
  private async ensurePartitions(times: string[]): Promise<void> {
    const hours = new Set(times.map((at) => Math.floor(Date.parse(at) / HOUR_MS)));
    const missing = [...hours].filter((hour) => !this.partitioned.has(hour));
    if (missing.length === 0) return;
    const currentHour = Math.floor(Date.now() / HOUR_MS);
    const back = Math.min(HOURS_BACK, Math.max(0, currentHour - Math.min(...missing)));
    await maintainPartitions(this.db, { hoursBack: back, hoursAhead: HOURS_AHEAD, retentionHours: this.config.retentionHours });
    for (let hour = currentHour - back; hour <= currentHour + HOURS_AHEAD; hour++) this.partitioned.add(hour);
  }
}

/** Creates the partitions around now and drops those past retention; returns what it did. */
export async function maintainPartitions(
  db: Db,
  options: { hoursBack: number; hoursAhead: number; retentionHours: number },
): Promise<{ action: string; partition_name: string }[]> {
  const result = await db.withPlatform((trx) =>
    sql<{ action: string; partition_name: string }>`select * from app_maintain_trace_partitions(${options.hoursBack}::int, ${options.hoursAhead}::int, make_interval(hours => ${options.retentionHours}::int))`.execute(trx),
  );
  return result.rows;
}

const column = <R, K extends keyof R>(rows: R[], key: K) => rows.map((row) => row[key]);

async function insertTraces(trx: Tx, rows: TraceRow[]): Promise<void> {
  if (rows.length === 0) return;
  await sql`
    insert into obs_traces (trace_id, root_span_id, kind, name, request_id, tenant_id, started_at, duration_ms, status, http_status, job_id, task, fingerprint, kept, weight)
    select * from unnest(${column(rows, 'trace_id')}::text[], ${column(rows, 'root_span_id')}::text[], ${column(rows, 'kind')}::text[],
      ${column(rows, 'name')}::text[], ${column(rows, 'request_id')}::text[], ${column(rows, 'tenant_id')}::uuid[],
      ${column(rows, 'started_at')}::timestamptz[], ${column(rows, 'duration_ms')}::float8[], ${column(rows, 'status')}::text[],
      ${column(rows, 'http_status')}::int[], ${column(rows, 'job_id')}::text[], ${column(rows, 'task')}::text[],
      ${column(rows, 'fingerprint')}::text[], ${column(rows, 'kept')}::text[], ${column(rows, 'weight')}::float8[])`.execute(trx);
}

async function insertSpans(trx: Tx, rows: SpanRow[]): Promise<void> {
  if (rows.length === 0) return;
  await sql`
    insert into obs_spans (trace_id, span_id, parent_span_id, root_span_id, name, kind, service, started_at, duration_ms, status, attributes)
    select * from unnest(${column(rows, 'trace_id')}::text[], ${column(rows, 'span_id')}::text[], ${column(rows, 'parent_span_id')}::text[],
      ${column(rows, 'root_span_id')}::text[], ${column(rows, 'name')}::text[], ${column(rows, 'kind')}::text[], ${column(rows, 'service')}::text[],
      ${column(rows, 'started_at')}::timestamptz[], ${column(rows, 'duration_ms')}::float8[], ${column(rows, 'status')}::text[],
      ${column(rows, 'attributes')}::jsonb[])`.execute(trx);
}

async function insertLogs(trx: Tx, rows: LogRow[]): Promise<void> {
  if (rows.length === 0) return;
  await sql`
    insert into obs_logs (trace_id, span_id, at, level, message, fields)
    select * from unnest(${column(rows, 'trace_id')}::text[], ${column(rows, 'span_id')}::text[], ${column(rows, 'at')}::timestamptz[],
      ${column(rows, 'level')}::text[], ${column(rows, 'message')}::text[], ${column(rows, 'fields')}::jsonb[])`.execute(trx);
}

