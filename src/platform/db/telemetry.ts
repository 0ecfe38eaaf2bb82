import type pg from 'pg';
import { defineTelemetry, holding, series } from '../observability/alerting.ts';
import { defineMetric } from '../observability/metrics.ts';
import { externalMetric, metricName, quantile, re, sumOf } from '../observability/promql.ts';

const pools = new Map<pg.Pool, string>();

/** Counts a pool in the pool gauges until `unwatch` is called (when the pool closes). */
export function watchPool(pool: pg.Pool, name: string): () => void {
  pools.set(pool, name);
  return () => pools.delete(pool);
}

function sumByPool(read: (pool: pg.Pool) => number): Map<string, number> {
  const sums = new Map<string, number>();
  for (const [pool, name] of pools) sums.set(name, (sums.get(name) ?? 0) + read(pool));
  return sums;
}

export const dbPoolConnections = defineMetric({
  name: 'villagecompute_storefront_db_pool_connections',
  help: 'Connections of the application pool, by state (total, idle).',
  type: 'gauge',
  labels: ['pool', 'state'],
  component: 'db',
  kpi: 'database performance: active connections vs pool limit',
  collect() {
    dbPoolConnections.reset();
    for (const [name, total] of sumByPool((pool) => pool.totalCount)) dbPoolConnections.set({ pool: name, state: 'total' }, total);
    for (const [name, idle] of sumByPool((pool) => pool.idleCount)) dbPoolConnections.set({ pool: name, state: 'idle' }, idle);
  },
});

export const dbPoolWaiting = defineMetric({
  name: 'villagecompute_storefront_db_pool_waiting_clients',
  help: 'Callers waiting for a connection of the application pool.',
  type: 'gauge',
  labels: ['pool'],
  component: 'db',
  kpi: 'database performance: pool saturation',
  collect() {
    dbPoolWaiting.reset();
    for (const [name, waiting] of sumByPool((pool) => pool.waitingCount)) dbPoolWaiting.set({ pool: name }, waiting);
  },
});

export const dbQueryDuration = defineMetric({
  name: 'villagecompute_storefront_db_query_duration_seconds',
  help: 'Duration of queries on the application pool, by SQL operation.',
  type: 'histogram',
  labels: ['operation'],
  component: 'db',
  kpi: 'database performance: query duration percentiles',
  buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
});

/** postgres_exporter's own series (default collectors and the queries file in monitoring/postgres-exporter/). */
const exporter = <const L extends string>(name: string, type: 'counter' | 'gauge', labels: readonly L[], help: string) =>
  externalMetric({ name, type, labels, source: 'postgres_exporter', help });

export const postgresMetrics = {
  up: exporter('pg_up', 'gauge', [], 'Whether the exporter reached PostgreSQL'),
  backends: exporter('pg_stat_database_numbackends', 'gauge', ['datname'], 'Connections per database'),
  maxConnections: exporter('pg_settings_max_connections', 'gauge', [], 'max_connections'),
  activity: exporter('pg_stat_activity_count', 'gauge', ['datname', 'state'], 'Connections by state'),
  longestTransaction: exporter('pg_stat_activity_max_tx_duration', 'gauge', ['datname', 'state'], 'Oldest open transaction, seconds'),
  locks: exporter('pg_locks_count', 'gauge', ['datname', 'mode'], 'Locks held, by mode'),
  databaseSize: exporter('pg_database_size_bytes', 'gauge', ['datname'], 'Database size'),
  blocksHit: exporter('pg_stat_database_blks_hit', 'counter', ['datname'], 'Buffer cache hits'),
  blocksRead: exporter('pg_stat_database_blks_read', 'counter', ['datname'], 'Blocks read from disk'),
  deadlocks: exporter('pg_stat_database_deadlocks', 'counter', ['datname'], 'Deadlocks'),
  statementCalls: exporter('pg_stat_statements_calls', 'counter', ['datname', 'queryid', 'query'], 'Executions of the statement'),
  statementSeconds: exporter('pg_stat_statements_seconds_total', 'counter', ['datname', 'queryid', 'query'], 'Execution time of the statement'),
  statementRows: exporter('pg_stat_statements_rows', 'counter', ['datname', 'queryid', 'query'], 'Rows of the statement'),
};

const server = postgresMetrics;
const app = (window: string) => ({ window, by: ['operation'] as const });

