import type { Db } from '../../platform/db/database.ts';
import { HttpProblem } from '../../platform/http/problem.ts';
import type { Identity } from './identity.ts';
import { hashPassword } from './passwords.ts';
import { type StaffRole, mayAssign } from './rbac.ts';
import {
  type CustomerAccount,
  type PlatformUser,
  type StaffUser,
  countPlatformUsers,
  countStoreAccounts,
  findAccount,
  insertCustomer,
  insertPlatformUser,
  insertStaffUser,
  listStaffUsers,
  revokeSubjectFamilies,
  updateStaffUser,
} from './repository.ts';
import { revokeSubject } from './revocations.ts';

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

/**
 * Self-service registration that does not tell who is registered: a new e-mail gets an account and a welcome
 * mail, a known one gets a mail saying so (with the way to reset); the caller answers both alike. The password
 * is hashed either way, so the answer takes as long.
 */
export async function registerCustomer(identity: Identity, tenantId: string, input: NewAccount & { storeName: string }): Promise<void> {
  const email = normalise(input.email);
  const password_hash = await hashPassword(input.password, identity.bcryptCost);
  await identity.db.withTenant(tenantId, async (trx) => {
    const created = await trx
      .insertInto('customer_accounts')
      .values({ tenant_id: tenantId, email, display_name: input.displayName, password_hash })
      .onConflict((oc) => oc.columns(['tenant_id', 'email']).doNothing())
      .returning('id')
      .executeTakeFirst();
    await identity.mail.enqueue(
      trx,
      created
        ? { to: email, subject: `Welcome to ${input.storeName}`, text: `Hello ${input.displayName},\n\nYour account at ${input.storeName} is ready; sign in with this e-mail address.` }
        : {
            to: email,
            subject: `Your account at ${input.storeName}`,
            text: `Someone tried to register this e-mail address at ${input.storeName}, where it already has an account.\nIf that was you, sign in, or ask for a password reset if you forgot it. Otherwise ignore this message.`,
          },
    );
  });
}

/**
 * Changes a colleague's status or role. Nobody changes themselves or someone of a higher role; disabling ends
 * the member's sessions and refuses their access tokens at once.
 */
export async function updateStaffMember(
  identity: Identity,
  tenantId: string,
  actor: { id: string; role: StaffRole },
  memberId: string,
  change: { status?: 'active' | 'disabled'; role?: StaffRole },
): Promise<StaffUser> {
  if (actor.id === memberId) throw new HttpProblem(409, 'Not on yourself', 'Ask another owner or admin to change your own status or role.');
  const member = await identity.db.withTenant(tenantId, async (trx) => {
    const current = await findAccount(trx, 'staff', { id: memberId });
    if (!current) throw new HttpProblem(404, 'Not Found', 'This store has no staff member with that id.');
    if (!mayAssign(actor.role, current.role as StaffRole) || (change.role && !mayAssign(actor.role, change.role))) {
      throw new HttpProblem(403, 'Forbidden', 'Your role may not change a member of a higher role, nor give one.');
    }
    const updated = await updateStaffUser(trx, memberId, change);
    if (change.status === 'disabled' && current.active) {
      await revokeSubjectFamilies(trx, memberId, 'disabled');
      await revokeSubject(trx, memberId);
    }
    return updated!;
  });
  identity.revocations.invalidate();
  return member;
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
