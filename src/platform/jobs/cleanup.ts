import { sql } from 'kysely';
import Type from 'typebox';
import { defineJob, defineSchedule } from './definitions.ts';

/** Daily: dead jobs and error history past retention, and leases of workers long gone. */
export const jobTableCleanup = defineJob({
  name: 'jobs.cleanup',
  version: 1,
  payload: Type.Object({ retention_days: Type.Integer({ minimum: 1 }) }),
  priority: 'LOW',
  maxAttempts: 3,
  timeoutMs: 300_000,
  scope: 'platform',
  async run({ retention_days }, { trx }) {
    const cutoff = sql<Date>`now() - make_interval(days => ${retention_days})`;
    await trx.deleteFrom('dead_jobs').where('failed_at', '<', cutoff).execute();
    await trx.deleteFrom('job_errors').where('failed_at', '<', cutoff).execute();
    await trx.deleteFrom('job_workers').where('heartbeat_at', '<', sql<Date>`now() - interval '1 day'`).execute();
  },
});

export const jobTableCleanupSchedule = (retentionDays: number) => defineSchedule(jobTableCleanup, '17 3 * * *', { retention_days: retentionDays });
