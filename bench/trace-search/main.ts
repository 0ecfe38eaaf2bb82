/**
 * `npm run bench -- trace-search`: the console's correlation-ID search (target: p95 < 200 ms) among millions of
 * stored spans. Fills the trace store of a scratch database with generate_series (TRACE_SEARCH_SPANS, default
 * 1,000,000 and then 10,000,000 when the first fill took under 30 s: 20 spans and 5 log lines per request,
 * spread over the 9 hourly partitions the store keeps around now), then looks up random request IDs through the
 * same function the API calls (`findByRequestId`), one after another. Prints one JSON document.
 */
import pg from 'pg';
import { createDb } from '../../src/platform/db/database.ts';
import { findByRequestId } from '../../src/platform/observability/trace-store/search.ts';
import { benchDatabase } from '../support/database.ts';

const SPANS_PER_TRACE = 20;
const LINES_PER_TRACE = 5;
const LOOKUPS = 200;
const sizes = process.env.TRACE_SEARCH_SPANS ? process.env.TRACE_SEARCH_SPANS.split(',').map(Number) : [1_000_000, 10_000_000];
const percentile = (values: number[], p: number) => [...values].sort((a, b) => a - b)[Math.ceil((p / 100) * values.length) - 1]!;
const round = (value: number) => Math.round(value * 100) / 100;

const database = await benchDatabase();
const owner = new pg.Client({ connectionString: database.url });
await owner.connect();
const db = createDb({ ownerUrl: database.url, poolMax: 2, statementTimeoutMs: 600_000 });
const results: Record<string, unknown>[] = [];
try {
  await owner.query(`select app_maintain_trace_partitions(6, 2, interval '24 hours')`);
  // The tables admit rows only in platform context, the owner's included (forced row-level security).
  await owner.query(`set app.platform = 'on'`);
  let traces = 0;
  for (const spans of sizes) {
    const target = spans / SPANS_PER_TRACE;
    const started = performance.now();
    // Requests spread evenly over 9 hours starting 6 hours before the current hour; ids `req-<n>`.
    const at = (n: string) => `date_trunc('hour', now()) - interval '6 hours' + ((${n}::bigint * 7919) % 32400) * interval '1 second'`;
    await owner.query(
      `insert into obs_traces (trace_id, root_span_id, kind, name, request_id, tenant_id, started_at, duration_ms, status, http_status, kept, weight)
       select md5('t' || i), left(md5('s' || i || '-0'), 16), 'request', 'GET /products/:handle', 'req-' || i, null, ${at('i')},
              40 + i % 100, case when i % 50 = 0 then 'error' else 'ok' end, case when i % 50 = 0 then 500 else 200 end,
              case when i % 50 = 0 then 'error' else 'sampled' end, case when i % 50 = 0 then 1 else 100 end
         from generate_series($1::bigint, $2::bigint) i`,
      [traces, target - 1],
    );
    await owner.query(
      `insert into obs_spans (trace_id, span_id, parent_span_id, root_span_id, name, kind, service, started_at, duration_ms, status, attributes)
       select md5('t' || i), left(md5('s' || i || '-' || k), 16), case when k = 0 then null else left(md5('s' || i || '-0'), 16) end,
              left(md5('s' || i || '-0'), 16), case when k = 0 then 'request' else 'pg.query' end, case when k = 0 then 'server' else 'client' end,
              'village-storefront', ${at('i')} + k * interval '1 millisecond', 1.5, 'unset',
              jsonb_build_object('db.query.text', 'select id, title from products where tenant_id = $1 and handle = $2', 'db.system', 'postgresql', 'correlation.id', 'req-' || i)
         from generate_series($1::bigint, $2::bigint) i, generate_series(0, ${SPANS_PER_TRACE - 1}) k`,
      [traces, target - 1],
    );
    await owner.query(
      `insert into obs_logs (trace_id, span_id, at, level, message, fields)
       select md5('t' || i), left(md5('s' || i || '-0'), 16), ${at('i')} + k * interval '2 milliseconds', 'info', 'request step ' || k,
              jsonb_build_object('correlation_id', 'req-' || i, 'logger', 'http')
         from generate_series($1::bigint, $2::bigint) i, generate_series(0, ${LINES_PER_TRACE - 1}) k`,
      [traces, target - 1],
    );
    await owner.query('analyze obs_traces, obs_spans, obs_logs');
    traces = target;
    const setupSeconds = (performance.now() - started) / 1000;

    const times: number[] = [];
    for (let i = 0; i < LOOKUPS; i++) {
      const id = `req-${Math.floor(Math.random() * traces)}`;
      const begin = performance.now();
      const found = await findByRequestId(db, id);
      times.push(performance.now() - begin);
      if (found?.spans.length !== SPANS_PER_TRACE || found.logs.length !== LINES_PER_TRACE) throw new Error(`lookup of ${id} found ${found?.spans.length} spans`);
    }
    const missing: number[] = [];
    for (let i = 0; i < 20; i++) {
      const begin = performance.now();
      if (await findByRequestId(db, `unknown-${i}`)) throw new Error('found an unknown id');
      missing.push(performance.now() - begin);
    }
    results.push({
      stored_spans: traces * SPANS_PER_TRACE,
      stored_requests: traces,
      stored_log_lines: traces * LINES_PER_TRACE,
      partitions_per_table: 9,
      fill_seconds: round(setupSeconds),
      lookups: LOOKUPS,
      p50_ms: round(percentile(times, 50)),
      p95_ms: round(percentile(times, 95)),
      max_ms: round(Math.max(...times)),
      unknown_id_p95_ms: round(percentile(missing, 95)),
      meets_target: percentile(times, 95) < 200,
    });
    if (setupSeconds > 30) break;
  }
  console.log(JSON.stringify({ benchmark: 'trace-search', server: database.server, target_p95_ms: 200, results }, null, 2));
} finally {
  await db.close();
  await owner.end();
  await database.drop();
}
