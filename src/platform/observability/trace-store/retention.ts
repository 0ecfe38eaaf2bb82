import { sql } from 'kysely';
import Type from 'typebox';
import { defineJob, defineSchedule } from '../../jobs/definitions.ts';
import { logger } from '../logger.ts';

/**
 * Every ten minutes: the trace store's hourly partitions for the next hours are made, and those wholly past
 * retention dropped (a partition drop, not a DELETE: instant and without bloat).
 */
export const traceStoreRetention = defineJob({
  name: 'trace-store.retention',
  version: 1,
  payload: Type.Object({ retention_hours: Type.Integer({ minimum: 1, maximum: 744 }) }),
  priority: 'LOW',
  maxAttempts: 3,
  timeoutMs: 120_000,
  scope: 'platform',
  async run({ retention_hours }, { trx }) {
    const result = await sql<{ action: string; partition_name: string }>`
      select * from app_maintain_trace_partitions(1, 2, make_interval(hours => ${retention_hours}::int))`.execute(trx);
    const dropped = result.rows.filter((row) => row.action === 'dropped').map((row) => row.partition_name);
    if (dropped.length > 0) logger('trace-store').info({ dropped }, 'trace store partitions past retention dropped');
  },
});

export const traceStoreRetentionSchedule = (retentionHours: number) => defineSchedule(traceStoreRetention, '*/10 * * * *', { retention_hours: retentionHours });
