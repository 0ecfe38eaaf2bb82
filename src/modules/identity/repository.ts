import { type ColumnType, type Generated, type Selectable, sql } from 'kysely';
import type { Db, Tx } from '../../platform/db/database.ts';
import type { AuditColumns } from '../../platform/db/schema.ts';
import type { StaffRole } from './rbac.ts';

type AccountStatus = 'active' | 'disabled';
export type SubjectKind = 'staff' | 'customer' | 'platform';

export interface SigningKeysTable {
  kid: string;
  private_jwk: Record<string, unknown>;
  public_jwk: Record<string, unknown>;
  created_at: ColumnType<Date, never, never>;
  retired_at: ColumnType<Date | null, never, Date>;
}

export interface PlatformUsersTable {
  id: Generated<string>;
  email: string;
  display_name: string;
  password_hash: string;
  status: ColumnType<AccountStatus, AccountStatus | undefined>;
  created_at: ColumnType<Date, never, never>;
}

export interface StaffUsersTable extends AuditColumns {
  id: Generated<string>;
  tenant_id: string;
  email: string;
  display_name: string;
  password_hash: string;
  role: StaffRole;
  status: ColumnType<AccountStatus, AccountStatus | undefined>;
}

export interface CustomerAccountsTable extends AuditColumns {
  id: Generated<string>;
  tenant_id: string;
  email: string;
  display_name: string;
  password_hash: string;
  status: ColumnType<AccountStatus, AccountStatus | undefined>;
}

export interface OAuthClientsTable extends AuditColumns {
  id: Generated<string>;
  tenant_id: string;
  client_id: string;
  secret_hash: Buffer;
  name: string;
  scopes: string[];
  revoked_at: ColumnType<Date | null, never, Date>;
}

export interface RefreshTokensTable extends AuditColumns {
  id: Generated<string>;
  tenant_id: string | null;
  family_id: string;
  subject_kind: SubjectKind;
  subject_id: string;
  token_hash: Buffer;
  expires_at: Date;
  rotated_at: ColumnType<Date | null, never, Date>;
  revoked_at: ColumnType<Date | null, never, Date>;
  revoked_reason: ColumnType<RevokedReason | null, never, RevokedReason>;
  session_expires_at: Date;
  second_factor_at: ColumnType<Date | null, Date | null | undefined, Date>;
}

export type RevokedReason = 'logout' | 'reuse' | 'password' | 'disabled';

export interface AccessRevocationsTable {
  id: Generated<string>;
  kind: 'session' | 'subject';
  target: string;
  revoked_at: ColumnType<Date, never, never>;
}

export interface PlatformUserTotpTable {
  platform_user_id: string;
  secret: string;
  confirmed_at: ColumnType<Date | null, never, Date>;
  last_step: ColumnType<string, never, number>;
  created_at: ColumnType<Date, never, never>;
}

export interface PlatformRecoveryCodesTable {
  platform_user_id: string;
  code_hash: Buffer;
  used_at: ColumnType<Date | null, never, Date>;
}

export interface PasswordResetTokensTable extends AuditColumns {
  id: Generated<string>;
  tenant_id: string | null;
  subject_kind: SubjectKind;
  subject_id: string;
  token_hash: Buffer;
  /** What the token may do: reset a password, or set the first one of an invited account. */
  purpose: ColumnType<TokenPurpose, TokenPurpose | undefined, never>;
  expires_at: Date;
  used_at: ColumnType<Date | null, never, Date>;
}

export type TokenPurpose = 'reset' | 'invitation';

/** The password hash of an account that has not chosen one: no bcrypt hash has this form, so no password matches. */
export const NO_PASSWORD = '!';

export interface LoginFailuresTable {
  id: ColumnType<string, never, never>;
  key_hash: Buffer;
  failed_at: ColumnType<Date, Date | undefined, never>;
}

export type SessionEvent =
  | 'login'
  | 'login_failed'
  | 'login_throttled'
  | 'refresh'
  | 'refresh_reuse'
  | 'logout'
  | 'password_changed'
  | 'password_reset_requested'
  | 'password_reset'
  | 'mfa_enrolled'
  | 'mfa_failed'
  | 'disabled'
  | 'invitation_accepted';

