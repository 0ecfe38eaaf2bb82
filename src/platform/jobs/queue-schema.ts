import { Logger, runMigrations } from 'graphile-worker';
import { logger } from '../observability/logger.ts';

/**
 * graphile-worker's log lines, through our logger: its `warning` is pino's `warn`. Its line per failed job goes
 * to debug: the task wrapper already logs every failure with the job's context.
 */
export function graphileLogger(category = 'jobs.graphile'): Logger {
  const log = logger(category);
  return new Logger((scope) => (level, message, meta) => {
    const pinoLevel = meta.failure ? 'debug' : level === 'warning' ? 'warn' : level;
    log[pinoLevel]({ ...scope, ...meta }, message);
  });
}

/** Installs or upgrades graphile-worker's schema (`graphile_worker`) as the owner. */
export async function migrateJobQueue(ownerUrl: string): Promise<void> {
  await runMigrations({ connectionString: ownerUrl, logger: graphileLogger() });
}
