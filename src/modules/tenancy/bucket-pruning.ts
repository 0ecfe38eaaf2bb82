import { sql } from 'kysely';
import Type from 'typebox';
import type { Tx } from '../../platform/db/database.ts';
import { defineJob, defineSchedule } from '../../platform/jobs/definitions.ts';

/**
 * A bucket untouched this long has refilled completely (every budget refills its capacity in far less than a day), so
 * dropping its row changes no decision: the next request recreates it full. Without this, every address that ever
 * called keeps a row.
 */
const IDLE_FOR = '1 day';

export async function pruneIdleBuckets(trx: Tx): Promise<number> {
  const result = await sql`DELETE FROM rate_limit_buckets WHERE refilled_at < now() - ${IDLE_FOR}::interval`.execute(trx);
  return Number(result.numAffectedRows ?? 0);
}

export const rateLimitBucketPruning = defineJob({
  name: 'tenancy.rate-limit-buckets.prune',
  version: 1,
  payload: Type.Object({}),
  priority: 'LOW',
  maxAttempts: 3,
  timeoutMs: 300_000,
  scope: 'platform',
  async run(_payload, { trx }) {
    await pruneIdleBuckets(trx);
  },
});

export const rateLimitBucketPruningSchedule = defineSchedule(rateLimitBucketPruning, '23 * * * *', {});