export interface SessionLogsTable {
  id: Generated<string>;
  tenant_id: string | null;
  occurred_at: ColumnType<Date, Date | undefined, never>;
  event: SessionEvent;
  subject_kind: SubjectKind | null;
  subject_id: string | null;
  session_id: string | null;
  ip: string | null;
  user_agent: string | null;
  updated_at: ColumnType<Date, never, never>;
  created_by: ColumnType<string | null, never, never>;
  updated_by: ColumnType<string | null, never, never>;
}

export type ImpersonationEvent = 'started' | 'request' | 'ended';

export interface ImpersonationAuditTable {
  id: Generated<string>;
  tenant_id: string;
  impersonation_id: string;
  event: ImpersonationEvent;
  actor_id: string;
  target_user_id: string;
  reason_code: string;
  ticket: string | null;
  method: string | null;
  path: string | null;
  request_id: string | null;
  occurred_at: ColumnType<Date, never, never>;
  updated_at: ColumnType<Date, never, never>;
  created_by: ColumnType<string | null, never, never>;
  updated_by: ColumnType<string | null, never, never>;
}

declare module '../../platform/db/schema.ts' {
  interface Database {
    signing_keys: SigningKeysTable;
    platform_users: PlatformUsersTable;
    staff_users: StaffUsersTable;
    customer_accounts: CustomerAccountsTable;
    oauth_clients: OAuthClientsTable;
    refresh_tokens: RefreshTokensTable;
    login_failures: LoginFailuresTable;
    session_logs: SessionLogsTable;
    impersonation_audit: ImpersonationAuditTable;
    access_revocations: AccessRevocationsTable;
    platform_user_totp: PlatformUserTotpTable;
    platform_recovery_codes: PlatformRecoveryCodesTable;
    password_reset_tokens: PasswordResetTokensTable;
  }
}

export type StaffUser = Selectable<StaffUsersTable>;
export type CustomerAccount = Selectable<CustomerAccountsTable>;
export type PlatformUser = Selectable<PlatformUsersTable>;
export type OAuthClient = Selectable<OAuthClientsTable>;
export type RefreshToken = Selectable<RefreshTokensTable>;
export type SigningKeyRow = Selectable<SigningKeysTable>;
export type ImpersonationAuditRow = Selectable<ImpersonationAuditTable>;

/** A login account of any kind, as far as authentication needs it. */
export interface Account {
  kind: SubjectKind;
  id: string;
  tenantId: string | null;
  email: string;
  displayName: string;
  passwordHash: string;
  role: StaffRole | 'customer' | 'platform_super_user';
  active: boolean;
}

// ---- signing keys (embedded default)

export function usableSigningKeys(db: Db, retiredAfter: Date): Promise<SigningKeyRow[]> {
  return db.kysely
    .selectFrom('signing_keys')
    .selectAll()
    .where((eb) => eb.or([eb('retired_at', 'is', null), eb('retired_at', '>', retiredAfter)]))
    .orderBy('created_at', 'desc')
    .orderBy('kid', 'desc')
    .execute();
}

/** Runs `fn` holding the key-rotation lock, so that two processes starting together create one key. */
export function withSigningKeyLock<T>(db: Db, fn: (trx: Tx) => Promise<T>): Promise<T> {
  return db.kysely.transaction().execute(async (trx) => {
    await sql`select pg_advisory_xact_lock(hashtext('signing_keys'))`.execute(trx);
    return fn(trx);
  });
}

export async function hasActiveSigningKey(trx: Tx): Promise<boolean> {
  const row = await trx.selectFrom('signing_keys').select('kid').where('retired_at', 'is', null).executeTakeFirst();
  return row !== undefined;
}

export async function replaceActiveSigningKey(trx: Tx, key: { kid: string; private_jwk: Record<string, unknown>; public_jwk: Record<string, unknown> }) {
  await trx.updateTable('signing_keys').set({ retired_at: new Date() }).where('retired_at', 'is', null).execute();
  await trx.insertInto('signing_keys').values(key).execute();
}

// ---- accounts

const staffAccount = (row: StaffUser): Account => ({
  kind: 'staff',
  id: row.id,
  tenantId: row.tenant_id,
  email: row.email,
  displayName: row.display_name,
  passwordHash: row.password_hash,
  role: row.role,
  active: row.status === 'active',
});
const customerAccount = (row: CustomerAccount): Account => ({
  kind: 'customer',
  id: row.id,
  tenantId: row.tenant_id,
  email: row.email,
  displayName: row.display_name,
  passwordHash: row.password_hash,
  role: 'customer',
  active: row.status === 'active',
});
const platformAccount = (row: PlatformUser): Account => ({
  kind: 'platform',
  id: row.id,
  tenantId: null,
  email: row.email,
  displayName: row.display_name,
  passwordHash: row.password_hash,
  role: 'platform_super_user',
  active: row.status === 'active',
});

