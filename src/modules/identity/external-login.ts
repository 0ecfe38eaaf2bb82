import type { Platform } from '../../platform/platform.ts';
import { identityOf } from './identity.ts';
import { assertLaneHasRoom, hashPassword, verifyPassword } from './passwords.ts';
import { forgetAttempts } from './repository.ts';
import { type Origin, throttled } from './service.ts';
import { loginFailuresTotal } from './telemetry.ts';
import { forgive, reserveAttempt, throttleKeys } from './throttle.ts';

/**
 * Password sign-in for accounts another module keeps (the consignor portal): the same throttle (per account and
 * address, per address, per account), the same bcrypt lanes and the same decoy hash for unknown e-mails as staff
 * and customer logins. `realm` keeps its throttle keys apart from those of the store's staff and customers.
 * Resolves true when the password matches; 429 when throttled, 503 when the lane is full.
 */
export async function checkExternalPassword(
  platform: Platform,
  attempt: { tenantId: string; realm: string; email: string; password: string },
  origin: Origin,
  passwordHashOf: () => Promise<string | null | undefined>,
): Promise<boolean> {
  const identity = identityOf(platform);
  const knownSuspect = identity.suspectAddresses.has(origin.ip);
  if (knownSuspect) assertLaneHasRoom('suspect');
  const keys = throttleKeys({ tenantId: attempt.tenantId, kind: attempt.realm, email: attempt.email, ip: origin.ip });
  const reservation = await reserveAttempt(identity.db, keys);
  if (!reservation.granted) {
    loginFailuresTotal.inc({ reason: 'throttled' });
    throw throttled(reservation.retryAfterSeconds);
  }
  const stored = await passwordHashOf();
  let matches: boolean;
  try {
    const lane = knownSuspect || reservation.priorFailures > 0 ? 'suspect' : 'login';
    matches = (await verifyPassword(attempt.password, stored ?? (await identity.decoyHash), lane)) && Boolean(stored);
  } catch (error) {
    await forgetAttempts(identity.db, reservation.ids, null);
    throw error;
  }
  if (!matches) {
    identity.suspectAddresses.set(origin.ip, true);
    loginFailuresTotal.inc({ reason: 'bad_credentials' });
    return false;
  }
  await forgive(identity.db, keys, reservation);
  return true;
}

/** Hashes a new password in the lane for new passwords (length rules checked: 400 with the field). */
export const hashNewPassword = (platform: Platform, password: string) => hashPassword(password, identityOf(platform).bcryptCost);
