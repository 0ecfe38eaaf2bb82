import type { JobsConfig } from '../config/config.ts';
import type { Db } from '../db/database.ts';
import type { HealthCheck } from '../observability/health.ts';
import { DeadJobs } from './dead-jobs.ts';
import { definitionsByName, type JobDefinition } from './definitions.ts';
import { DepthSnapshot, type QueueDepth, readQueueDepth } from './depth.ts';
import { createEnqueue, type Enqueue, type EnqueueMany } from './enqueue.ts';
import { Pausing } from './pausing.ts';
import type { JobWorker } from './worker.ts';

/** The job queue as every role sees it: enqueue, pausing, dead jobs, depth. */
export interface Jobs {
  /** Validates and enqueues one job; inside a unit of work when `options.trx` is given. Returns the job id. */
  enqueue: Enqueue;
  /** The same for many payloads of one job, in one statement. */
  enqueueMany: EnqueueMany;
  pausing: Pausing;
  deadJobs: DeadJobs;
  definitions: ReadonlyMap<string, JobDefinition<never>>;
  depth(): Promise<QueueDepth>;
}

const DEPTH_SNAPSHOT_MAX_AGE_MS = 1_000;

export function createJobs(db: Db, config: JobsConfig, definitions: readonly JobDefinition<never>[]): Jobs {
  const byName = definitionsByName(definitions);
  const { enqueue, enqueueMany } = createEnqueue(db, new DepthSnapshot(db, DEPTH_SNAPSHOT_MAX_AGE_MS), config.depthLimit);
  return {
    enqueue,
    enqueueMany,
    pausing: new Pausing(db, Math.min(config.pollIntervalMs, 1_000)),
    deadJobs: new DeadJobs(db, byName),
    definitions: byName,
    depth: () => readQueueDepth(db),
  };
}

/** `job-queue` readiness: in a worker process, the worker is alive (its runners run, its heartbeat is fresh). */
export function jobQueueCheck(worker: () => JobWorker | undefined): HealthCheck {
  // The worker's own state, in memory: readiness scans no table (queue depth and dead jobs are metrics).
  return async () => worker()?.health() ?? { status: 'UP' };
}
