import { Type } from 'typebox';
import { defineJob, defineSchedule } from '../../platform/jobs/definitions.ts';
import type { Platform } from '../../platform/platform.ts';
import { tenancy } from '../tenancy/index.ts';
import { applyExpiryOutcomes, applyMarkdowns, sendExpiryNotices, storesWithItemsOnFloor } from './aging.ts';
import { rotateTaxIds, storesWithStaleTaxIds } from './tax-ids.ts';

let bound: Platform | undefined;
/** Jobs need the platform's config, mail and queue; the module binds it at start, before any worker runs. */
export function bindConsignmentJobs(platform: Platform): void {
  bound = platform;
}
const platform = () => {
  if (!bound) throw new Error('the consignment module has not started');
  return bound;
};

const NoPayload = Type.Object({}, { additionalProperties: false });

/** One store's daily aging: markdowns due, expiry notices due, expiry outcomes due. Each step is idempotent. */
export const ageItemsJob = defineJob({
  name: 'consignment.age-items',
  version: 1,
  payload: NoPayload,
  priority: 'LOW',
  maxAttempts: 5,
  timeoutMs: 10 * 60_000,
  onePerTenant: true,
  async run(_payload, { trx, tenantId }) {
    if (!tenantId) throw new Error('consignment.age-items runs for a tenant');
    const store = await tenancy(platform()).storeIdentity(tenantId);
    await applyMarkdowns(trx, tenantId);
    await sendExpiryNotices(trx, platform().mail, tenantId, store?.name ?? 'The store');
    await applyExpiryOutcomes(trx, tenantId);
  },
});

/** Re-encrypts a store's tax identifiers sealed with an older data key to the current one. */
export const rotateTaxIdsJob = defineJob({
  name: 'consignment.rotate-tax-ids',
  version: 1,
  payload: NoPayload,
  priority: 'LOW',
  maxAttempts: 5,
  timeoutMs: 10 * 60_000,
  onePerTenant: true,
  async run(_payload, { trx, tenantId }) {
    if (!tenantId) throw new Error('consignment.rotate-tax-ids runs for a tenant');
    while ((await rotateTaxIds(trx, platform().config.dataKeys, tenantId)) > 0);
  },
});

/** Daily: one aging job per store with items on the floor, and one rotation job per store with values under an older key. */
export const consignmentSweepJob = defineJob({
  name: 'consignment.daily-sweep',
  version: 1,
  payload: NoPayload,
  priority: 'LOW',
  maxAttempts: 3,
  timeoutMs: 5 * 60_000,
  scope: 'platform',
  async run(_payload, { trx }) {
    const { jobs, config } = platform();
    for (const tenantId of await storesWithItemsOnFloor(trx)) await jobs.enqueue(ageItemsJob, {}, { trx, tenantId, jobKey: `consignment.age-items:${tenantId}` });
    for (const tenantId of await storesWithStaleTaxIds(trx, config.dataKeys.current)) {
      await jobs.enqueue(rotateTaxIdsJob, {}, { trx, tenantId, jobKey: `consignment.rotate-tax-ids:${tenantId}` });
    }
  },
});

export const consignmentJobs = [ageItemsJob, rotateTaxIdsJob, consignmentSweepJob];
export const consignmentSchedules = [defineSchedule(consignmentSweepJob, '17 4 * * *', {})];