export async function findAccount(trx: Tx, kind: SubjectKind, by: { email: string } | { id: string }): Promise<Account | undefined> {
  const [column, value] = 'email' in by ? (['email', by.email] as const) : (['id', by.id] as const);
  if (kind === 'staff') {
    const row = await trx.selectFrom('staff_users').selectAll().where(column, '=', value).executeTakeFirst();
    return row && staffAccount(row);
  }
  if (kind === 'customer') {
    const row = await trx.selectFrom('customer_accounts').selectAll().where(column, '=', value).executeTakeFirst();
    return row && customerAccount(row);
  }
  const row = await trx.selectFrom('platform_users').selectAll().where(column, '=', value).executeTakeFirst();
  return row && platformAccount(row);
}

export function insertStaffUser(
  trx: Tx,
  user: { tenant_id: string; email: string; display_name: string; password_hash: string; role: StaffRole },
): Promise<StaffUser> {
  return trx.insertInto('staff_users').values(user).returningAll().executeTakeFirstOrThrow();
}

export function listStaffUsers(trx: Tx): Promise<StaffUser[]> {
  return trx.selectFrom('staff_users').selectAll().orderBy('created_at').orderBy('id').execute();
}

export function insertCustomer(
  trx: Tx,
  customer: { tenant_id: string; email: string; display_name: string; password_hash: string },
): Promise<CustomerAccount> {
  return trx.insertInto('customer_accounts').values(customer).returningAll().executeTakeFirstOrThrow();
}

export function insertPlatformUser(db: Db, user: { email: string; display_name: string; password_hash: string }): Promise<PlatformUser> {
  return db.kysely.insertInto('platform_users').values(user).returningAll().executeTakeFirstOrThrow();
}

export function countPlatformUsers(db: Db): Promise<number> {
  return db.kysely
    .selectFrom('platform_users')
    .select((eb) => eb.fn.countAll<string>().as('n'))
    .executeTakeFirstOrThrow()
    .then((row) => Number(row.n));
}

// ---- refresh tokens

export function insertRefreshToken(
  trx: Tx,
  token: {
    tenant_id: string | null;
    family_id: string;
    subject_kind: SubjectKind;
    subject_id: string;
    token_hash: Buffer;
    expires_at: Date;
    session_expires_at: Date;
    second_factor_at?: Date | null;
  },
): Promise<void> {
  return trx.insertInto('refresh_tokens').values(token).execute().then(() => undefined);
}

/** The token row, locked until the end of the transaction so that two refreshes with one token serialise. */
export function lockRefreshToken(trx: Tx, tokenHash: Buffer): Promise<RefreshToken | undefined> {
  return trx.selectFrom('refresh_tokens').selectAll().where('token_hash', '=', tokenHash).forUpdate().executeTakeFirst();
}

/** A step-up proves the second factor for the session: its live refresh token carries the time into renewals. */
export async function markSecondFactor(trx: Tx, familyId: string, at: Date): Promise<void> {
  await trx
    .updateTable('refresh_tokens')
    .set({ second_factor_at: at })
    .where('family_id', '=', familyId)
    .where('rotated_at', 'is', null)
    .where('revoked_at', 'is', null)
    .execute();
}

export async function markRotated(trx: Tx, id: string): Promise<void> {
  await trx.updateTable('refresh_tokens').set({ rotated_at: new Date() }).where('id', '=', id).execute();
}

export async function revokeFamily(trx: Tx, familyId: string, reason: RevokedReason): Promise<number> {
  const result = await trx
    .updateTable('refresh_tokens')
    .set({ revoked_at: new Date(), revoked_reason: reason })
    .where('family_id', '=', familyId)
    .where('revoked_at', 'is', null)
    .executeTakeFirst();
  return Number(result.numUpdatedRows);
}

/** Revokes every live session of an account but `keep`; returns the families revoked. */
export async function revokeSubjectFamilies(trx: Tx, subjectId: string, reason: RevokedReason, keep?: string): Promise<string[]> {
  let query = trx
    .updateTable('refresh_tokens')
    .set({ revoked_at: new Date(), revoked_reason: reason })
    .where('subject_id', '=', subjectId)
    .where('revoked_at', 'is', null);
  if (keep) query = query.where('family_id', '!=', keep);
  const rows = await query.returning('family_id').execute();
  return [...new Set(rows.map((row) => row.family_id))];
}

