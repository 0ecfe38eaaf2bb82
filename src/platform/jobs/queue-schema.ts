import { Logger, runMigrations } from 'graphile-worker';
import { logger } from '../observability/logger.ts';

/** graphile-worker's log lines, through our logger: its `warning` is pino's `warn`. */
export function graphileLogger(category = 'jobs.graphile'): Logger {
  const log = logger(category);
  return new Logger((scope) => (level, message, meta) => {
    log[level === 'warning' ? 'warn' : level]({ ...scope, ...meta }, message);
  });
}

/** Installs or upgrades graphile-worker's schema (`graphile_worker`) as the owner. */
export async function migrateJobQueue(ownerUrl: string): Promise<void> {
  await runMigrations({ connectionString: ownerUrl, logger: graphileLogger() });
}
