import type { Db } from '../../platform/db/database.ts';
import { logger } from '../../platform/observability/logger.ts';
import { maintainSessionLogPartitions } from './repository.ts';
import { pruneFailures } from './throttle.ts';

/** Session logs are kept 90 days (seed §3.2.2); partitions exist three months ahead so inserts never miss one. */
export const SESSION_LOG_MONTHS_AHEAD = 3;
export const SESSION_LOG_RETENTION_DAYS = 90;

/**
 * The identity module's scheduled maintenance: creates future session-log partitions, drops expired ones, and
 * forgets login failures older than the throttling window. Idempotent; safe to run from several processes.
 */
export async function identityHousekeeping(db: Db): Promise<{ created: string[]; dropped: string[]; failuresPruned: number }> {
  const changes = await maintainSessionLogPartitions(db, SESSION_LOG_MONTHS_AHEAD, SESSION_LOG_RETENTION_DAYS);
  const result = {
    created: changes.filter((change) => change.action === 'created').map((change) => change.partition_name),
    dropped: changes.filter((change) => change.action === 'dropped').map((change) => change.partition_name),
    failuresPruned: await pruneFailures(db),
  };
  if (result.created.length || result.dropped.length) logger('identity').info(result, 'session log partitions maintained');
  return result;
}