/** Needs the platform context; the policies let it reach expired tokens only. */
export async function deleteExpiredRefreshTokens(trx: Tx, before: Date): Promise<number> {
  const result = await trx.deleteFrom('refresh_tokens').where('expires_at', '<', before).executeTakeFirst();
  return Number(result.numDeletedRows);
}

// ---- login throttling

/** Keys are locked in a fixed order, so two attempts sharing keys cannot deadlock. */
const lockId = (key: Buffer) => key.readBigInt64BE(0).toString();

export async function reserveAttemptRows(
  db: Db,
  keys: { hash: Buffer; limit: number }[],
  since: Date,
): Promise<{ ids: string[]; counts: number[] } | { blockedOldest: Date }> {
  return db.kysely.transaction().execute(async (trx) => {
    for (const id of keys.map((key) => lockId(key.hash)).sort()) await sql`select pg_advisory_xact_lock(${id}::bigint)`.execute(trx);
    const rows = await trx
      .selectFrom('login_failures')
      .select((eb) => ['key_hash', eb.fn.countAll<string>().as('n'), eb.fn.min('failed_at').as('oldest')])
      .where(
        'key_hash',
        'in',
        keys.map((key) => key.hash),
      )
      .where('failed_at', '>', since)
      .groupBy('key_hash')
      .execute();
    const counts = keys.map((key) => Number(rows.find((row) => row.key_hash.equals(key.hash))?.n ?? 0));
    let blockedOldest: Date | undefined;
    keys.forEach((key, i) => {
      if (counts[i]! < key.limit) return;
      const oldest = rows.find((row) => row.key_hash.equals(key.hash))!.oldest as Date;
      if (!blockedOldest || oldest > blockedOldest) blockedOldest = oldest;
    });
    if (blockedOldest) return { blockedOldest };
    const inserted = await trx
      .insertInto('login_failures')
      .values(keys.map((key) => ({ key_hash: key.hash })))
      .returning('id')
      .execute();
    return { ids: inserted.map((row) => row.id), counts };
  });
}

/** Deletes reserved attempts by id, and with `forgivenKey` every failure under that key. */
export async function forgetAttempts(db: Db, ids: string[], forgivenKey: Buffer | null): Promise<void> {
  await db.kysely
    .deleteFrom('login_failures')
    .where((eb) => (forgivenKey ? eb.or([eb('id', 'in', ids), eb('key_hash', '=', forgivenKey)]) : eb('id', 'in', ids)))
    .execute();
}

export async function deleteFailuresBefore(trx: Tx, before: Date): Promise<number> {
  const result = await trx.deleteFrom('login_failures').where('failed_at', '<', before).executeTakeFirst();
  return Number(result.numDeletedRows);
}

// ---- session log

export async function insertSessionLog(
  trx: Tx,
  entry: {
    tenant_id: string | null;
    event: SessionEvent;
    subject_kind?: SubjectKind | null;
    subject_id?: string | null;
    session_id?: string | null;
    ip: string | null;
    user_agent: string | null;
  },
): Promise<void> {
  await trx.insertInto('session_logs').values(entry).execute();
}

export async function maintainSessionLogPartitions(trx: Tx, monthsAhead: number, retentionDays: number) {
  const { rows } = await sql<{ action: 'created' | 'dropped'; partition_name: string }>`
    select action, partition_name from app_maintain_session_log_partitions(${monthsAhead}, make_interval(days => ${retentionDays}))`.execute(trx);
  return rows;
}

// ---- OAuth clients

export function insertClient(
  trx: Tx,
  client: { tenant_id: string; client_id: string; secret_hash: Buffer; name: string; scopes: string[] },
): Promise<OAuthClient> {
  return trx.insertInto('oauth_clients').values(client).returningAll().executeTakeFirstOrThrow();
}

export function findClient(trx: Tx, clientId: string): Promise<OAuthClient | undefined> {
  return trx.selectFrom('oauth_clients').selectAll().where('client_id', '=', clientId).executeTakeFirst();
}

export function listClients(trx: Tx): Promise<OAuthClient[]> {
  return trx.selectFrom('oauth_clients').selectAll().orderBy('created_at').orderBy('id').execute();
}

