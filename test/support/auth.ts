import { randomUUID } from 'node:crypto';
import { createPlatformUser, createStaffUser } from '../../src/modules/identity/accounts.ts';
import { identityOf } from '../../src/modules/identity/identity.ts';
import type { StaffRole } from '../../src/modules/identity/rbac.ts';
import { type TokenResponse, login } from '../../src/modules/identity/service.ts';
import type { Platform } from '../../src/platform/platform.ts';

/**
 * Real accounts and real tokens for tests of any module: the account is created in the database and logged in
 * through the identity service, so the token is signed by the running platform's key like any other.
 */
export interface TestSession {
  userId: string;
  email: string;
  password: string;
  tokens: TokenResponse;
  /** `{ authorization: 'Bearer …' }`, to spread into `inject({ headers })`. */
  headers: { authorization: string };
}

const TEST_ORIGIN = { ip: '192.0.2.1', userAgent: 'vitest' };

export async function staffSession(platform: Platform, tenantId: string, role: StaffRole = 'staff'): Promise<TestSession> {
  const identity = identityOf(platform);
  const email = `${role}-${randomUUID().slice(0, 8)}@example.test`;
  const password = `pw-${randomUUID()}`;
  const user = await createStaffUser(identity, tenantId, { email, password, displayName: `Test ${role}`, role });
  const tokens = await login(identity, { tenantId, kind: 'staff', email, password }, TEST_ORIGIN);
  return { userId: user.id, email, password, tokens, headers: { authorization: `Bearer ${tokens.access_token}` } };
}

/** A platform super-user's session; its token is accepted only on the platform host (PLATFORM_DOMAIN). */
export async function platformSession(platform: Platform): Promise<TestSession> {
  const identity = identityOf(platform);
  const email = `ops-${randomUUID().slice(0, 8)}@platform.test`;
  const password = `pw-${randomUUID()}`;
  const user = await createPlatformUser(identity, { email, password, displayName: 'Test Operator' });
  const tokens = await login(identity, { tenantId: null, kind: 'platform', email, password }, TEST_ORIGIN);
  return { userId: user.id, email, password, tokens, headers: { authorization: `Bearer ${tokens.access_token}` } };
}

export const storeHost = (tenant: { subdomain: string }) => `${tenant.subdomain}.localhost`;
export const PLATFORM_HOST = 'localhost';
