import { type ColumnType, type Generated, type Selectable, sql } from 'kysely';
import type { Tx } from '../db/database.ts';
import type { AuditColumns } from '../db/schema.ts';

export interface MailOutboxTable extends AuditColumns {
  id: Generated<string>;
  tenant_id: string | null;
  to_address: string;
  subject: string;
  body_text: string;
  sent_at: ColumnType<Date | null, never, Date>;
  attempts: ColumnType<number, never, number>;
  last_attempt_at: ColumnType<Date | null, never, Date>;
  last_error: ColumnType<string | null, never, string | null>;
}

declare module '../db/schema.ts' {
  interface Database {
    mail_outbox: MailOutboxTable;
  }
}

export type OutboxRow = Selectable<MailOutboxTable>;

/** A delivery that failed this many times stays in the outbox, unsent, for the on-call engineer. */
export const MAX_ATTEMPTS = 8;

export function insertMail(trx: Tx, row: { tenant_id: string | null; to_address: string; subject: string; body_text: string }): Promise<OutboxRow> {
  return trx.insertInto('mail_outbox').values(row).returningAll().executeTakeFirstOrThrow();
}

/** Unsent messages due for an attempt (backing off a minute per failed attempt), locked for this deliverer. */
export function claimDue(trx: Tx, limit: number): Promise<OutboxRow[]> {
  return trx
    .selectFrom('mail_outbox')
    .selectAll()
    .where('sent_at', 'is', null)
    .where('attempts', '<', MAX_ATTEMPTS)
    .where((eb) => eb.or([eb('last_attempt_at', 'is', null), eb('last_attempt_at', '<', sql<Date>`now() - make_interval(mins => attempts)`)]))
    .orderBy('created_at')
    .limit(limit)
    .forUpdate()
    .skipLocked()
    .execute();
}

export async function markAttempt(trx: Tx, id: string, error: string | null): Promise<void> {
  const attempt = { attempts: sql<number>`attempts + 1`, last_attempt_at: new Date(), last_error: error?.slice(0, 1000) ?? null };
  await trx
    .updateTable('mail_outbox')
    .set(error === null ? { ...attempt, sent_at: new Date() } : attempt)
    .where('id', '=', id)
    .execute();
}

export function recentMail(trx: Tx, filter: { to?: string | undefined; limit: number }): Promise<OutboxRow[]> {
  let query = trx.selectFrom('mail_outbox').selectAll().orderBy('created_at', 'desc').orderBy('id', 'desc').limit(filter.limit);
  if (filter.to) query = query.where('to_address', '=', filter.to.toLowerCase());
  return query.execute();
}

export async function unsentCount(trx: Tx): Promise<number> {
  const row = await trx
    .selectFrom('mail_outbox')
    .select((eb) => eb.fn.countAll<string>().as('n'))
    .where('sent_at', 'is', null)
    .executeTakeFirstOrThrow();
  return Number(row.n);
}
