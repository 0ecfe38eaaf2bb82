import { randomBytes, randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { platformSession, staffSession } from '../../../test/support/auth.ts';
import { type TestApp, makeTenant, ownerClient, startTestApp } from '../../../test/support/platform.ts';
import type { Tenant } from '../tenancy/service.ts';
import { createCustomer } from './accounts.ts';
import { createClient } from './clients.ts';
import { identityHousekeeping } from './housekeeping.ts';
import { identityOf } from './identity.ts';
import { identityHousekeepingJob } from './jobs.ts';
import { startImpersonation } from './impersonation.ts';
import { insertRefreshToken } from './repository.ts';

const TENANT_TABLES = ['staff_users', 'customer_accounts', 'oauth_clients', 'refresh_tokens', 'session_logs', 'impersonation_audit'] as const;

describe('identity data: tenant isolation, append-only audit, session-log partitions', () => {
  let t: TestApp;
  let a: Tenant;
  let b: Tenant;

  beforeAll(async () => {
    t = await startTestApp();
    a = await makeTenant(t.platform.db, 'Isolation A');
    b = await makeTenant(t.platform.db, 'Isolation B');
    const identity = identityOf(t.platform);
    const member = await staffSession(t.platform, a.id, 'manager');
    await createCustomer(identity, a.id, { email: 'c@example.test', password: 'customer-password', displayName: 'C' });
    await createClient(t.platform.db, a.id, { name: 'Client', scopes: ['catalog:read'] });
    const operator = await platformSession(t.platform);
    await startImpersonation(identity, operator.claims, { tenantId: a.id, userId: member.userId, reasonCode: 'customer_support', ticket: undefined });
  });
  afterAll(() => t.close());

  it("never shows tenant A's identity rows to tenant B, even when asked by id", async () => {
    for (const table of TENANT_TABLES) {
      const own = await t.platform.db.withTenant(a.id, (trx) => sql<{ n: number }>`select count(*)::int as n from ${sql.table(table)}`.execute(trx));
      expect(own.rows[0]!.n, table).toBeGreaterThan(0);
      const seen = await t.platform.db.withTenant(b.id, (trx) =>
        sql<{ n: number }>`select count(*)::int as n from ${sql.table(table)} where tenant_id = ${a.id}`.execute(trx),
      );
      expect(seen.rows[0]!.n, table).toBe(0);
    }
  });

  it("refuses to write a row carrying another tenant's id", async () => {
    await expect(
      t.platform.db.withTenant(b.id, (trx) =>
        trx.insertInto('staff_users').values({ tenant_id: a.id, email: 'x@example.test', display_name: 'X', password_hash: 'x', role: 'owner' }).execute(),
      ),
    ).rejects.toThrow(/row-level security/);
  });

  it("keeps platform super-users' refresh tokens out of every store", async () => {
    const operator = await platformSession(t.platform);
    const inStore = await t.platform.db.withTenant(a.id, (trx) => trx.selectFrom('refresh_tokens').select('id').where('subject_id', '=', operator.userId).execute());
    expect(inStore).toEqual([]);
    const inPlatform = await t.platform.db.withPlatform((trx) => trx.selectFrom('refresh_tokens').select('id').where('subject_id', '=', operator.userId).execute());
    expect(inPlatform).toHaveLength(1);
  });

  it('rejects UPDATE and DELETE on the impersonation audit and the session log, for the app and the owner', async () => {
    for (const table of ['impersonation_audit', 'session_logs'] as const) {
      await expect(t.platform.db.withTenant(a.id, (trx) => sql`update ${sql.table(table)} set tenant_id = tenant_id`.execute(trx))).rejects.toThrow(/append-only/);
      await expect(t.platform.db.withTenant(a.id, (trx) => sql`delete from ${sql.table(table)}`.execute(trx))).rejects.toThrow(/append-only/);
    }
    const owner = await ownerClient();
    try {
      await owner.query(`select set_config('app.tenant_id', $1, false)`, [a.id]);
      await expect(owner.query('update impersonation_audit set reason_code = $1', ['nothing to see'])).rejects.toThrow(/append-only/);
      await expect(owner.query('delete from impersonation_audit')).rejects.toThrow(/append-only/);
      await expect(owner.query('truncate impersonation_audit')).rejects.toThrow(/append-only/);
    } finally {
      await owner.end();
    }
  });

  it('deletes refresh tokens a week past expiry in every store, and no others', async () => {
    const token = (tenant: Tenant, expiresAt: Date) =>
      t.platform.db.withTenant(tenant.id, (trx) =>
        insertRefreshToken(trx, {
          tenant_id: tenant.id,
          family_id: randomUUID(),
          subject_kind: 'staff',
          subject_id: randomUUID(),
          token_hash: randomBytes(32),
          expires_at: expiresAt,
          session_expires_at: expiresAt,
        }),
      );
    const longExpired = new Date(Date.now() - 8 * 86_400_000);
    const recentlyExpired = new Date(Date.now() - 86_400_000);
    await token(a, longExpired);
    await token(b, longExpired);
    await token(b, recentlyExpired);
    await t.platform.db.withPlatform(identityHousekeeping);
    for (const tenant of [a, b]) {
      const left = await t.platform.db.withTenant(tenant.id, (trx) => trx.selectFrom('refresh_tokens').select('expires_at').where('expires_at', '<', new Date()).execute());
      expect(left.map((row) => row.expires_at.getTime())).toEqual(tenant === b ? [recentlyExpired.getTime()] : []);
    }
    const live = await t.platform.db.withPlatform((trx) => trx.selectFrom('refresh_tokens').select('id').where('tenant_id', '=', a.id).execute());
    expect(live).toEqual([]);
  });

  it('runs the housekeeping as the scheduled platform job identity.housekeeping', async () => {
    const owner = await ownerClient();
    try {
      await owner.query(`create table session_logs_y2019m01 partition of session_logs for values from ('2019-01-01 00:00Z') to ('2019-02-01 00:00Z')`);
      await t.platform.jobs.enqueue(identityHousekeepingJob, {});
      const exists = async () => (await owner.query(`select to_regclass('session_logs_y2019m01') as t`)).rows[0].t !== null;
      const deadline = Date.now() + 15_000;
      while ((await exists()) && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 100));
      expect(await exists()).toBe(false);
    } finally {
      await owner.end();
    }
  });

  it('keeps session-log partitions ahead of time, drops expired ones, and refuses direct partition access', async () => {
    const owner = await ownerClient();
    try {
      await owner.query(`create table session_logs_y2020m01 partition of session_logs for values from ('2020-01-01 00:00Z') to ('2020-02-01 00:00Z')`);
      // Another test file's start-up may run the same housekeeping first; either way the partition goes.
      await t.platform.db.withPlatform(identityHousekeeping);
      const { rows } = await owner.query(`select c.relname from pg_inherits i join pg_class c on c.oid = i.inhrelid where i.inhparent = 'session_logs'::regclass`);
      const now = new Date();
      for (let ahead = 0; ahead <= 3; ahead++) {
        const month = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() + ahead, 1));
        const name = `session_logs_y${month.getUTCFullYear()}m${String(month.getUTCMonth() + 1).padStart(2, '0')}`;
        expect(rows.map((row) => row.relname)).toContain(name);
      }
      expect(rows.map((row) => row.relname)).not.toContain('session_logs_y2020m01');
      const current = rows.map((row) => row.relname as string).sort()[0]!;
      await expect(t.platform.db.withTenant(a.id, (trx) => sql`select * from ${sql.table(current)}`.execute(trx))).rejects.toThrow(/permission denied/);
    } finally {
      await owner.end();
    }
  });
});
