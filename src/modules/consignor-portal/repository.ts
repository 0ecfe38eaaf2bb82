import type { ColumnType, Generated } from 'kysely';
import { sql } from 'kysely';
import type { Tx } from '../../platform/db/database.ts';
import type { AuditColumns } from '../../platform/db/schema.ts';

interface AccountsTable extends AuditColumns {
  tenant_id: string;
  consignor_id: string;
  email: string;
  password_hash: string | null;
  password_set_at: Date | null;
  active: ColumnType<boolean, boolean | undefined, boolean>;
}

interface LinksTable extends AuditColumns {
  id: Generated<string>;
  tenant_id: string;
  consignor_id: string;
  token_hash: Buffer;
  expires_at: Date;
  used_at: Date | null;
}

interface SessionsTable extends AuditColumns {
  id: Generated<string>;
  tenant_id: string;
  consignor_id: string;
  token_hash: Buffer;
  expires_at: Date;
  ends_at: Date;
  revoked_at: Date | null;
  ip: string | null;
  user_agent: string | null;
}

declare module '../../platform/db/schema.ts' {
  interface Database {
    consignor_portal_accounts: AccountsTable;
    consignor_portal_links: LinksTable;
    consignor_portal_sessions: SessionsTable;
  }
}

/** Creates the consignor's portal account or moves it to a new e-mail; the password stays until a link sets another. */
export async function upsertAccount(trx: Tx, row: { tenant_id: string; consignor_id: string; email: string }): Promise<void> {
  await trx
    .insertInto('consignor_portal_accounts')
    .values(row)
    .onConflict((oc) => oc.columns(['tenant_id', 'consignor_id']).doUpdateSet({ email: row.email, active: true }))
    .execute();
}

export const insertLink = (trx: Tx, row: { tenant_id: string; consignor_id: string; token_hash: Buffer; expires_at: Date }) =>
  trx.insertInto('consignor_portal_links').values(row).execute();

/** The unused, unexpired link with this hash, locked so two submissions cannot both use it. */
export const lockLink = (trx: Tx, tokenHash: Buffer) =>
  trx
    .selectFrom('consignor_portal_links')
    .select(['id', 'consignor_id'])
    .where('token_hash', '=', tokenHash)
    .where('used_at', 'is', null)
    .where('expires_at', '>', sql<Date>`now()`)
    .forUpdate()
    .executeTakeFirst();

export async function setPassword(trx: Tx, consignorId: string, passwordHash: string): Promise<void> {
  await trx.updateTable('consignor_portal_links').set({ used_at: sql`now()` }).where('consignor_id', '=', consignorId).where('used_at', 'is', null).execute();
  await trx.updateTable('consignor_portal_accounts').set({ password_hash: passwordHash, password_set_at: sql`now()` }).where('consignor_id', '=', consignorId).execute();
  // A new password ends every earlier session.
  await trx.updateTable('consignor_portal_sessions').set({ revoked_at: sql`now()` }).where('consignor_id', '=', consignorId).where('revoked_at', 'is', null).execute();
}

export const findAccountByEmail = (trx: Tx, email: string) =>
  trx.selectFrom('consignor_portal_accounts').select(['consignor_id', 'password_hash', 'active']).where('email', '=', email).executeTakeFirst();

export const insertSession = (trx: Tx, row: Omit<SessionsTable, keyof AuditColumns | 'id' | 'revoked_at'>) =>
  trx.insertInto('consignor_portal_sessions').values(row).execute();

/** The consignor of a live session, its idle end moved forward. */
export const touchSession = (trx: Tx, tokenHash: Buffer, idleEnd: Date) =>
  trx
    .updateTable('consignor_portal_sessions as s')
    .from('consignor_portal_accounts as a')
    .set({ expires_at: sql`least(${idleEnd}::timestamptz, s.ends_at)` })
    .whereRef('a.consignor_id', '=', 's.consignor_id')
    .where('s.token_hash', '=', tokenHash)
    .where('s.revoked_at', 'is', null)
    .where('s.expires_at', '>', sql<Date>`now()`)
    .where('a.active', '=', true)
    .returning('s.consignor_id')
    .executeTakeFirst();

export const revokeSession = (trx: Tx, tokenHash: Buffer) =>
  trx.updateTable('consignor_portal_sessions').set({ revoked_at: sql`now()` }).where('token_hash', '=', tokenHash).where('revoked_at', 'is', null).execute();
