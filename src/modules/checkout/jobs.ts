import Type from 'typebox';
import { defineJob, defineSchedule } from '../../platform/jobs/definitions.ts';
import { releaseExpiredStock } from '../catalog/index.ts';

/** Stock held by checkouts that never finished goes back on sale (every store at once). */
export const releaseReservationsJob = defineJob({
  name: 'checkout.release-reservations',
  version: 1,
  payload: Type.Object({}, { additionalProperties: false }),
  priority: 'HIGH',
  maxAttempts: 3,
  timeoutMs: 60_000,
  scope: 'platform',
  async run(_payload, { trx }) {
    await releaseExpiredStock(trx);
  },
});

export const releaseReservationsSchedule = defineSchedule(releaseReservationsJob, '* * * * *', {});
