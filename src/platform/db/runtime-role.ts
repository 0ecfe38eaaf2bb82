import { sql } from 'kysely';
import { APP_ROLE, type Db } from './database.ts';

export class UnsafeRuntimeRoleError extends Error {
  constructor(problems: string[]) {
    super(`The application's database role is unsafe, refusing to start: ${problems.join('; ')}.`);
    this.name = 'UnsafeRuntimeRoleError';
  }
}

interface RoleFacts {
  name: string;
  rolsuper: boolean;
  rolbypassrls: boolean;
  member: boolean;
  owned: number;
}

/**
 * Row-level security holds only when the role the requests run as is neither a superuser nor BYPASSRLS and owns
 * no table or function (owners skip RLS unless it is forced, and can alter or disable it). Checks the effective
 * role and, with a login role of its own (APP_DATABASE_URL), the login role too; throws naming every problem.
 */
export async function assertSafeRuntimeRole(db: Db, options: { loginRoleToo: boolean }): Promise<void> {
  const { rows } = await sql<RoleFacts>`
    select r.rolname as name, r.rolsuper, r.rolbypassrls, pg_has_role(r.oid, ${APP_ROLE}, 'MEMBER') as member,
           ((select count(*) from pg_class c where c.relowner = r.oid)
          + (select count(*) from pg_proc p where p.proowner = r.oid)
          + (select count(*) from pg_namespace n where n.nspowner = r.oid))::int as owned
      from pg_roles r
     where r.rolname in (current_user, ${options.loginRoleToo ? sql`session_user` : sql`current_user`})`.execute(db.kysely);
  const problems = rows.flatMap((role) => [
    ...(role.rolsuper ? [`${role.name} is a superuser`] : []),
    ...(role.rolbypassrls ? [`${role.name} has BYPASSRLS`] : []),
    ...(role.owned > 0 ? [`${role.name} owns ${role.owned} database objects`] : []),
    ...(role.member ? [] : [`${role.name} is not a member of ${APP_ROLE}`]),
  ]);
  if (problems.length > 0) throw new UnsafeRuntimeRoleError(problems);
}
