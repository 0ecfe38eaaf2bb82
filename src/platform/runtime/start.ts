import type { Config } from '../config/config.ts';
import { createDb } from '../db/database.ts';
import { databaseCheck } from '../db/health.ts';
import { migrate } from '../db/migrate.ts';
import { openOwnerDatabase, ownerUrlFor } from '../db/owner.ts';
import { assertSafeRuntimeRole } from '../db/runtime-role.ts';
import { jobTableCleanup, jobTableCleanupSchedule } from '../jobs/cleanup.ts';
import { idempotencyKeyCleanup, idempotencyKeyCleanupSchedule } from '../http/idempotency-cleanup.ts';
import { createJobs, jobQueueCheck } from '../jobs/service.ts';
import { pauseJobsOfSuspendedTenants } from '../jobs/suspension.ts';
import { type JobWorker, startJobWorker } from '../jobs/worker.ts';
import { EventBus } from '../events/bus.ts';
import { createMail } from '../mail/mail.ts';
import { HealthRegistry } from '../observability/health.ts';
import { traceStoreRetention, traceStoreRetentionSchedule } from '../observability/trace-store/retention.ts';
import { attachTraceStore } from '../observability/trace-store/store.ts';
import { createObjectStore, objectStoreCheck } from '../storage/index.ts';
import type { Platform, PlatformModule, Role } from '../platform.ts';

/** Every job the build defines: the platform's own and each module's. */
export const jobDefinitions = (modules: readonly PlatformModule[]) => [jobTableCleanup, idempotencyKeyCleanup, traceStoreRetention, ...modules.flatMap((module) => module.jobs ?? [])];

export interface RunningPlatform {
  platform: Platform;
  /** The modules it started, in start-up order (the composition root chose them). */
  modules: readonly PlatformModule[];
  /** Stops modules, closes the pool, and stops the embedded PostgreSQL when there is one. */
  stop(): Promise<void>;
}

/**
 * Opens the database (embedded when no DATABASE_URL), migrates it, seeds it, starts the modules, and in the
 * worker role starts the job worker. The composition root (src/main.ts, the test harness) passes the modules.
 */
export async function startPlatform(config: Config, roles: Role[], modules: readonly PlatformModule[]): Promise<RunningPlatform> {
  const owner = await openOwnerDatabase(config);
  try {
    const workerOwnerUrl = roles.some((role) => role === 'worker' || role === 'media-worker') ? ownerUrlFor(owner, 'the job worker') : undefined;
    if (config.migrateOnStart) await migrate(ownerUrlFor(owner, 'migrating at start (MIGRATE_ON_START)'), 'up');
    const db = createDb({
      ownerUrl: owner.url,
      appUrl: config.appDatabaseUrl,
      poolMax: config.db.poolMax,
      statementTimeoutMs: config.db.statementTimeoutMs,
    });
    await assertSafeRuntimeRole(db, { loginRoleToo: config.appDatabaseUrl !== undefined }).catch(async (error: unknown) => {
      await db.close();
      throw error;
    });
    const health = new HealthRegistry();
    health.addReadinessCheck('database', databaseCheck(db));
    const definitions = jobDefinitions(modules);
    const jobs = createJobs(db, config.jobs, definitions);
    let worker: JobWorker | undefined;
    health.addReadinessCheck('job-queue', jobQueueCheck(() => worker));
    const events = new EventBus();
    pauseJobsOfSuspendedTenants(events, jobs.pausing);
    const mail = createMail(config.mail, db);
    const storage = await createObjectStore(config.storage);
    health.addReadinessCheck('object-storage', objectStoreCheck(storage));
    const platform: Platform = { config, db, health, events, jobs, mail, storage, roles: new Set(roles) };
    const traceStore = await attachTraceStore(db, config.tracing.store);
    if (config.seedDemo) for (const module of modules) await module.seed?.(platform);
    for (const module of modules) await module.start?.(platform);
    const workerRoles = roles.filter((role) => role === 'worker' || role === 'media-worker');
    if (workerOwnerUrl) {
      worker = await startJobWorker({
        ownerUrl: workerOwnerUrl,
        db,
        config: config.jobs,
        definitions: definitions.filter((definition) => workerRoles.includes(definition.role)),
        schedules: roles.includes('worker')
          ? [
              jobTableCleanupSchedule(config.jobs.retentionDays),
              idempotencyKeyCleanupSchedule,
              traceStoreRetentionSchedule(config.tracing.store.retentionHours),
              ...modules.flatMap((module) => module.schedules ?? [])]
          : [],
        pausing: jobs.pausing,
        deadJobs: jobs.deadJobs,
        shutdownTimeoutMs: config.shutdownTimeoutMs,
      });
      mail.startRelay();
    }
    return {
      platform,
      modules,
      async stop() {
        await mail.stop();
        await worker?.stop();
        for (const module of [...modules].reverse()) await module.stop?.(platform);
        await traceStore?.detach();
        await db.close();
        await owner.stop();
      },
    };
  } catch (error) {
    await owner.stop();
    throw error;
  }
}
