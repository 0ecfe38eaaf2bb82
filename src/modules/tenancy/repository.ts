import type { ColumnType, Generated, Selectable } from 'kysely';
import type { Db, Tx } from '../../platform/db/database.ts';

export interface TenantsTable {
  id: Generated<string>;
  subdomain: string;
  name: string;
  status: ColumnType<'active' | 'suspended', 'active' | 'suspended' | undefined>;
  plan: ColumnType<TenantPlan, TenantPlan | undefined>;
  created_at: ColumnType<Date, never, never>;
}

export interface StoreSettingsTable {
  tenant_id: string;
  tagline: string | null;
  logo_url: string | null;
  primary_color: ColumnType<string, string | undefined>;
  accent_color: ColumnType<string, string | undefined>;
  created_at: ColumnType<Date, never, never>;
  updated_at: ColumnType<Date, never, Date | undefined>;
  created_by: ColumnType<string | null, never, never>;
  updated_by: ColumnType<string | null, never, never>;
}

declare module '../../platform/db/schema.ts' {
  interface Database {
    tenants: TenantsTable;
    store_settings: StoreSettingsTable;
  }
}

export type TenantPlan = 'free' | 'starter' | 'growth' | 'enterprise';
export type Tenant = Selectable<TenantsTable>;
export type StoreSettings = Selectable<StoreSettingsTable>;

export function findTenantBySubdomain(db: Db, subdomain: string): Promise<Tenant | undefined> {
  return db.kysely.selectFrom('tenants').selectAll().where('subdomain', '=', subdomain).executeTakeFirst();
}

export function countTenants(db: Db): Promise<number> {
  return db.kysely
    .selectFrom('tenants')
    .select((eb) => eb.fn.countAll<string>().as('n'))
    .executeTakeFirstOrThrow()
    .then((row) => Number(row.n));
}

export function insertTenant(db: Db, tenant: { subdomain: string; name: string; plan?: TenantPlan }): Promise<Tenant> {
  return db.kysely.insertInto('tenants').values(tenant).returningAll().executeTakeFirstOrThrow();
}

export function insertStoreSettings(trx: Tx, settings: { tenant_id: string; tagline?: string | null }): Promise<StoreSettings> {
  return trx.insertInto('store_settings').values(settings).returningAll().executeTakeFirstOrThrow();
}

export function findStoreSettings(trx: Tx): Promise<StoreSettings | undefined> {
  return trx.selectFrom('store_settings').selectAll().executeTakeFirst();
}