export async function revokeClient(trx: Tx, clientId: string): Promise<boolean> {
  const result = await trx
    .updateTable('oauth_clients')
    .set({ revoked_at: new Date(), updated_at: new Date() })
    .where('client_id', '=', clientId)
    .where('revoked_at', 'is', null)
    .executeTakeFirst();
  return result.numUpdatedRows > 0n;
}

// ---- impersonation audit

export function insertImpersonationEvent(
  trx: Tx,
  row: {
    tenant_id: string;
    impersonation_id: string;
    event: ImpersonationEvent;
    actor_id: string;
    target_user_id: string;
    reason_code: string;
    ticket: string | null;
    method?: string | null;
    path?: string | null;
    request_id?: string | null;
  },
): Promise<ImpersonationAuditRow> {
  return trx.insertInto('impersonation_audit').values(row).returningAll().executeTakeFirstOrThrow();
}

export async function impersonationEnded(trx: Tx, impersonationId: string): Promise<boolean> {
  const row = await trx
    .selectFrom('impersonation_audit')
    .select('id')
    .where('impersonation_id', '=', impersonationId)
    .where('event', '=', 'ended')
    .executeTakeFirst();
  return row !== undefined;
}

/** Position after a row: its timestamp as PostgreSQL prints it (microseconds, which a JS Date would lose) and id. */
export interface AuditCursor {
  at: string;
  id: string;
}

export interface AuditFilter {
  tenantId?: string | undefined;
  actorId?: string | undefined;
  impersonationId?: string | undefined;
  event?: ImpersonationEvent | undefined;
}

export function listImpersonationAudit(
  trx: Tx,
  filter: AuditFilter & { after?: AuditCursor | undefined; limit: number },
): Promise<(ImpersonationAuditRow & { cursor_at: string })[]> {
  let query = trx
    .selectFrom('impersonation_audit')
    .selectAll()
    .select(sql<string>`to_char(occurred_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')`.as('cursor_at'));
  if (filter.tenantId) query = query.where('tenant_id', '=', filter.tenantId);
  if (filter.actorId) query = query.where('actor_id', '=', filter.actorId);
  if (filter.impersonationId) query = query.where('impersonation_id', '=', filter.impersonationId);
  if (filter.event) query = query.where('event', '=', filter.event);
  const after = filter.after;
  if (after) {
    query = query.where((eb) => eb(eb.refTuple('occurred_at', 'id'), '<', eb.tuple(sql<Date>`${after.at}::timestamptz`, after.id)));
  }
  return query.orderBy('occurred_at', 'desc').orderBy('id', 'desc').limit(filter.limit).execute();
}

export async function countStoreAccounts(trx: Tx): Promise<{ staff: number; customers: number; apiClients: number }> {
  const row = await trx
    .selectNoFrom((eb) => [
      eb.selectFrom('staff_users').select(eb.fn.countAll<string>().as('n')).as('staff'),
      eb.selectFrom('customer_accounts').select(eb.fn.countAll<string>().as('n')).as('customers'),
      eb.selectFrom('oauth_clients').select(eb.fn.countAll<string>().as('n')).where('revoked_at', 'is', null).as('api_clients'),
    ])
    .executeTakeFirstOrThrow();
  return { staff: Number(row.staff), customers: Number(row.customers), apiClients: Number(row.api_clients) };
}

// ---- access token revocation

export async function insertRevocations(trx: Tx, kind: 'session' | 'subject', targets: string[]): Promise<void> {
  if (targets.length === 0) return;
  await trx
    .insertInto('access_revocations')
    .values(targets.map((target) => ({ kind, target })))
    .execute();
}

export function revocationsSince(db: Db, since: Date): Promise<{ kind: 'session' | 'subject'; target: string; revoked_at: Date }[]> {
  return db.kysely.selectFrom('access_revocations').select(['kind', 'target', 'revoked_at']).where('revoked_at', '>', since).execute();
}

export async function deleteRevocationsBefore(trx: Tx, before: Date): Promise<number> {
  const result = await trx.deleteFrom('access_revocations').where('revoked_at', '<', before).executeTakeFirst();
  return Number(result.numDeletedRows);
}

// ---- accounts: status and passwords

export async function setPasswordHash(trx: Tx, kind: SubjectKind, id: string, passwordHash: string): Promise<void> {
  const table = kind === 'staff' ? 'staff_users' : kind === 'customer' ? 'customer_accounts' : 'platform_users';
  await trx.updateTable(table).set({ password_hash: passwordHash }).where('id', '=', id).execute();
}

