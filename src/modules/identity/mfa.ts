import { createHash, randomBytes } from 'node:crypto';
import { Secret, TOTP } from 'otpauth';
import { HttpProblem } from '../../platform/http/problem.ts';
import type { Identity } from './identity.ts';
import { advanceTotpStep, findTotp, replaceRecoveryCodes, upsertPendingTotp, useRecoveryCode } from './repository.ts';

/**
 * Second factor of platform super-users: TOTP (RFC 6238: SHA-1, 6 digits, 30-second steps, one step of clock
 * drift either way) plus ten single-use recovery codes. A code is accepted once: its step must be newer than the
 * last one used.
 */
const ISSUER = 'Village Storefront';
const RECOVERY_CODES = 10;
const TOTP_CODE = /^\d{6}$/;

const totpOf = (secret: string, label = 'platform') => new TOTP({ issuer: ISSUER, label, algorithm: 'SHA1', digits: 6, period: 30, secret: Secret.fromBase32(secret) });
const sha256 = (value: string) => createHash('sha256').update(value).digest();
const normaliseRecovery = (code: string) => code.replaceAll('-', '').toLowerCase();

export interface Enrolment {
  secret: string;
  otpauth_uri: string;
}

/** Starts (or restarts, while unconfirmed) enrolment; the secret is shown this once. */
export async function beginTotpEnrolment(identity: Identity, userId: string, email: string): Promise<Enrolment> {
  const secret = new Secret({ size: 20 }).base32;
  if (!(await upsertPendingTotp(identity.db, userId, secret))) {
    throw new HttpProblem(409, 'Already enrolled', 'A second factor is already confirmed for this account.');
  }
  return { secret, otpauth_uri: totpOf(secret, email).toString() };
}

/** Confirms enrolment with a first code; answers the recovery codes, shown this once. */
export async function confirmTotpEnrolment(identity: Identity, userId: string, code: string): Promise<string[]> {
  const enrolment = await findTotp(identity.db, userId);
  if (!enrolment || enrolment.confirmed_at) throw new HttpProblem(409, 'Nothing to confirm', 'Start an enrolment first.');
  const step = matchingStep(enrolment.secret, code);
  if (step === null || !(await advanceTotpStep(identity.db, userId, step, true))) throw wrongCode();
  const codes = Array.from({ length: RECOVERY_CODES }, () => randomBytes(5).toString('hex').replace(/^(.{5})/, '$1-'));
  await replaceRecoveryCodes(identity.db, userId, codes.map((c) => sha256(normaliseRecovery(c))));
  return codes;
}

export async function hasSecondFactor(identity: Identity, userId: string): Promise<boolean> {
  return Boolean((await findTotp(identity.db, userId))?.confirmed_at);
}

/** Checks a TOTP code or a recovery code of a confirmed enrolment; each is good once. */
export async function verifySecondFactor(identity: Identity, userId: string, code: string): Promise<boolean> {
  const enrolment = await findTotp(identity.db, userId);
  if (!enrolment?.confirmed_at) return false;
  if (!TOTP_CODE.test(code)) return useRecoveryCode(identity.db, userId, sha256(normaliseRecovery(code)));
  const step = matchingStep(enrolment.secret, code);
  return step !== null && advanceTotpStep(identity.db, userId, step, false);
}

function matchingStep(secret: string, code: string): number | null {
  if (!TOTP_CODE.test(code)) return null;
  const totp = totpOf(secret);
  const delta = totp.validate({ token: code, window: 1 });
  return delta === null ? null : totp.counter() + delta;
}

export const wrongCode = () => new HttpProblem(401, 'Invalid code', 'The one-time code is wrong or was already used.', { extensions: { reason: 'mfa_invalid' } });
