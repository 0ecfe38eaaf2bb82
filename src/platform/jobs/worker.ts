import { EventEmitter } from 'node:events';
import { type Runner, type TaskList, type WorkerEvents, makeWorkerUtils, parseCronItems, run } from 'graphile-worker';
import pg from 'pg';
import type { JobsConfig } from '../config/config.ts';
import type { Db } from '../db/database.ts';
import type { CheckResult } from '../observability/health.ts';
import { logger } from '../observability/logger.ts';
import type { DeadJobs } from './dead-jobs.ts';
import { readQueueDepth } from './depth.ts';
import { JOB_PRIORITIES, type JobDefinition, type JobSchedule, PRIORITY_NUMBER } from './definitions.ts';
import type { JobEnvelope } from './envelope.ts';
import { Leases } from './leases.ts';
import type { Pausing } from './pausing.ts';
import { graphileLogger } from './queue-schema.ts';
import { jobTask } from './run-job.ts';

export interface JobWorkerOptions {
  /** graphile-worker claims and completes jobs as the owner; job handlers use `db` (the application role). */
  ownerUrl: string;
  db: Db;
  config: JobsConfig;
  definitions: readonly JobDefinition<never>[];
  schedules: readonly JobSchedule[];
  pausing: Pausing;
  deadJobs: DeadJobs;
  /** Bound on in-flight jobs finishing at stop; after it their abort signal fires. */
  shutdownTimeoutMs: number;
}

export interface JobWorker {
  /** Liveness of this worker: every runner running and the heartbeat younger than the lease. */
  health(): CheckResult;
  stop(): Promise<void>;
}

const QUEUE_SAMPLE_INTERVAL_MS = 10_000;

function cronItems(schedules: readonly JobSchedule[]) {
  return parseCronItems(
    schedules.map((schedule) => {
      const envelope: JobEnvelope = { v: schedule.job.version, tenant_id: null, origin: null, data: schedule.payload };
      return {
        task: schedule.job.name,
        match: schedule.cron,
        identifier: `${schedule.job.name}@${schedule.cron}`,
        options: { backfillPeriod: 0, maxAttempts: schedule.job.maxAttempts, priority: PRIORITY_NUMBER[schedule.job.priority] },
        payload: envelope as unknown as Record<string, unknown>,
      };
    }),
  );
}

/**
 * One graphile-worker runner per priority class that has jobs, each with its class's concurrency, so a backlog
 * of BULK work never holds up CRITICAL jobs. Runners share one owner pool and one set of leases.
 */
export async function startJobWorker(options: JobWorkerOptions): Promise<JobWorker> {
  const { config, definitions } = options;
  for (const schedule of options.schedules) {
    if (schedule.job.scope !== 'platform') throw new Error(`scheduled job ${schedule.job.name} must be a platform job`);
    const invalid = schedule.job.validate(schedule.payload);
    if (invalid) throw new Error(`schedule of ${schedule.job.name}: ${invalid}`);
  }
  const classes = JOB_PRIORITIES.filter((priority) => config.concurrency[priority] > 0 && definitions.some((d) => d.priority === priority));
  const connections = classes.reduce((sum, priority) => sum + config.concurrency[priority] + 2, 2);
  const pgPool = new pg.Pool({ connectionString: options.ownerUrl, max: connections, application_name: 'village-storefront-worker' });
  const log = logger('jobs.worker');
  // A connection lost while graphile-worker is between listeners (PostgreSQL restarting, failover, shutdown)
  // must not crash the process: graphile-worker reconnects, and the pool replaces idle clients.
  const connectionLost = (error: Error) => log.warn({ err: error.message }, 'worker database connection lost');
  pgPool.on('error', connectionLost);
  pgPool.on('connect', (client) => client.on('error', connectionLost));
  const utils = await makeWorkerUtils({ pgPool, logger: graphileLogger() });
  const leases = new Leases(options.db, config.leaseMs, (poolIds) => utils.forceUnlockWorkers(poolIds));
  const runners: Runner[] = [];
  let crashed: unknown;
  // Depth and dead-job gauges for scrapes between enqueues (a worker may never enqueue).
  const sampler = setInterval(() => {
    Promise.all([readQueueDepth(options.db), options.deadJobs.count()]).catch((error: unknown) =>
      log.warn({ err: error }, 'queue depth sample failed'),
    );
  }, QUEUE_SAMPLE_INTERVAL_MS);

  const stop = async () => {
    clearInterval(sampler);
    await Promise.allSettled(runners.map((runner) => runner.stop('shutdown')));
    await leases.stop();
    await utils.release();
    await pgPool.end();
  };

  try {
    for (const [index, priority] of classes.entries()) {
      const taskList: TaskList = {};
      for (const definition of definitions.filter((d) => d.priority === priority)) {
        taskList[definition.name] = jobTask(definition, options.db, options.deadJobs);
      }
      const events: WorkerEvents = new EventEmitter();
      events.on('pool:create', ({ workerPool }) => leases.add(workerPool.id, priority));
      const runner = await run({
        pgPool,
        taskList,
        concurrency: config.concurrency[priority],
        pollInterval: config.pollIntervalMs,
        parsedCronItems: index === 0 ? cronItems(options.schedules) : [],
        forbiddenFlags: options.pausing.forbiddenFlags,
        noHandleSignals: true,
        gracefulShutdownAbortTimeout: options.shutdownTimeoutMs,
        logger: graphileLogger(),
        events,
      });
      runner.promise.catch((error: unknown) => {
        crashed = error;
        log.fatal({ err: error, priority }, 'job runner stopped unexpectedly');
      });
      runners.push(runner);
    }
    await leases.start();
  } catch (error) {
    await stop();
    throw error;
  }
  log.info({ classes: Object.fromEntries(classes.map((priority) => [priority, config.concurrency[priority]])) }, 'job worker started');

  return {
    health() {
      const heartbeatAgeMs = Date.now() - leases.lastBeatAt;
      const up = crashed === undefined && heartbeatAgeMs < config.leaseMs;
      return {
        status: up ? 'UP' : 'DOWN',
        data: { runners: classes, heartbeat_age_ms: heartbeatAgeMs, ...(crashed ? { error: 'a runner stopped; see the logs' } : {}) },
      };
    },
    stop,
  };
}
