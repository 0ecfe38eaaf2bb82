/**
 * The one place that maps roles to permission scopes. Routes declare scopes with `requireScopes`;
 * tokens carry the scopes of their subject's role, computed here at issuance.
 */

export const STAFF_ROLES = ['owner', 'admin', 'manager', 'staff'] as const;
export type StaffRole = (typeof STAFF_ROLES)[number];

const STAFF_SCOPES = ['catalog:read', 'inventory:read', 'orders:read', 'customers:read'] as const;
const MANAGER_SCOPES = [...STAFF_SCOPES, 'catalog:write', 'inventory:write', 'orders:write', 'customers:write', 'reports:read', 'staff:read'] as const;
const ADMIN_SCOPES = [...MANAGER_SCOPES, 'staff:write', 'api-clients:write', 'settings:write'] as const;
const OWNER_SCOPES = [...ADMIN_SCOPES, 'billing:write'] as const;

const ROLE_SCOPES: Record<StaffRole | 'customer' | 'platform_super_user', readonly string[]> = {
  owner: OWNER_SCOPES,
  admin: ADMIN_SCOPES,
  manager: MANAGER_SCOPES,
  staff: STAFF_SCOPES,
  customer: ['account:read', 'account:write', 'cart:write'],
  platform_super_user: ['platform:stores:read', 'platform:stores:write', 'platform:impersonate', 'platform:audit:read', 'platform:flags:write', 'platform:observability:read', 'jobs:admin'],
};

/**
 * Scopes an impersonation never carries: a super-user acting as a store's user must not mint credentials (staff
 * logins, API clients and their secrets) that outlive the audited 15 minutes, nor change billing.
 */
const CREDENTIAL_SCOPES = new Set(['staff:write', 'api-clients:write', 'billing:write']);

export function impersonationScopesOf(role: StaffRole): string[] {
  return scopesOf(role).filter((scope) => !CREDENTIAL_SCOPES.has(scope));
}

/** Scopes a store may grant to a headless API client (catalog, cart and order access). */
export const CLIENT_GRANTABLE_SCOPES = ['catalog:read', 'catalog:write', 'cart:write', 'orders:read', 'orders:write'] as const;

export function scopesOf(role: keyof typeof ROLE_SCOPES): string[] {
  return [...ROLE_SCOPES[role]];
}

const RANK: Record<StaffRole, number> = { owner: 4, admin: 3, manager: 2, staff: 1 };

/** A staff member may give a colleague their own role or a lower one, never a higher one. */
export function mayAssign(actor: StaffRole, assigned: StaffRole): boolean {
  return RANK[assigned] <= RANK[actor];
}

export function isStaffRole(value: string): value is StaffRole {
  return (STAFF_ROLES as readonly string[]).includes(value);
}