/** DatabasePoolExhausted and the database-performance dashboard. */
export const telemetry = defineTelemetry({
  alerts: [
    {
      name: 'DatabasePoolExhausted',
      file: 'platform',
      group: 'platform-database',
      expr: `${sumOf(server.backends)} / max(${server.maxConnections.name}) > 0.9`,
      for: '2m',
      severity: 'warning',
      summary: 'PostgreSQL connections above 90 % of max_connections',
      description: 'Connections use {{ $value | humanizePercentage }} of max_connections (threshold: 90 %).',
      action: 'Find who holds connections (pg_stat_activity by application and state); idle-in-transaction sessions first.',
      kpi: 'database-connections',
      panel: { dashboard: 'database-performance', id: 1 },
      meaning: 'New connections will soon be refused: requests and jobs then fail with 503.',
      steps: [
        'Panel 2 (connections by state): many `idle in transaction` = a leak or a stuck job; terminate the oldest.',
        'Many `active`: slow statements (top statements table) or a traffic surge.',
        'Too many replicas for the server: each web and worker process opens its own pools (`DB_POOL_MAX`, job concurrency).',
      ],
      test: {
        firing: [series(server.backends, { datname: 'storefront' }, holding(95)), series(server.maxConnections, {}, holding(100))],
        quiet: [series(server.backends, { datname: 'storefront' }, holding(20)), series(server.maxConnections, {}, holding(100))],
      },
    },
  ],
  panels: [
    {
      dashboard: 'distributed-tracing',
      id: 9,
      title: 'Query duration p95 by operation',
      description: 'Database time inside requests and jobs; each statement’s span and SQL comment carry the trace.',
      kind: 'timeseries',
      unit: 's',
      targets: [{ expr: quantile(0.95, dbQueryDuration, app('$__rate_interval')), legend: '{{operation}}' }],
    },
    {
      dashboard: 'database-performance',
      id: 1,
      title: 'Connections vs max_connections',
      description: 'Server connections over max_connections (alert DatabasePoolExhausted at 90 %).',
      kind: 'gauge',
      unit: 'percentunit',
      targets: [{ expr: `${sumOf(server.backends)} / max(${server.maxConnections.name})`, legend: 'used', instant: true }],
    },
    {
      dashboard: 'database-performance',
      id: 2,
      title: 'Server connections by state',
      description: 'pg_stat_activity by state: active, idle, idle in transaction.',
      kind: 'timeseries',
      unit: 'short',
      targets: [{ expr: sumOf(server.activity, { by: ['state'] }), legend: '{{state}}' }],
    },
    {
      dashboard: 'database-performance',
      id: 3,
      title: 'Application pool saturation',
      description: 'Connections in use over the pool size, and callers waiting for a connection, per pool.',
      kind: 'timeseries',
      unit: 'short',
      targets: [
        { expr: `${sumOf(dbPoolConnections, { by: ['pool'], where: { state: 'total' } })} - ${sumOf(dbPoolConnections, { by: ['pool'], where: { state: 'idle' } })}`, legend: 'in use {{pool}}' },
        { expr: sumOf(dbPoolWaiting, { by: ['pool'] }), legend: 'waiting {{pool}}' },
      ],
    },
    {
      dashboard: 'database-performance',
      id: 4,
      title: 'Query duration p50 / p95 / p99',
      description: 'Duration of the application’s queries, measured in the application.',
      kind: 'timeseries',
      unit: 's',
      targets: [0.5, 0.95, 0.99].map((q) => ({ expr: quantile(q, dbQueryDuration, app('$__rate_interval')), legend: `p${q * 100} {{operation}}` })),
    },
    {
      dashboard: 'database-performance',
      id: 5,
      title: 'Query duration heatmap',
      description: 'Distribution of query durations over time.',
      kind: 'heatmap',
      unit: 's',
      targets: [{ expr: `sum by (le) (increase(${metricName(dbQueryDuration)}_bucket[$__rate_interval]))`, legend: '{{le}}' }],
    },
    {
      dashboard: 'database-performance',
      id: 6,
      title: 'Top 10 statements by total time',
      description: 'pg_stat_statements through postgres_exporter: the statements that cost most; the text keeps the SQL comment (request_id, traceparent) of one sample execution.',
      kind: 'table',
      unit: 's',
      wide: true,
      targets: [{ expr: `topk(10, sum by (queryid, query) (rate(${server.statementSeconds.name}[$__rate_interval])))`, legend: '{{query}}', instant: true }],
    },
    {
      dashboard: 'database-performance',
      id: 7,
      title: 'Buffer cache hit ratio',
      description: 'Blocks found in shared buffers, of all blocks read.',
      kind: 'timeseries',
      unit: 'percentunit',
      targets: [{ expr: `sum(rate(${server.blocksHit.name}[$__rate_interval])) / (sum(rate(${server.blocksHit.name}[$__rate_interval])) + sum(rate(${server.blocksRead.name}[$__rate_interval])))`, legend: 'hit ratio' }],
    },
    {
      dashboard: 'database-performance',
      id: 8,
      title: 'Database size',
      description: 'Size of each database and its growth.',
      kind: 'timeseries',
      unit: 'bytes',
      targets: [{ expr: sumOf(server.databaseSize, { by: ['datname'] }), legend: '{{datname}}' }],
    },
    {
      dashboard: 'database-performance',
      id: 9,
      title: 'Locks, deadlocks and the longest transaction',
      description: 'Locks held by mode, deadlocks per second, age of the oldest open transaction.',
      kind: 'timeseries',
      unit: 'short',
      targets: [
        { expr: sumOf(server.locks, { by: ['mode'], where: { mode: re('.*exclusivelock') } }), legend: '{{mode}}' },
        { expr: `sum(rate(${server.deadlocks.name}[$__rate_interval]))`, legend: 'deadlocks/s' },
        { expr: `max(${server.longestTransaction.name})`, legend: 'longest transaction (s)' },
      ],
    },
  ],
});
