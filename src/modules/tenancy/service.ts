import type { Db } from '../../platform/db/database.ts';
import {
  type StoreSettings,
  type Tenant,
  type TenantPlan,
  countTenants,
  findStoreSettings,
  findTenantBySubdomain,
  insertStoreSettings,
  insertTenant,
} from './repository.ts';

export type { StoreSettings, Tenant, TenantPlan };

export const DEMO_SUBDOMAIN = 'demo';

/** The subdomain a host names under the platform domain, or undefined for the platform's own host. */
export function subdomainOf(host: string, platformDomain: string): string | undefined {
  const name = host.replace(/:\d+$/, '').toLowerCase();
  if (!name.endsWith(`.${platformDomain}`)) return undefined;
  const sub = name.slice(0, -(platformDomain.length + 1));
  return sub.includes('.') ? undefined : sub;
}

export function resolveTenant(db: Db, subdomain: string): Promise<Tenant | undefined> {
  return findTenantBySubdomain(db, subdomain);
}

export async function createTenant(db: Db, input: { subdomain: string; name: string; plan?: TenantPlan; tagline?: string }): Promise<Tenant> {
  const tenant = await insertTenant(db, { subdomain: input.subdomain, name: input.name, ...(input.plan ? { plan: input.plan } : {}) });
  await db.withTenant(tenant.id, (trx) => insertStoreSettings(trx, { tenant_id: tenant.id, tagline: input.tagline ?? null }));
  return tenant;
}

export function storeSettings(db: Db, tenantId: string): Promise<StoreSettings | undefined> {
  return db.withTenant(tenantId, findStoreSettings);
}

/** On an empty database, the demo store a newcomer sees at http://demo.localhost:<port>/. */
export async function seedDemoTenant(db: Db): Promise<Tenant | undefined> {
  if ((await countTenants(db)) > 0) return undefined;
  return createTenant(db, { subdomain: DEMO_SUBDOMAIN, name: 'Village Demo Boutique', tagline: 'Curated consignment, since this morning.' });
}
