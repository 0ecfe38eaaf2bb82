import { randomUUID } from 'node:crypto';
import { Secret, TOTP } from 'otpauth';
import { createPlatformUser, createStaffUser } from '../../src/modules/identity/accounts.ts';
import { identityOf } from '../../src/modules/identity/identity.ts';
import { beginTotpEnrolment, confirmTotpEnrolment } from '../../src/modules/identity/mfa.ts';
import type { StaffRole } from '../../src/modules/identity/rbac.ts';
import { type TokenResponse, login } from '../../src/modules/identity/service.ts';
import { type AccessClaims, verifyAccessToken } from '../../src/modules/identity/tokens.ts';
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

export interface PlatformTestSession extends TestSession {
  claims: AccessClaims;
  /** The TOTP secret when enrolled, and the recovery codes left. */
  totpSecret?: string;
  recoveryCodes: string[];
}

/**
 * A platform super-user's session; its token is accepted only on the platform host (PLATFORM_DOMAIN). By default
 * the user has enrolled TOTP and signed in with a recovery code, so the token carries the second factor.
 */
export async function platformSession(platform: Platform, options: { secondFactor?: boolean } = {}): Promise<PlatformTestSession> {
  const identity = identityOf(platform);
  const email = `ops-${randomUUID().slice(0, 8)}@platform.test`;
  const password = `pw-${randomUUID()}`;
  const user = await createPlatformUser(identity, { email, password, displayName: 'Test Operator' });
  let totpSecret: string | undefined;
  let recoveryCodes: string[] = [];
  if (options.secondFactor ?? true) {
    totpSecret = (await beginTotpEnrolment(identity, user.id, email)).secret;
    recoveryCodes = await confirmTotpEnrolment(identity, user.id, totpCode(totpSecret));
  }
  const otp = recoveryCodes.shift();
  const tokens = await login(identity, { tenantId: null, kind: 'platform', email, password, otp }, TEST_ORIGIN);
  const claims = await verifyAccessToken(identity.keys, tokens.access_token);
  return { userId: user.id, email, password, tokens, headers: { authorization: `Bearer ${tokens.access_token}` }, claims, totpSecret, recoveryCodes };
}

/** The current RFC 6238 code of a secret, as an authenticator app shows it. */
export const totpCode = (secret: string, timestamp = Date.now()) =>
  new TOTP({ algorithm: 'SHA1', digits: 6, period: 30, secret: Secret.fromBase32(secret) }).generate({ timestamp });

export const storeHost = (tenant: { subdomain: string }) => `${tenant.subdomain}.localhost`;
export const PLATFORM_HOST = 'localhost';
