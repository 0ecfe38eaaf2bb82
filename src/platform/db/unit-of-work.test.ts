import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeTenant, testDb, type Tenant } from '../../../test/support/platform.ts';
import { type Db, TenantIdError } from './database.ts';

describe('unit of work and row-level security', () => {
  let db: Db;
  let a: Tenant;
  let b: Tenant;

  beforeAll(async () => {
    db = testDb();
    a = await makeTenant(db, 'Store A');
    b = await makeTenant(db, 'Store B');
  });
  afterAll(() => db.close());

  it('runs as a role that is subject to row-level security', async () => {
    const { rows } = await sql<{ user: string; bypass: boolean; superuser: boolean }>`
      select current_user as user, rolbypassrls as bypass, rolsuper as superuser from pg_roles where rolname = current_user`.execute(db.kysely);
    expect(rows[0]).toEqual({ user: 'storefront_app', bypass: false, superuser: false });
  });

  it('sees only its own tenant rows', async () => {
    const seen = await db.withTenant(a.id, (trx) => trx.selectFrom('store_settings').select('tenant_id').execute());
    expect(seen).toEqual([{ tenant_id: a.id }]);
  });

  it("cannot read tenant B's rows even when it asks for B's id explicitly", async () => {
    const rows = await db.withTenant(a.id, (trx) => trx.selectFrom('store_settings').selectAll().where('tenant_id', '=', b.id).execute());
    expect(rows).toEqual([]);
  });

  it("cannot update or delete tenant B's rows", async () => {
    const updated = await db.withTenant(a.id, (trx) =>
      trx.updateTable('store_settings').set({ tagline: 'hijacked' }).where('tenant_id', '=', b.id).executeTakeFirst(),
    );
    expect(updated.numUpdatedRows).toBe(0n);
    const deleted = await db.withTenant(a.id, (trx) => trx.deleteFrom('store_settings').where('tenant_id', '=', b.id).executeTakeFirst());
    expect(deleted.numDeletedRows).toBe(0n);
    const own = await db.withTenant(b.id, (trx) => trx.selectFrom('store_settings').select('tagline').executeTakeFirstOrThrow());
    expect(own.tagline).toBeNull();
  });

  it("cannot insert rows carrying tenant B's id", async () => {
    const other = await makeTenant(db, 'Store C');
    await db.withTenant(other.id, (trx) => trx.deleteFrom('store_settings').execute());
    await expect(
      db.withTenant(a.id, (trx) => trx.insertInto('store_settings').values({ tenant_id: other.id }).execute()),
    ).rejects.toThrow(/row-level security/);
  });

  it('sees no tenant rows outside a unit of work', async () => {
    expect(await db.kysely.selectFrom('store_settings').selectAll().execute()).toEqual([]);
  });

  it('stamps the actor from the context on writes', async () => {
    const { runWithContext } = await import('../observability/context.ts');
    const row = await runWithContext({ correlationId: 'c-1', userId: 'user-42' }, () =>
      db.withTenant(a.id, (trx) =>
        trx.updateTable('store_settings').set({ tagline: 'stamped' }).returning(['updated_by']).executeTakeFirstOrThrow(),
      ),
    );
    expect(row.updated_by).toBe('user-42');
  });

  it('refuses a malformed tenant id before touching the database', async () => {
    await expect(db.withTenant("x' or 1=1 --", async () => 1)).rejects.toBeInstanceOf(TenantIdError);
  });

  it('does not leak the tenant setting past the transaction', async () => {
    await db.withTenant(a.id, async () => undefined);
    const { rows } = await sql<{ t: string | null }>`select app_current_tenant()::text as t`.execute(db.kysely);
    expect(rows[0]?.t).toBeNull();
  });
});
