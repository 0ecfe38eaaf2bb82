import { ROOT_CONTEXT, SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import { BasicTracerProvider, type ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { sql } from 'kysely';
import { afterAll, describe, expect, it } from 'vitest';
import { testDb } from '../../../../test/support/platform.ts';
import { createDb } from '../../db/database.ts';
import { registry } from '../metrics.ts';
import { type KeptTrace, TraceCollector, type TraceSink } from './collector.ts';
import { keepDecision } from './sampling.ts';
import { TraceWriter, maintainPartitions } from './writer.ts';

const rules = { sampleRatio: 0.1, slowMs: 500 };

/** A sink that only remembers what it was given. */
function collectorWith(dice: number) {
  const collector = new TraceCollector(rules, () => dice);
  const recorder = { kept: [] as KeptTrace[], late: [] as Parameters<TraceSink['late']>[0][] };
  collector.attach({ keep: (kept) => recorder.kept.push(kept), late: (item) => recorder.late.push(item) });
  const provider = new BasicTracerProvider({ spanProcessors: [collector] });
  return { collector, recorder, tracer: provider.getTracer('test') };
}

const line = (traceId: string, message: string) => JSON.stringify({ level: 'info', time: new Date().toISOString(), trace_id: traceId, message });

async function counterValue(name: string, labels: Record<string, string>): Promise<number> {
  const metric = (await registry.getMetricsAsJSON()).find((candidate) => candidate.name === name);
  return metric?.values.find((value) => Object.entries(labels).every(([key, label]) => value.labels[key] === label))?.value ?? 0;
}

describe('tail sampling', () => {
  it('keeps every failure and every slow one, links a trace kept elsewhere, and rolls the dice for the rest', () => {
    expect(keepDecision({ failed: true, durationMs: 1 }, rules, false, () => 0.99)).toBe('error');
    expect(keepDecision({ failed: false, durationMs: 500 }, rules, false, () => 0.99)).toBe('slow');
    expect(keepDecision({ failed: false, durationMs: 1 }, rules, true, () => 0.99)).toBe('linked');
    expect(keepDecision({ failed: false, durationMs: 1 }, rules, false, () => 0.05)).toBe('sampled');
    expect(keepDecision({ failed: false, durationMs: 1 }, rules, false, () => 0.1)).toBeUndefined();
    expect(keepDecision({ failed: false, durationMs: 1 }, { ...rules, sampleRatio: 0 }, false, () => 0)).toBeUndefined();
  });

  it('holds a request’s spans and log lines until its root ends, then keeps or forgets them whole', () => {
    const { collector, recorder, tracer } = collectorWith(0.5);
    const failing = tracer.startSpan('request', { kind: SpanKind.SERVER, attributes: { 'http.response.status_code': 500 } });
    const traceId = failing.spanContext().traceId;
    const child = tracer.startSpan('handler', {}, trace.setSpan(ROOT_CONTEXT, failing));
    const query = tracer.startSpan('pg.query', { kind: SpanKind.CLIENT }, trace.setSpan(ROOT_CONTEXT, child));
    const inside = line(traceId, 'inside');
    collector.onLog(inside);
    collector.onLog('{"level":"info","message":"outside any request"}');
    query.end();
    child.end();
    expect(recorder.kept).toEqual([]);
    failing.end();
    expect(recorder.kept).toHaveLength(1);
    expect(recorder.kept[0]).toMatchObject({ reason: 'error', lines: [inside] });
    expect(recorder.kept[0]!.spans.map((span) => span.name).sort()).toEqual(['handler', 'pg.query', 'request']);
    const after = line(traceId, 'after the response');
    collector.onLog(after);
    expect(recorder.late).toEqual([{ line: after }]);

    const healthy = tracer.startSpan('request', { kind: SpanKind.SERVER, attributes: { 'http.response.status_code': 200 } });
    collector.onLog(line(healthy.spanContext().traceId, 'dropped with its request'));
    healthy.end();
    collector.onLog(line(healthy.spanContext().traceId, 'late and dropped'));
    expect(recorder.kept).toHaveLength(1);
    expect(recorder.late).toHaveLength(1);
  });

  it('does not count a refused 4xx as a failure, but a job’s error status', () => {
    const { recorder, tracer } = collectorWith(0.99);
    const refused = tracer.startSpan('request', { kind: SpanKind.SERVER, attributes: { 'http.response.status_code': 403 } });
    refused.setStatus({ code: SpanStatusCode.ERROR });
    refused.end();
    const job = tracer.startSpan('Job.execute.x', { kind: SpanKind.CONSUMER });
    job.setStatus({ code: SpanStatusCode.ERROR });
    job.end();
    expect(recorder.kept.map((kept) => [kept.root.name, kept.reason])).toEqual([['Job.execute.x', 'error']]);
  });

  it('keeps the jobs of a kept request in the same trace, before or after the request ends', () => {
    const { recorder, tracer } = collectorWith(0.99);
    const request = tracer.startSpan('request', { kind: SpanKind.SERVER, attributes: { 'http.response.status_code': 502 } });
    const enqueued = trace.setSpanContext(ROOT_CONTEXT, { ...request.spanContext(), isRemote: true });
    const during = tracer.startSpan('Job.execute.during', { kind: SpanKind.CONSUMER }, enqueued);
    request.end();
    during.end();
    const after = tracer.startSpan('Job.execute.after', { kind: SpanKind.CONSUMER }, enqueued);
    after.end();
    expect(recorder.kept.map((kept) => [kept.root.name, kept.reason])).toEqual([
      ['request', 'error'],
      ['Job.execute.during', 'linked'],
      ['Job.execute.after', 'linked'],
    ]);
    expect(new Set(recorder.kept.map((kept) => kept.root.spanContext().traceId)).size).toBe(1);
  });
});

describe('batch writer', () => {
  const db = testDb();
  afterAll(() => db.close());

  function keptRequest(tracer: ReturnType<typeof collectorWith>['tracer'], requestId: string): KeptTrace {
    const root = tracer.startSpan('request', { kind: SpanKind.SERVER, attributes: { 'http.response.status_code': 500, 'correlation.id': requestId, 'http.request.method': 'GET', 'http.route': '/w' } });
    const child = tracer.startSpan('pg.query', { kind: SpanKind.CLIENT, attributes: { 'db.query.text': 'select 1', password: 'hunter2' } }, trace.setSpan(ROOT_CONTEXT, root));
    child.end();
    root.end();
    const traceId = root.spanContext().traceId;
    return { root: root as unknown as ReadableSpan, spans: [child as unknown as ReadableSpan, root as unknown as ReadableSpan], reason: 'error', lines: [line(traceId, `line of ${requestId}`)] };
  }

  it('writes queued traces in one batch, off the caller, with secrets censored', async () => {
    const { tracer } = collectorWith(0.99);
    const writer = new TraceWriter(db, { enabled: true, sampleRatio: 0.1, slowMs: 500, retentionHours: 24, bufferRows: 1000, flushMs: 60_000 });
    const requestId = `writer-${Date.now()}`;
    writer.keep(keptRequest(tracer, requestId));
    writer.keep(keptRequest(tracer, `${requestId}-2`));
    const { rows: before } = await db.withPlatform((trx) => sql<{ n: number }>`select count(*)::int as n from obs_traces where request_id like ${`${requestId}%`}`.execute(trx));
    expect(before[0]!.n).toBe(0);
    await writer.flush();
    const { rows } = await db.withPlatform((trx) =>
      sql<{ name: string; kept: string; spans: number; logs: number; attributes: Record<string, unknown> }>`
        select t.name, t.kept,
               (select count(*)::int from obs_spans s where s.trace_id = t.trace_id) as spans,
               (select count(*)::int from obs_logs l where l.trace_id = t.trace_id) as logs,
               (select s.attributes from obs_spans s where s.trace_id = t.trace_id and s.kind = 'client') as attributes
          from obs_traces t where t.request_id = ${requestId}`.execute(trx),
    );
    expect(rows).toEqual([{ name: 'GET /w', kept: 'error', spans: 2, logs: 1, attributes: { 'db.query.text': 'select 1', password: '[REDACTED]' } }]);
  });

  it('drops and counts what does not fit its bounded buffer, and a batch the database refuses', async () => {
    const { tracer } = collectorWith(0.99);
    const writer = new TraceWriter(db, { enabled: true, sampleRatio: 0.1, slowMs: 500, retentionHours: 24, bufferRows: 8, flushMs: 60_000 });
    const full = await counterValue('villagecompute_storefront_trace_store_dropped_total', { reason: 'buffer_full' });
    for (let i = 0; i < 3; i++) writer.keep(keptRequest(tracer, `bounded-${Date.now()}-${i}`));
    // Each kept request is 4 rows (its trace, two spans, one line): two fit in 8, the third is dropped whole.
    expect(await counterValue('villagecompute_storefront_trace_store_dropped_total', { reason: 'buffer_full' })).toBe(full + 4);
    const unreachable = createDb({ ownerUrl: 'postgres://postgres@127.0.0.1:9/none', poolMax: 1, statementTimeoutMs: 1000 });
    const failing = new TraceWriter(unreachable, { enabled: true, sampleRatio: 0.1, slowMs: 500, retentionHours: 24, bufferRows: 100, flushMs: 60_000 });
    const failed = await counterValue('villagecompute_storefront_trace_store_dropped_total', { reason: 'write_failed' });
    failing.keep(keptRequest(tracer, `refused-${Date.now()}`));
    await failing.flush();
    expect(await counterValue('villagecompute_storefront_trace_store_dropped_total', { reason: 'write_failed' })).toBe(failed + 4);
    await writer.flush();
    await unreachable.close();
  });
});

describe('retention', () => {
  const db = testDb();
  afterAll(() => db.close());

  it('creates hourly partitions around now and drops those wholly past retention', async () => {
    await maintainPartitions(db, { hoursBack: 6, hoursAhead: 2, retentionHours: 24 });
    const hour = (offset: number) => {
      const at = new Date(Math.floor(Date.now() / 3_600_000) * 3_600_000 + offset * 3_600_000);
      return at.toISOString().slice(0, 13).replace(/[-T]/g, '');
    };
    const result = await maintainPartitions(db, { hoursBack: 0, hoursAhead: 2, retentionHours: 1 });
    const dropped = result.filter((row) => row.action === 'dropped').map((row) => row.partition_name);
    for (const table of ['obs_traces', 'obs_spans', 'obs_logs']) {
      expect(dropped).toContain(`${table}_h${hour(-3)}`);
      expect(dropped).not.toContain(`${table}_h${hour(-1)}`);
      expect(dropped).not.toContain(`${table}_h${hour(0)}`);
    }
    const { rows } = await db.withPlatform((trx) =>
      sql<{ relname: string }>`select c.relname from pg_inherits i join pg_class c on c.oid = i.inhrelid where i.inhparent = 'obs_spans'::regclass`.execute(trx),
    );
    expect(rows.map((row) => row.relname)).toEqual(expect.arrayContaining([`obs_spans_h${hour(0)}`, `obs_spans_h${hour(2)}`]));
  });

  it('refuses a retention or a reach outside its bounds', async () => {
    await expect(maintainPartitions(db, { hoursBack: 0, hoursAhead: 2, retentionHours: 0 })).rejects.toThrow(/retention/);
    await expect(maintainPartitions(db, { hoursBack: 0, hoursAhead: 49, retentionHours: 24 })).rejects.toThrow(/hours_ahead/);
    await expect(maintainPartitions(db, { hoursBack: 7, hoursAhead: 2, retentionHours: 24 })).rejects.toThrow(/hours_back/);
  });
});
