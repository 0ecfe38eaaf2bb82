import { hostname } from 'node:os';
import { type Generated, sql } from 'kysely';
import type { Db } from '../db/database.ts';
import { logger } from '../observability/logger.ts';
import type { JobPriority } from './definitions.ts';
import { jobMetrics } from './telemetry.ts';

declare module '../db/schema.ts' {
  interface Database {
    job_workers: { pool_id: string; priority: JobPriority; hostname: string; pid: number; heartbeat_at: Generated<Date> };
  }
}

/**
 * Worker leases. graphile-worker frees the jobs of a vanished worker only after four hours; instead each
 * worker pool heartbeats in `job_workers`, and a pool silent for longer than the lease is declared dead by
 * any live worker, which frees its jobs with graphile-worker's own `force_unlock_workers` (ADR 0050).
 */
export class Leases {
  private readonly pools = new Map<string, JobPriority>();
  private readonly log = logger('jobs.leases');
  private readonly db: Db;
  private readonly leaseMs: number;
  private readonly unlock: (poolIds: string[]) => Promise<void>;
  private timer: NodeJS.Timeout | undefined;
  private beating: Promise<void> | undefined;
  lastBeatAt = 0;

  constructor(db: Db, leaseMs: number, unlock: (poolIds: string[]) => Promise<void>) {
    this.db = db;
    this.leaseMs = leaseMs;
    this.unlock = unlock;
  }

  add(poolId: string, priority: JobPriority): void {
    this.pools.set(poolId, priority);
  }

  /** Heartbeats now, then every third of the lease. */
  async start(): Promise<void> {
    await this.beat();
    this.timer = setInterval(() => {
      this.beating ??= this.beat()
        .catch((error: unknown) => this.log.error({ err: error }, 'worker heartbeat failed'))
        .finally(() => {
          this.beating = undefined;
        });
    }, Math.max(100, Math.floor(this.leaseMs / 3)));
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    await this.beating;
    const ids = [...this.pools.keys()];
    if (!ids.length) return;
    // Best effort: a lease left behind simply expires.
    await this.db
      .withPlatform((trx) => trx.deleteFrom('job_workers').where('pool_id', 'in', ids).execute())
      .catch((error: unknown) => this.log.warn({ err: error }, 'worker leases not released; they will expire'));
  }

  async beat(): Promise<void> {
    const pools = [...this.pools];
    const expired = await this.db.withPlatform(async (trx) => {
      if (pools.length) {
        await trx
          .insertInto('job_workers')
          .values(pools.map(([pool_id, priority]) => ({ pool_id, priority, hostname: hostname(), pid: process.pid })))
          .onConflict((conflict) => conflict.column('pool_id').doUpdateSet({ heartbeat_at: sql`now()` }))
          .execute();
      }
      return trx
        .selectFrom('job_workers')
        .select(['pool_id', 'hostname', 'pid'])
        .where('heartbeat_at', '<', sql<Date>`now() - make_interval(secs => ${this.leaseMs / 1000})`)
        .execute();
    });
    if (expired.length) {
      const ids = expired.map((row) => row.pool_id);
      // Unlock before forgetting the pool, so a failure here is retried at the next heartbeat.
      await this.unlock(ids);
      await this.db.withPlatform((trx) => trx.deleteFrom('job_workers').where('pool_id', 'in', ids).execute());
      this.log.warn({ workers: expired }, 'worker lease expired; its jobs were unlocked for other workers');
    }
    this.lastBeatAt = Date.now();
    jobMetrics.heartbeat.set(this.lastBeatAt / 1000);
  }
}
