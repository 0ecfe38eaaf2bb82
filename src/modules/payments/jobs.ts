import { sql } from 'kysely';
import Type from 'typebox';
import type { Tx } from '../../platform/db/database.ts';
import { defineJob, defineSchedule } from '../../platform/jobs/definitions.ts';
import type { Platform } from '../../platform/platform.ts';
import { paymentsOf } from './service.ts';

/** Keeps last month (redeliveries), this month and three ahead; drops months older than 400 days (disputes). */
export async function maintainWebhookPartitions(trx: Tx): Promise<{ action: string; partition_name: string }[]> {
  const { rows } = await sql<{ action: string; partition_name: string }>`select * from app_maintain_webhook_event_partitions(1, 3, interval '400 days')`.execute(trx);
  return rows;
}

export const webhookPartitionsJob = defineJob({
  name: 'payments.webhook-partitions',
  version: 1,
  payload: Type.Object({}, { additionalProperties: false }),
  priority: 'LOW',
  maxAttempts: 3,
  timeoutMs: 120_000,
  scope: 'platform',
  async run(_payload, { trx }) {
    await maintainWebhookPartitions(trx);
  },
});

/** Hourly, so a missed run never leaves a month boundary without its partition. */
export const webhookPartitionsSchedule = defineSchedule(webhookPartitionsJob, '17 * * * *', {});

/**
 * Payments that no order took within 30 minutes belong to a checkout whose process died between paying and
 * writing the order (a commit takes seconds): their money is given back (void or refund), so none stays held.
 */
export function orphanPaymentsJob(platform: () => Platform) {
  return defineJob({
    name: 'payments.void-orphans',
    version: 1,
    payload: Type.Object({}, { additionalProperties: false }),
    priority: 'HIGH',
    maxAttempts: 3,
    timeoutMs: 300_000,
    scope: 'platform',
    async run(_payload, { trx }) {
      await voidOrphanPayments(platform(), trx);
    },
  });
}

export async function voidOrphanPayments(platform: Platform, trx: Tx): Promise<number> {
  const orphans = await trx
    .selectFrom('payments')
    .select(['id', 'tenant_id'])
    .where('order_id', 'is', null)
    .where((eb) => eb.or([eb('status', 'in', ['authorised', 'requires_action']), eb.and([eb('status', '=', 'captured'), eb('refunded_minor', '<', eb.ref('captured_minor'))])]))
    .limit(500)
    .execute();
  const payments = paymentsOf(platform);
  for (const orphan of orphans) await payments.void(orphan.tenant_id, orphan.id, `orphan:${orphan.id}`);
  return orphans.length;
}
