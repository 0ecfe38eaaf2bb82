import { type ColumnType, type Generated, type Selectable, sql } from 'kysely';
import type { Db, Tx } from '../../platform/db/database.ts';
import type { AuditColumns } from '../../platform/db/schema.ts';

export interface TenantsTable {
  id: Generated<string>;
  subdomain: string;
  name: string;
  status: ColumnType<'active' | 'suspended', 'active' | 'suspended' | undefined>;
  plan: ColumnType<TenantPlan, TenantPlan | undefined>;
  created_at: ColumnType<Date, never, never>;
}

export interface StoreSettingsTable extends AuditColumns {
  tenant_id: string;
  tagline: string | null;
  logo_url: string | null;
  primary_color: ColumnType<string, string | undefined>;
  accent_color: ColumnType<string, string | undefined>;
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

export function findTenantById(db: Db, id: string): Promise<Tenant | undefined> {
  return db.kysely.selectFrom('tenants').selectAll().where('id', '=', id).executeTakeFirst();
}

export function countTenants(db: Db): Promise<number> {
  return db.kysely
    .selectFrom('tenants')
    .select((eb) => eb.fn.countAll<string>().as('n'))
    .executeTakeFirstOrThrow()
    .then((row) => Number(row.n));
}

export function insertTenant(trx: Tx, tenant: { id: string; subdomain: string; name: string; plan?: TenantPlan }): Promise<Tenant> {
  return trx.insertInto('tenants').values(tenant).returningAll().executeTakeFirstOrThrow();
}

export function insertStoreSettings(trx: Tx, settings: { tenant_id: string; tagline?: string | null }): Promise<StoreSettings> {
  return trx.insertInto('store_settings').values(settings).returningAll().executeTakeFirstOrThrow();
}

export function findStoreSettings(trx: Tx): Promise<StoreSettings | undefined> {
  return trx.selectFrom('store_settings').selectAll().executeTakeFirst();
}

export interface CustomDomainsTable extends AuditColumns {
  id: Generated<string>;
  tenant_id: string;
  hostname: string;
  verification_token: string;
  verified_at: Date | null;
  last_checked_at: Date | null;
  last_error: string | null;
}

export interface PlatformCommandsTable {
  id: Generated<string>;
  tenant_id: string | null;
  command: string;
  actor: string;
  reason: string;
  ticket: string | null;
  at: ColumnType<Date, never, never>;
  created_at: ColumnType<Date, never, never>;
  updated_at: ColumnType<Date, never, never>;
  created_by: ColumnType<string | null, never, never>;
  updated_by: ColumnType<string | null, never, never>;
}

export interface FeatureFlagsTable {
  key: string;
  description: string;
  owner: string;
  default_value: unknown;
  plan_values: ColumnType<Record<string, unknown>, string | undefined, string | undefined>;
  expires_at: Date | null;
  created_at: ColumnType<Date, never, never>;
  updated_at: ColumnType<Date, never, Date | undefined>;
}

export interface FeatureFlagOverridesTable extends AuditColumns {
  tenant_id: string;
  flag_key: string;
  value: ColumnType<unknown, string, string>;
  reason: string;
  expires_at: Date | null;
}

declare module '../../platform/db/schema.ts' {
  interface Database {
    custom_domains: CustomDomainsTable;
    platform_commands: PlatformCommandsTable;
    feature_flags: FeatureFlagsTable;
    feature_flag_overrides: FeatureFlagOverridesTable;
  }
}

export type CustomDomain = Selectable<CustomDomainsTable>;
export type PlatformCommand = Selectable<PlatformCommandsTable>;
export type FeatureFlag = Selectable<FeatureFlagsTable>;
export type FeatureFlagOverride = Selectable<FeatureFlagOverridesTable>;

/** A tenant as the gateway resolved it, with its verified custom domains. */
export interface ResolvedTenant extends Tenant {
  custom_domains: string[];
}

/** One round trip: the tenant a subdomain or verified custom domain names (SQL function app_resolve_host). */
export async function findTenantByHost(db: Db, subdomain: string | null, hostname: string | null): Promise<ResolvedTenant | undefined> {
  const { rows } = await sql<ResolvedTenant>`select * from app_resolve_host(${subdomain}, ${hostname})`.execute(db.kysely);
  return rows[0];
}

export function updateStoreSettings(trx: Tx, changes: Partial<Pick<StoreSettings, 'tagline' | 'logo_url' | 'primary_color' | 'accent_color'>>): Promise<StoreSettings> {
  return trx.updateTable('store_settings').set(changes).returningAll().executeTakeFirstOrThrow();
}
