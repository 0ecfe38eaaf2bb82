import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDb } from '../../src/platform/db/database.ts';
import { assertSafeRuntimeRole } from '../../src/platform/db/runtime-role.ts';
import { makeTenant, ownerClient, testDatabaseUrl, testDb } from '../support/platform.ts';

/** Runs `fn` as `role` in a transaction that is always rolled back; returns the error it raised, if any. */
async function asRole(client: pg.Client, role: string, fn: () => Promise<unknown>): Promise<Error | undefined> {
  await client.query('begin');
  try {
    await client.query(`set local role ${role}`);
    await fn();
    return undefined;
  } catch (error) {
    return error as Error;
  } finally {
    await client.query('rollback');
  }
}

describe('database privileges', () => {
  let client: pg.Client;
  const stranger = `vs_stranger_${randomUUID().slice(0, 8)}`;

  beforeAll(async () => {
    client = await ownerClient();
    // A role with no grants at all, as a monitoring or BI login on the same cluster would be.
    await client.query(`create role ${stranger} nologin`);
  });
  afterAll(async () => {
    await client.query(`drop role ${stranger}`);
    await client.end();
  });

  it('gives every SECURITY DEFINER function a search_path ending in pg_temp and no EXECUTE for PUBLIC', async () => {
    const { rows } = await client.query<{ name: string; config: string[] | null; acl: string[] | null }>(`
      select p.oid::regprocedure::text as name, p.proconfig as config, p.proacl::text[] as acl
        from pg_proc p join pg_namespace n on n.oid = p.pronamespace
       where p.prosecdef and n.nspname not in ('pg_catalog', 'information_schema')`);
    expect(rows.length).toBeGreaterThan(0);
    const badPath = rows.filter((row) => !(row.config ?? []).some((setting) => /^search_path=.*\bpg_temp$/.test(setting))).map((row) => row.name);
    // A NULL acl means the built-in default, which includes EXECUTE for PUBLIC; an entry "=X/owner" is PUBLIC's.
    const publicExecute = rows.filter((row) => row.acl === null || row.acl.some((entry) => /^=[^/]*X/.test(entry))).map((row) => row.name);
    expect(badPath, 'SECURITY DEFINER functions without pg_temp last in search_path').toEqual([]);
    expect(publicExecute, 'SECURITY DEFINER functions PUBLIC may execute').toEqual([]);
  });

  it('creates new functions without EXECUTE for PUBLIC (default privileges)', async () => {
    // As the migrating (owner) role, like the next migration would.
    await client.query('begin');
    try {
      await client.query('create function public.vs_probe_default() returns int language sql as $$ select 1 $$');
      const { rows } = await client.query(`select proacl::text[] as acl from pg_proc where proname = 'vs_probe_default'`);
      expect(rows[0].acl).not.toBeNull();
      expect(rows[0].acl.some((entry: string) => /^=[^/]*X/.test(entry))).toBe(false);
      expect(rows[0].acl.some((entry: string) => entry.startsWith('storefront_app=X'))).toBe(true);
    } finally {
      await client.query('rollback');
    }
  });

  it('refuses a role without grants the job functions and temporary objects (the pg_temp hijack)', async () => {
    const enqueue = await asRole(client, stranger, () =>
      client.query(`select app_enqueue_jobs('[{"identifier":"jobs.cleanup","payload":{},"run_at":null,"max_attempts":1,"job_key":null,"priority":10,"flags":[]}]')`),
    );
    expect(enqueue?.message).toMatch(/permission denied for function app_enqueue_jobs/);
    const pause = await asRole(client, stranger, () => client.query('select app_set_job_paused(1, true)'));
    expect(pause?.message).toMatch(/permission denied/);
    const depth = await asRole(client, stranger, () => client.query('select * from app_job_queue_depth()'));
    expect(depth?.message).toMatch(/permission denied/);
    const temp = await asRole(client, stranger, () => client.query('create temporary table probe (x int)'));
    expect(temp?.message).toMatch(/permission denied to create temporary tables/);
  });

  it('does not resolve type names through pg_temp inside the job functions, even for a role allowed temporary objects', async () => {
    const database = (await client.query('select current_database() as name')).rows[0].name;
    await client.query('begin');
    try {
      await client.query(`grant temporary on database "${database}" to ${stranger}`);
      await client.query(`grant execute on function app_enqueue_jobs(jsonb) to ${stranger}`);
      await client.query(`set local role ${stranger}`);
      await client.query(`create function pg_temp.hijack(v text) returns boolean language plpgsql as $$ begin raise exception 'hijacked as %', current_user; end $$`);
      await client.query('create domain pg_temp.text as pg_catalog.text check (pg_temp.hijack(value))');
      const { rows } = await client.query(
        `select app_enqueue_jobs('[{"identifier":"probe.job","payload":{},"run_at":null,"max_attempts":1,"job_key":null,"priority":10,"flags":[]}]') as id`,
      );
      expect(rows).toHaveLength(1);
    } finally {
      await client.query('rollback');
    }
  });

  it('lets the application role neither empty the session log nor create partitions without end', async () => {
    const drop = await asRole(client, 'storefront_app', () => client.query(`select * from app_maintain_session_log_partitions(0, '-100 years')`));
    expect(drop?.message).toMatch(/retention must be at least 90 days/);
    const flood = await asRole(client, 'storefront_app', () => client.query(`select * from app_maintain_session_log_partitions(1000000, '90 days')`));
    expect(flood?.message).toMatch(/months_ahead must be between 0 and 12/);
    const detach = await asRole(client, 'storefront_app', async () => {
      const { rows } = await client.query(`select c.relname from pg_inherits i join pg_class c on c.oid = i.inhrelid where i.inhparent = 'session_logs'::regclass limit 1`);
      await client.query(`alter table session_logs detach partition ${rows[0].relname}`);
    });
    expect(detach?.message).toMatch(/must be owner/);
    const normal = await asRole(client, 'storefront_app', () => client.query(`select * from app_maintain_session_log_partitions(3, '90 days')`));
    expect(normal).toBeUndefined();
  });

  it('lets the application role neither drop stored webhook events nor create their partitions without end', async () => {
    const drop = await asRole(client, 'storefront_app', () => client.query(`select * from app_maintain_webhook_event_partitions(0, 0, '-100 years')`));
    expect(drop?.message).toMatch(/retention must be at least 90 days/);
    const flood = await asRole(client, 'storefront_app', () => client.query(`select * from app_maintain_webhook_event_partitions(0, 1000000, '400 days')`));
    expect(flood?.message).toMatch(/months_ahead must be between 0 and 12/);
    const normal = await asRole(client, 'storefront_app', () => client.query(`select * from app_maintain_webhook_event_partitions(1, 3, '400 days')`));
    expect(normal).toBeUndefined();
  });

  it('answers the flag-override helper only for the store of the unit of work', async () => {
    const db = testDb();
    try {
      const [store, other] = [await makeTenant(db), await makeTenant(db)];
      await client.query(
        `insert into feature_flag_overrides (tenant_id, flag_key, value, reason) select $1, key, '1', 'test' from feature_flags limit 1`,
        [other.id],
      );
      const read = (tenantId: string) =>
        db.withTenant(tenantId, async (trx) => (await sql`select * from app_tenant_flag_overrides(${other.id}::uuid)`.execute(trx)).rows);
      expect(await read(store.id)).toEqual([]);
      expect(await read(other.id)).toHaveLength(1);
    } finally {
      await db.close();
    }
  });

  it('refuses to start as a superuser, with a message naming the problem', async () => {
    const owner = createDb({ ownerUrl: undefined, appUrl: testDatabaseUrl(), poolMax: 1, statementTimeoutMs: 5_000 });
    try {
      await expect(assertSafeRuntimeRole(owner, { loginRoleToo: true })).rejects.toThrow(/unsafe, refusing to start: .*is a superuser/);
    } finally {
      await owner.close();
    }
    const app = testDb();
    try {
      await expect(assertSafeRuntimeRole(app, { loginRoleToo: false })).resolves.toBeUndefined();
    } finally {
      await app.close();
    }
  });
});
