import Type from 'typebox';
import type { Tx } from '../../platform/db/database.ts';
import { defineJob } from '../../platform/jobs/definitions.ts';
import type { Jobs } from '../../platform/jobs/service.ts';
import type { Platform } from '../../platform/platform.ts';
import type { NotificationKind } from './ledger-schema.ts';
import { notificationLatency } from './ledger-telemetry.ts';

export interface Notice {
  consignorId: string;
  kind: NotificationKind;
  /** One notice per business fact (`sale:<line id>`, `payout:<id>`, …): a repeat is dropped. */
  dedupeKey: string;
  subject: string;
  body: string;
}

const SendPayload = Type.Object({ notification_id: Type.String({ format: 'uuid' }) }, { additionalProperties: false });

/**
 * Sends one stored notice by mail, on the HIGH queue: enqueued with the fact it reports, it runs within
 * seconds of that commit (the target is two minutes). A consignor without an e-mail address still sees it
 * in the portal; it is marked sent either way.
 */
export function sendNotificationJob(platform: () => Platform) {
  return defineJob({
    name: 'consignment.send-notification',
    version: 1,
    payload: SendPayload,
    priority: 'HIGH',
    maxAttempts: 10,
    timeoutMs: 30_000,
    async run(payload, { trx }) {
      const notice = await trx
        .selectFrom('consignment_notifications as n')
        .innerJoin('consignors as c', 'c.id', 'n.consignor_id')
        .select(['n.id', 'n.kind', 'n.subject', 'n.body', 'n.sent_at', 'n.created_at', 'c.email'])
        .where('n.id', '=', payload.notification_id)
        .forUpdate('n')
        .executeTakeFirst();
      if (!notice || notice.sent_at) return;
      if (notice.email) await platform().mail.enqueue(trx, { to: notice.email, subject: notice.subject, text: notice.body });
      await trx.updateTable('consignment_notifications').set({ sent_at: new Date() }).where('id', '=', notice.id).execute();
      notificationLatency.observe({ kind: notice.kind }, (Date.now() - notice.created_at.getTime()) / 1000);
    },
  });
}
export type SendNotificationJob = ReturnType<typeof sendNotificationJob>;

/** Records the notice in the caller's unit of work and enqueues its delivery there; a repeated key does nothing. */
export async function notify(trx: Tx, jobs: Jobs, job: SendNotificationJob, tenantId: string, notice: Notice): Promise<boolean> {
  const row = await trx
    .insertInto('consignment_notifications')
    .values({ tenant_id: tenantId, consignor_id: notice.consignorId, kind: notice.kind, dedupe_key: notice.dedupeKey, subject: notice.subject, body: notice.body })
    .onConflict((oc) => oc.columns(['tenant_id', 'dedupe_key']).doNothing())
    .returning('id')
    .executeTakeFirst();
  if (!row) return false;
  await jobs.enqueue(job, { notification_id: row.id }, { trx, tenantId });
  return true;
}

/** `notify` for many notices in two statements (payout runs). */
export async function notifyMany(trx: Tx, jobs: Jobs, job: SendNotificationJob, tenantId: string, notices: readonly Notice[]): Promise<void> {
  if (notices.length === 0) return;
  const rows = await trx
    .insertInto('consignment_notifications')
    .values(notices.map((notice) => ({ tenant_id: tenantId, consignor_id: notice.consignorId, kind: notice.kind, dedupe_key: notice.dedupeKey, subject: notice.subject, body: notice.body })))
    .onConflict((oc) => oc.columns(['tenant_id', 'dedupe_key']).doNothing())
    .returning('id')
    .execute();
  await jobs.enqueueMany(
    job,
    rows.map((row) => ({ notification_id: row.id })),
    { trx, tenantId },
  );
}

export async function listNotifications(trx: Tx, consignorId: string, limit: number) {
  return trx
    .selectFrom('consignment_notifications')
    .select(['id', 'kind', 'subject', 'body', 'created_at', 'sent_at'])
    .where('consignor_id', '=', consignorId)
    .orderBy('created_at', 'desc')
    .limit(limit)
    .execute();
}
