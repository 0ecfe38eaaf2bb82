import { sql } from 'kysely';
import Type from 'typebox';
import type { Tx } from '../../platform/db/database.ts';
import { defineJob, defineSchedule } from '../../platform/jobs/definitions.ts';

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
