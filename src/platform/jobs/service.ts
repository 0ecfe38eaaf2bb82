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

/** `job-queue` readiness: the queue answers (depth, dead jobs) and, in a worker, the worker is alive. */
export function jobQueueCheck(jobs: Jobs, worker: () => JobWorker | undefined): HealthCheck {
  return async () => {
    const [depth, dead] = await Promise.all([jobs.depth(), jobs.deadJobs.count()]);
    const workerHealth = worker()?.health();
    return {
      status: workerHealth?.status ?? 'UP',
      data: {
        queued: depth.queued,
        oldest_due_age_s: Math.round(depth.oldestDueAgeSeconds),
        dead_jobs: dead,
        ...(workerHealth ? { worker: workerHealth.data } : {}),
      },
    };
  };
}