export function updateStaffUser(trx: Tx, id: string, change: { status?: 'active' | 'disabled'; role?: StaffRole }): Promise<StaffUser | undefined> {
  return trx
    .updateTable('staff_users')
    .set({ ...change, updated_at: new Date() })
    .where('id', '=', id)
    .returningAll()
    .executeTakeFirst();
}

// ---- password reset tokens

export async function insertResetToken(
  trx: Tx,
  row: { tenant_id: string | null; subject_kind: SubjectKind; subject_id: string; token_hash: Buffer; expires_at: Date; purpose?: TokenPurpose },
): Promise<void> {
  await trx.insertInto('password_reset_tokens').values(row).execute();
}

/** Claims an unused, unexpired token of that purpose: marks it used in the same statement, so it works once. */
export function consumeResetToken(
  trx: Tx,
  tokenHash: Buffer,
  purpose: TokenPurpose = 'reset',
): Promise<{ subject_kind: SubjectKind; subject_id: string } | undefined> {
  return trx
    .updateTable('password_reset_tokens')
    .set({ used_at: new Date(), updated_at: new Date() })
    .where('token_hash', '=', tokenHash)
    .where('purpose', '=', purpose)
    .where('used_at', 'is', null)
    .where('expires_at', '>', new Date())
    .returning(['subject_kind', 'subject_id'])
    .executeTakeFirst();
}

/** The store's first owner while they have not chosen a password (the invitation's account). */
export function findUninvitedOwner(trx: Tx): Promise<StaffUser | undefined> {
  return trx
    .selectFrom('staff_users')
    .selectAll()
    .where('role', '=', 'owner')
    .where('password_hash', '=', NO_PASSWORD)
    .orderBy('created_at')
    .limit(1)
    .executeTakeFirst();
}

/** Ends an account's unused invitation links (a new one replaces them). */
export async function retireInvitations(trx: Tx, subjectId: string): Promise<void> {
  await trx
    .updateTable('password_reset_tokens')
    .set({ used_at: new Date(), updated_at: new Date() })
    .where('subject_id', '=', subjectId)
    .where('purpose', '=', 'invitation')
    .where('used_at', 'is', null)
    .execute();
}

// ---- platform second factor

export function findTotp(db: Db, userId: string) {
  return db.kysely.selectFrom('platform_user_totp').selectAll().where('platform_user_id', '=', userId).executeTakeFirst();
}

export async function upsertPendingTotp(db: Db, userId: string, secret: string): Promise<boolean> {
  const result = await db.kysely
    .insertInto('platform_user_totp')
    .values({ platform_user_id: userId, secret })
    .onConflict((oc) => oc.column('platform_user_id').doUpdateSet({ secret }).where('platform_user_totp.confirmed_at', 'is', null))
    .executeTakeFirst();
  return Number(result.numInsertedOrUpdatedRows ?? 0n) > 0;
}

/** Records `step` as used, only if it is newer than the last one used: a code is good once. */
export async function advanceTotpStep(db: Db, userId: string, step: number, confirm: boolean): Promise<boolean> {
  const result = await db.kysely
    .updateTable('platform_user_totp')
    .set(confirm ? { last_step: step, confirmed_at: new Date() } : { last_step: step })
    .where('platform_user_id', '=', userId)
    .where('last_step', '<', String(step))
    .where('confirmed_at', confirm ? 'is' : 'is not', null)
    .executeTakeFirst();
  return result.numUpdatedRows > 0n;
}

export async function replaceRecoveryCodes(db: Db, userId: string, hashes: Buffer[]): Promise<void> {
  await db.kysely.transaction().execute(async (trx) => {
    await trx.updateTable('platform_recovery_codes').set({ used_at: new Date() }).where('platform_user_id', '=', userId).where('used_at', 'is', null).execute();
    await trx
      .insertInto('platform_recovery_codes')
      .values(hashes.map((code_hash) => ({ platform_user_id: userId, code_hash })))
      .execute();
  });
}

export async function useRecoveryCode(db: Db, userId: string, codeHash: Buffer): Promise<boolean> {
  const result = await db.kysely
    .updateTable('platform_recovery_codes')
    .set({ used_at: new Date() })
    .where('platform_user_id', '=', userId)
    .where('code_hash', '=', codeHash)
    .where('used_at', 'is', null)
    .executeTakeFirst();
  return result.numUpdatedRows > 0n;
}
