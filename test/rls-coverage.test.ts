import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ownerClient } from './support/platform.ts';

/** every table with a tenant_id column has RLS enabled, forced, and a policy. */
describe('row-level security coverage', () => {
  let client: Awaited<ReturnType<typeof ownerClient>>;
  beforeAll(async () => {
    client = await ownerClient();
  });
  afterAll(() => client.end());

  it('covers every tenant-scoped table', async () => {
    const { rows } = await client.query<{ table_name: string; enabled: boolean; forced: boolean; policies: number }>(`
      select c.table_name,
             cls.relrowsecurity as enabled,
             cls.relforcerowsecurity as forced,
             (select count(*)::int from pg_policies p where p.schemaname = c.table_schema and p.tablename = c.table_name) as policies
        from information_schema.columns c
        join pg_class cls on cls.oid = format('%I.%I', c.table_schema, c.table_name)::regclass
       where c.column_name = 'tenant_id'
         and c.table_schema = 'public'
         and cls.relkind in ('r', 'p')
       order by c.table_name`);
    expect(rows.length).toBeGreaterThan(0);
    const unprotected = rows.filter((row) => !row.enabled || !row.forced || row.policies === 0).map((row) => row.table_name);
    expect(unprotected, `tables without forced RLS and a policy: ${unprotected.join(', ')}`).toEqual([]);
  });

  it('gives the application role no way around it', async () => {
    const { rows } = await client.query(`select rolbypassrls, rolsuper, rolcanlogin from pg_roles where rolname = 'storefront_app'`);
    expect(rows).toEqual([{ rolbypassrls: false, rolsuper: false, rolcanlogin: false }]);
  });
});
