import type { Db } from '../../platform/db/database.ts';
import { HttpProblem } from '../../platform/http/problem.ts';
import type { Identity } from './identity.ts';
import { hashPassword } from './passwords.ts';
import type { StaffRole } from './rbac.ts';
import {
  type CustomerAccount,
  type PlatformUser,
  type StaffUser,
  countPlatformUsers,
  countStoreAccounts,
  insertCustomer,
  insertPlatformUser,
  insertStaffUser,
  listStaffUsers,
} from './repository.ts';

export interface NewAccount {
  email: string;
  displayName: string;
  password: string;
}

const normalise = (email: string) => email.trim().toLowerCase();

/** A unique-violation on the e-mail becomes a 409 problem; anything else stays an error. */
async function uniqueEmail<T>(email: string, write: Promise<T>): Promise<T> {
  try {
    return await write;
  } catch (error) {
    if ((error as { code?: string }).code === '23505') {
      throw new HttpProblem(409, 'E-mail already registered', `An account with ${email} already exists here.`);
    }
    throw error;
  }
}

export async function createStaffUser(identity: Identity, tenantId: string, input: NewAccount & { role: StaffRole }): Promise<StaffUser> {
  const email = normalise(input.email);
  const password_hash = await hashPassword(input.password, identity.bcryptCost);
  return uniqueEmail(
    email,
    identity.db.withTenant(tenantId, (trx) =>
      insertStaffUser(trx, { tenant_id: tenantId, email, display_name: input.displayName, password_hash, role: input.role }),
    ),
  );
}

export function staffUsers(db: Db, tenantId: string): Promise<StaffUser[]> {
  return db.withTenant(tenantId, listStaffUsers);
}

/** How many staff members, customers and active API clients a store has (platform console). */
export function storeAccountCounts(db: Db, tenantId: string): Promise<{ staff: number; customers: number; apiClients: number }> {
  return db.withTenant(tenantId, countStoreAccounts);
}

export async function createCustomer(identity: Identity, tenantId: string, input: NewAccount): Promise<CustomerAccount> {
  const email = normalise(input.email);
  const password_hash = await hashPassword(input.password, identity.bcryptCost);
  return uniqueEmail(
    email,
    identity.db.withTenant(tenantId, (trx) => insertCustomer(trx, { tenant_id: tenantId, email, display_name: input.displayName, password_hash })),
  );
}

export async function createPlatformUser(identity: Identity, input: NewAccount): Promise<PlatformUser> {
  const email = normalise(input.email);
  const password_hash = await hashPassword(input.password, identity.bcryptCost);
  return uniqueEmail(email, insertPlatformUser(identity.db, { email, display_name: input.displayName, password_hash }));
}

/** Dev-only first-run accounts (SEED_DEMO): the demo store's owner and one platform super-user. */
const DEMO_OWNER = { email: 'owner@demo.localhost', password: 'demo-owner-password' };
const DEMO_PLATFORM_ADMIN = { email: 'admin@platform.localhost', password: 'platform-admin-password' };

export async function seedDemoAccounts(identity: Identity, demoTenantId: string | undefined): Promise<void> {
  if ((await countPlatformUsers(identity.db)) > 0) return;
  await createPlatformUser(identity, { ...DEMO_PLATFORM_ADMIN, displayName: 'Platform Admin' });
  if (demoTenantId) await createStaffUser(identity, demoTenantId, { ...DEMO_OWNER, displayName: 'Demo Owner', role: 'owner' });
}
