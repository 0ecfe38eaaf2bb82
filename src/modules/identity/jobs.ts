import Type from 'typebox';
import { defineJob, defineSchedule } from '../../platform/jobs/definitions.ts';
import { identityHousekeeping } from './housekeeping.ts';

/** Session-log partitions ahead and expired ones dropped, old login failures and refresh tokens forgotten. */
export const identityHousekeepingJob = defineJob({
  name: 'identity.housekeeping',
  version: 1,
  payload: Type.Object({}),
  priority: 'LOW',
  maxAttempts: 3,
  timeoutMs: 300_000,
  scope: 'platform',
  async run(_payload, { trx }) {
    await identityHousekeeping(trx);
  },
});

/** Hourly, so a missed run never leaves the month boundary without a partition (three months are kept ahead). */
export const identityHousekeepingSchedule = defineSchedule(identityHousekeepingJob, '41 * * * *', {});
