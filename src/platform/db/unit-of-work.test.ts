import { type Kysely, sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeTenant, testDatabaseUrl, testDb, type Tenant } from '../../../test/support/platform.ts';
import { type Db, TenantIdError, createDb } from './database.ts';
import type { Database } from './schema.ts';
import { dbQueryDuration } from './telemetry.ts';
import { transactionWithSetup } from './transaction-setup.ts';

/** Statements the application pool has sent so far (every query lands in the duration histogram). */
async function statementsSent(): Promise<number> {
  const { values } = await dbQueryDuration.get();
  return values.filter((value) => value.metricName?.endsWith('_count')).reduce((sum, value) => sum + value.value, 0);
}

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

  describe('the settings ride on BEGIN', () => {
    let single: Db;
    beforeAll(() => {
      // One connection: whatever a unit of work leaves behind, the next user of the pool would see.
      single = createDb({ ownerUrl: testDatabaseUrl(), poolMax: 1, statementTimeoutMs: 10_000 });
    });
    afterAll(() => single.close());

    const settingsNow = async (executor: Kysely<Database> = single.kysely) => {
      const { rows } = await sql<{ tenant: string | null; user: string | null; platform: boolean }>`
        select app_current_tenant()::text as tenant, app_current_actor() as user, app_platform_context() as platform`.execute(executor);
      return rows[0];
    };

    it('sends nothing and takes no connection for a unit of work that issues no statement', async () => {
      let taken = 0;
      const count = () => taken++;
      single.pool.on('acquire', count);
      try {
        const before = await statementsSent();
        expect(await single.withTenant(a.id, async () => 'done')).toBe('done');
        await single.withPlatform(async () => undefined);
        expect((await statementsSent()) - before).toBe(0);
        expect(taken).toBe(0);
      } finally {
        single.pool.off('acquire', count);
      }
    });

    it('opens the transaction, with its settings, in the round trip before its first statement', async () => {
      const before = await statementsSent();
      const seen = await single.withTenant(a.id, (trx) => trx.selectFrom('store_settings').select('tenant_id').execute());
      expect(seen).toEqual([{ tenant_id: a.id }]);
      expect((await statementsSent()) - before).toBe(3);
    });

    it('begins once when the first statements are issued at once', async () => {
      const before = await statementsSent();
      const [first, second] = await single.withTenant(a.id, (trx) => Promise.all([settingsNow(trx), settingsNow(trx)]));
      expect(first).toEqual({ tenant: a.id, user: null, platform: false });
      expect(second).toEqual(first);
      expect((await statementsSent()) - before).toBe(4);
    });

    it('reports each failure of statements issued at once to its own statement, then rolls back', async () => {
      const outcomes = await single
        .withTenant(a.id, async (trx) => {
          const settled = await Promise.allSettled([sql`select 1 as one`.execute(trx), sql`select 1 / 0`.execute(trx), sql`select 2`.execute(trx)]);
          throw settled;
        })
        .catch((settled: PromiseSettledResult<unknown>[]) => settled);
      expect(outcomes.map((outcome) => outcome.status)).toEqual(['fulfilled', 'rejected', 'rejected']);
      expect(String((outcomes[1] as PromiseRejectedResult).reason)).toMatch(/division by zero/);
      expect((outcomes[2] as PromiseRejectedResult).reason).toMatchObject({ code: '25P02' });
      expect(await settingsNow()).toEqual({ tenant: null, user: null, platform: false });
    });

    it('bounds a first statement by the statement and lock timeouts', async () => {
      const short = createDb({ ownerUrl: testDatabaseUrl(), poolMax: 2, statementTimeoutMs: 300 });
      try {
        await expect(short.withTenant(a.id, (trx) => sql`select pg_sleep(2)`.execute(trx))).rejects.toMatchObject({ code: '57014' });
        let release: (() => void) | undefined;
        const holding = short.withTenant(a.id, async (trx) => {
          await trx.selectFrom('store_settings').select('tenant_id').forUpdate().execute();
          await new Promise<void>((resolve) => {
            release = resolve;
          });
        });
        while (!release) await new Promise((resolve) => setTimeout(resolve, 5));
        const waiting = short.withTenant(a.id, (trx) => trx.updateTable('store_settings').set({ tagline: 'locked out' }).execute());
        await expect(waiting).rejects.toMatchObject({ code: '55P03' });
        release();
        await holding;
      } finally {
        await short.close();
      }
    });

    it('keeps every statement of the unit of work in one transaction', async () => {
      const ids = await single.withTenant(a.id, async (trx) => {
        const first = await sql<{ id: string }>`select txid_current()::text as id`.execute(trx);
        const second = await sql<{ id: string }>`select txid_current()::text as id`.execute(trx);
        return [first.rows[0]?.id, second.rows[0]?.id];
      });
      expect(ids[0]).toBe(ids[1]);
    });

    it('rolls back the statements of a unit of work that fails after them', async () => {
      await expect(
        single.withTenant(a.id, async (trx) => {
          await trx.updateTable('store_settings').set({ tagline: 'rolled back' }).execute();
          throw new Error('after the write');
        }),
      ).rejects.toThrow('after the write');
      const row = await single.withTenant(a.id, (trx) => trx.selectFrom('store_settings').select('tagline').executeTakeFirstOrThrow());
      expect(row.tagline).not.toBe('rolled back');
    });

    it('sets tenant, actor and platform flag for the transaction only', async () => {
      const { runWithContext } = await import('../observability/context.ts');
      const inside = await runWithContext({ correlationId: 'c-2', userId: 'user-7' }, () =>
        single.withTenant(a.id, (trx) => settingsNow(trx)),
      );
      expect(inside).toEqual({ tenant: a.id, user: 'user-7', platform: false });
      expect(await settingsNow()).toEqual({ tenant: null, user: null, platform: false });
      const platformInside = await single.withPlatform((trx) => settingsNow(trx));
      expect(platformInside).toEqual({ tenant: null, user: null, platform: true });
      expect(await settingsNow()).toEqual({ tenant: null, user: null, platform: false });
    });

    it('keeps an actor id with quotes and backslashes verbatim (a literal, never SQL)', async () => {
      const { runWithContext } = await import('../observability/context.ts');
      const userId = "o'brien\\'); select set_config('app.tenant_id', '00000000-0000-0000-0000-000000000000', true); --";
      const inside = await runWithContext({ correlationId: 'c-3', userId }, () => single.withTenant(a.id, (trx) => settingsNow(trx)));
      expect(inside).toEqual({ tenant: a.id, user: userId, platform: false });
    });

    it('leaves nothing on the pooled connection after a unit of work that failed', async () => {
      await expect(
        single.withTenant(a.id, async (trx) => {
          await sql`select 1 / 0`.execute(trx);
        }),
      ).rejects.toThrow(/division by zero/);
      expect(await settingsNow()).toEqual({ tenant: null, user: null, platform: false });
    });

    it('rolls back when the setup itself fails, so the connection returns clean to the pool', async () => {
      const reached: string[] = [];
      await expect(
        transactionWithSetup(single.kysely, 'select 1 / 0', async (trx) => {
          // A session setting would outlive the transaction: if this ran, it would still be there afterwards.
          await sql`select set_config('test.leak', 'ran', false)`.execute(trx);
          reached.push('after the first statement');
        }),
      ).rejects.toThrow(/division by zero/);
      expect(reached).toEqual([]);
      const leak = await sql<{ leak: string | null }>`select current_setting('test.leak', true) as leak`.execute(single.kysely);
      expect(leak.rows[0]?.leak ?? '').toBe('');
      // Inside an aborted transaction every statement would fail; outside, this one works and sees no setting.
      expect(await settingsNow()).toEqual({ tenant: null, user: null, platform: false });
      const { rows } = await sql<{ open: string | null }>`select txid_current_if_assigned()::text as open`.execute(single.kysely);
      expect(rows[0]?.open).toBeNull();
    });

    it('fails the commit of a unit of work that caught the failure of its BEGIN', async () => {
      await expect(
        transactionWithSetup(single.kysely, 'select 1 / 0', async (trx) => {
          await sql`select 1`.execute(trx).catch(() => undefined);
          return 'swallowed';
        }),
      ).rejects.toThrow(/division by zero/);
      expect(await settingsNow()).toEqual({ tenant: null, user: null, platform: false });
    });

    it('never runs a statement that still waited for a connection when its unit of work ended', async () => {
      const until = async (condition: () => boolean) => {
        while (!condition()) await new Promise((resolve) => setTimeout(resolve, 5));
      };
      let releaseHolder: (() => void) | undefined;
      const holding = single.withTenant(a.id, async (trx) => {
        await sql`select 1`.execute(trx);
        await new Promise<void>((resolve) => {
          releaseHolder = resolve;
        });
      });
      await until(() => releaseHolder !== undefined);
      let stray: Promise<unknown> | undefined;
      const ending = single.withTenant(a.id, async (trx) => {
        stray = trx.updateTable('store_settings').set({ tagline: 'stray' }).execute();
        stray.catch(() => {});
        await until(() => single.pool.waitingCount === 1);
        throw new Error('the job reached its timeout');
      });
      await until(() => stray !== undefined && single.pool.waitingCount === 1);
      releaseHolder!();
      await holding;
      await expect(ending).rejects.toThrow('the job reached its timeout');
      await expect(stray).rejects.toThrow(/transaction ended/);
      const row = await single.withTenant(a.id, (trx) => trx.selectFrom('store_settings').select('tagline').executeTakeFirstOrThrow());
      expect(row.tagline).not.toBe('stray');
    });

    it('opens a controlled transaction before its first savepoint (outside one, PostgreSQL refuses savepoints)', async () => {
      const trx = await single.kysely.startTransaction().execute();
      const saved = await trx.savepoint('before').execute();
      await sql`select set_config('test.flag', 'inside', true)`.execute(saved);
      const restored = await saved.rollbackToSavepoint('before').execute();
      const { rows } = await sql<{ flag: string | null }>`select current_setting('test.flag', true) as flag`.execute(restored);
      await restored.commit().execute();
      expect(rows[0]?.flag ?? '').toBe('');
    });

    it('gives a transaction opened inside a unit of work a plain BEGIN, not the outer settings', async () => {
      const nested = await db.withTenant(a.id, () =>
        db.kysely.transaction().execute(async (trx) => (await sql<{ t: string | null }>`select app_current_tenant()::text as t`.execute(trx)).rows[0]?.t),
      );
      expect(nested).toBeNull();
    });

    it('isolates concurrent units of work of different tenants on a shared pool', async () => {
      const seen = await Promise.all(
        Array.from({ length: 20 }, (_, index) => {
          const tenant = index % 2 === 0 ? a : b;
          return db.withTenant(tenant.id, async (trx) => {
            const rows = await trx.selectFrom('store_settings').select('tenant_id').execute();
            return { expected: tenant.id, rows: rows.map((row) => row.tenant_id) };
          });
        }),
      );
      for (const { expected, rows } of seen) expect(rows).toEqual([expected]);
    });
  });
});
