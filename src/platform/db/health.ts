import type { HealthCheck } from '../observability/health.ts';
import type { Db } from './database.ts';

/** Readiness of the database: a round trip on the application pool, with the pool's state as data. */
export function databaseCheck(db: Db): HealthCheck {
  return async () => {
    const started = performance.now();
    await db.pool.query('select 1');
    return {
      status: 'UP',
      data: {
        latency_ms: Math.round((performance.now() - started) * 100) / 100,
        pool_total: db.pool.totalCount,
        pool_idle: db.pool.idleCount,
        pool_waiting: db.pool.waitingCount,
      },
    };
  };
}
