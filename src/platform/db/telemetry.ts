import type pg from 'pg';
import { defineMetric } from '../observability/metrics.ts';

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
  kpi: '004 database performance: active connections vs pool limit',
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
  kpi: '004 database performance: pool saturation',
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
  kpi: '004 database performance: query duration percentiles',
  buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
});
