import { modules } from '../../modules/index.ts';
import type { Config } from '../config/config.ts';
import { createDb } from '../db/database.ts';
import { databaseCheck } from '../db/health.ts';
import { migrate } from '../db/migrate.ts';
import { openOwnerDatabase } from '../db/owner.ts';
import { jobTableCleanup, jobTableCleanupSchedule } from '../jobs/cleanup.ts';
import { createJobs, jobQueueCheck } from '../jobs/service.ts';
import { pauseJobsOfSuspendedTenants } from '../jobs/suspension.ts';
import { type JobWorker, startJobWorker } from '../jobs/worker.ts';
import { EventBus } from '../events/bus.ts';
import { HealthRegistry } from '../observability/health.ts';
import { createObjectStore, objectStoreCheck } from '../storage/index.ts';
import type { Platform, Role } from '../platform.ts';

/** Every job the build defines: the platform's own and each module's. */
export const jobDefinitions = () => [jobTableCleanup, ...modules.flatMap((module) => module.jobs ?? [])];

export interface RunningPlatform {
  platform: Platform;
  /** Stops modules, closes the pool, and stops the embedded PostgreSQL when there is one. */
  stop(): Promise<void>;
}

/**
 * Opens the database (embedded when no DATABASE_URL), migrates it, seeds it, starts the modules, and in the
 * worker role starts the job worker.
 */
export async function startPlatform(config: Config, roles: Role[]): Promise<RunningPlatform> {
  const owner = await openOwnerDatabase(config);
  try {
    await migrate(owner.url, 'up');
    const db = createDb({
      ownerUrl: owner.url,
      appUrl: config.appDatabaseUrl,
      poolMax: config.db.poolMax,
      statementTimeoutMs: config.db.statementTimeoutMs,
    });
    const health = new HealthRegistry();
    health.addReadinessCheck('database', databaseCheck(db));
    const definitions = jobDefinitions();
    const jobs = createJobs(db, config.jobs, definitions);
    let worker: JobWorker | undefined;
    health.addReadinessCheck('job-queue', jobQueueCheck(jobs, () => worker));
    const events = new EventBus();
    pauseJobsOfSuspendedTenants(events, jobs.pausing);
    const storage = await createObjectStore(config.storage);
    health.addReadinessCheck('object-storage', objectStoreCheck(storage));
    const platform: Platform = { config, db, health, events, jobs, storage, roles: new Set(roles) };
    if (config.seedDemo) for (const module of modules) await module.seed?.(platform);
    for (const module of modules) await module.start?.(platform);
    const workerRoles = roles.filter((role) => role === 'worker' || role === 'media-worker');
    if (workerRoles.length > 0) {
      worker = await startJobWorker({
        ownerUrl: owner.url,
        db,
        config: config.jobs,
        definitions: definitions.filter((definition) => workerRoles.includes(definition.role)),
        schedules: roles.includes('worker') ? [jobTableCleanupSchedule(config.jobs.retentionDays), ...modules.flatMap((module) => module.schedules ?? [])] : [],
        pausing: jobs.pausing,
        deadJobs: jobs.deadJobs,
        shutdownTimeoutMs: config.shutdownTimeoutMs,
      });
    }
    return {
      platform,
      async stop() {
        await worker?.stop();
        for (const module of [...modules].reverse()) await module.stop?.(platform);
        await db.close();
        await owner.stop();
      },
    };
  } catch (error) {
    await owner.stop();
    throw error;
  }
}
