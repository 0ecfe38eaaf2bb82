import type { Tx } from '../../platform/db/database.ts';
import { logger } from '../../platform/observability/logger.ts';
import { deleteExpiredRefreshTokens, deleteRevocationsBefore, maintainSessionLogPartitions } from './repository.ts';
import { REVOCATION_HORIZON_MS } from './revocations.ts';
import { pruneFailures } from './throttle.ts';

/** Session logs are kept 90 days; partitions exist three months ahead so inserts never miss one. */
export const SESSION_LOG_MONTHS_AHEAD = 3;
export const SESSION_LOG_RETENTION_DAYS = 90;
/** Expired refresh tokens are kept a week, so that a late reuse is still recognised and logged as one. */
export const EXPIRED_REFRESH_TOKEN_DAYS = 7;

/**
 * The identity module's scheduled maintenance: creates future session-log partitions, drops expired ones,
 * forgets login failures older than the throttling window and refresh tokens a week past their expiry.
 * Idempotent; safe to run from several processes. Runs in a platform unit of work (`db.withPlatform`).
 */
export async function identityHousekeeping(trx: Tx): Promise<Record<string, unknown>> {
  const changes = await maintainSessionLogPartitions(trx, SESSION_LOG_MONTHS_AHEAD, SESSION_LOG_RETENTION_DAYS);
  const result = {
    created: changes.filter((change) => change.action === 'created').map((change) => change.partition_name),
    dropped: changes.filter((change) => change.action === 'dropped').map((change) => change.partition_name),
    failuresPruned: await pruneFailures(trx),
    refreshTokensDeleted: await deleteExpiredRefreshTokens(trx, new Date(Date.now() - EXPIRED_REFRESH_TOKEN_DAYS * 86_400_000)),
    revocationsPruned: await deleteRevocationsBefore(trx, new Date(Date.now() - REVOCATION_HORIZON_MS)),
    resetTokensDeleted: Number((await trx.deleteFrom('password_reset_tokens').where('expires_at', '<', new Date()).executeTakeFirst()).numDeletedRows),
  };
  if (result.created.length || result.dropped.length) logger('identity').info(result, 'session log partitions maintained');
  return result;
}
