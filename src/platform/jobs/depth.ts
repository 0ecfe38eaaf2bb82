import { sql } from 'kysely';
import type { Db } from '../db/database.ts';
import { JOB_PRIORITIES, type JobPriority, PRIORITY_NUMBER } from './definitions.ts';
import { jobMetrics } from './telemetry.ts';

export interface QueueDepth {
  /** Jobs not yet done: due now or waiting for a retry or their scheduled time. */
  queued: Record<JobPriority, number>;
  due: Record<JobPriority, number>;
  /** Seconds the oldest due job has been waiting, 0 when none. */
  oldestDueAgeSeconds: number;
  readAt: number;
}

const CLASS_OF = new Map(Object.entries(PRIORITY_NUMBER).map(([name, number]) => [number, name as JobPriority]));
const zero = () => Object.fromEntries(JOB_PRIORITIES.map((priority) => [priority, 0])) as Record<JobPriority, number>;

export async function readQueueDepth(db: Db): Promise<QueueDepth> {
  const { rows } = await sql<{ priority: number; queued: string; due: string; oldest_due: Date | null }>`
    select priority, queued, due, oldest_due from app_job_queue_depth()`.execute(db.kysely);
  const depth: QueueDepth = { queued: zero(), due: zero(), oldestDueAgeSeconds: 0, readAt: Date.now() };
  for (const row of rows) {
    const priority = CLASS_OF.get(row.priority) ?? 'DEFAULT';
    depth.queued[priority] += Number(row.queued);
    depth.due[priority] += Number(row.due);
    if (row.oldest_due) depth.oldestDueAgeSeconds = Math.max(depth.oldestDueAgeSeconds, (depth.readAt - row.oldest_due.getTime()) / 1000);
  }
  for (const priority of JOB_PRIORITIES) jobMetrics.queueDepth.set({ priority }, depth.queued[priority]);
  return depth;
}

/**
 * The depth that enqueue checks limits against: counting the queue on every enqueue would cost more than the
 * enqueue, so a snapshot at most `maxAgeMs` old is used and bumped by this process's own enqueues. The limit
 * is therefore approximate by what other processes enqueued since the snapshot (ADR 0050).
 */
export class DepthSnapshot {
  private snapshot: QueueDepth | undefined;
  private refreshing: Promise<QueueDepth> | undefined;
  private readonly db: Db;
  private readonly maxAgeMs: number;

  constructor(db: Db, maxAgeMs: number) {
    this.db = db;
    this.maxAgeMs = maxAgeMs;
  }

  async current(): Promise<QueueDepth> {
    if (this.snapshot && Date.now() - this.snapshot.readAt < this.maxAgeMs) return this.snapshot;
    this.refreshing ??= readQueueDepth(this.db).finally(() => {
      this.refreshing = undefined;
    });
    this.snapshot = await this.refreshing;
    return this.snapshot;
  }

  added(priority: JobPriority, count: number): void {
    if (this.snapshot) this.snapshot.queued[priority] += count;
  }
}

/** One store's waiting jobs by priority class (its flag), for the console's tenant drill-down. */
export async function readTenantQueueDepth(db: Db, tenantId: string): Promise<Pick<QueueDepth, 'queued' | 'due'>> {
  const { rows } = await sql<{ priority: number; queued: string; due: string }>`
    select priority, queued, due from app_tenant_job_queue_depth(${tenantId}::uuid)`.execute(db.kysely);
  const depth = { queued: zero(), due: zero() };
  for (const row of rows) {
    const priority = CLASS_OF.get(row.priority) ?? 'DEFAULT';
    depth.queued[priority] += Number(row.queued);
    depth.due[priority] += Number(row.due);
  }
  return depth;
}
