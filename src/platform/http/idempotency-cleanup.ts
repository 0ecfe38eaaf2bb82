import Type from 'typebox';
import { defineJob, defineSchedule } from '../jobs/definitions.ts';
import { deleteExpiredIdempotencyKeys } from './idempotency.ts';

/** Hourly: Idempotency-Keys past their 24 hours, with the responses they kept. */
export const idempotencyKeyCleanup = defineJob({
  name: 'idempotency.cleanup',
  version: 1,
  payload: Type.Object({}),
  priority: 'LOW',
  maxAttempts: 10,
  timeoutMs: 300_000,
  scope: 'platform',
  async run(_payload, { trx }) {
    await deleteExpiredIdempotencyKeys(trx);
  },
});

export const idempotencyKeyCleanupSchedule = defineSchedule(idempotencyKeyCleanup, '41 * * * *', {});
