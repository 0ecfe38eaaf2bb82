import { createHash, randomBytes } from 'node:crypto';
import { HttpProblem } from '../../platform/http/problem.ts';
import { type Identity, inHome } from './identity.ts';
import { hashPassword, verifyPassword } from './passwords.ts';
import { type SubjectKind, consumeResetToken, findAccount, insertResetToken, revokeSubjectFamilies, setPasswordHash } from './repository.ts';
import { revokeSessions, revokeSubject } from './revocations.ts';
import { type Origin, sessionLog } from './service.ts';
import type { AccessClaims } from './tokens.ts';

/** A reset link works once, for half an hour. */
export const RESET_TOKEN_TTL_MS = 30 * 60_000;

const sha256 = (value: string) => createHash('sha256').update(value).digest();

/**
 * Sends a reset link when the e-mail has an active account in this home (a store, or the platform), and
 * otherwise nothing; the caller answers the same either way, so the answer reveals no account. The token and
 * the mail are written in one unit of work: no mail without its token.
 */
export async function requestPasswordReset(
  identity: Identity,
  home: { tenantId: string | null; kind: SubjectKind; baseUrl: string },
  email: string,
  origin: Origin,
): Promise<void> {
  const address = email.trim().toLowerCase();
  await inHome(identity.db, home.tenantId, async (trx) => {
    const account = await findAccount(trx, home.kind, { email: address });
    if (!account?.active) return;
    const token = randomBytes(32).toString('base64url');
    await insertResetToken(trx, {
      tenant_id: home.tenantId,
      subject_kind: account.kind,
      subject_id: account.id,
      token_hash: sha256(token),
      expires_at: new Date(Date.now() + RESET_TOKEN_TTL_MS),
    });
    await identity.mail.enqueue(trx, {
      to: account.email,
      subject: 'Reset your password',
      text: [
        `Hello ${account.displayName},`,
        '',
        'Someone (hopefully you) asked to reset the password of this account. To choose a new one, send this token',
        `with your new password to ${home.baseUrl}/auth/password-reset/complete within 30 minutes:`,
        '',
        `  ${token}`,
        '',
        'It works once. If you did not ask for this, ignore this message: your password stays as it is.',
      ].join('\n'),
    });
    await sessionLog(trx, home.tenantId, 'password_reset_requested', origin, { kind: account.kind, id: account.id });
  });
}

/** Sets the new password from a reset token (once, before it expires) and ends every session of the account. */
export async function completePasswordReset(identity: Identity, tenantId: string | null, token: string, newPassword: string, origin: Origin): Promise<void> {
  const passwordHash = await hashPassword(newPassword, identity.bcryptCost);
  const done = await inHome(identity.db, tenantId, async (trx) => {
    const claimed = await consumeResetToken(trx, sha256(token));
    if (!claimed) return false;
    await setPasswordHash(trx, claimed.subject_kind, claimed.subject_id, passwordHash);
    await revokeSubjectFamilies(trx, claimed.subject_id, 'password');
    await revokeSubject(trx, claimed.subject_id);
    await sessionLog(trx, tenantId, 'password_reset', origin, { kind: claimed.subject_kind, id: claimed.subject_id });
    return true;
  });
  if (!done) throw new HttpProblem(400, 'Invalid reset token', 'The reset token is unknown, expired or already used; ask for a new one.');
  identity.revocations.invalidate();
}

/**
 * A signed-in user changes their own password, proving the current one. Every other session of the account ends;
 * the one making the change goes on. The account is told by mail.
 */
export async function changePassword(identity: Identity, claims: AccessClaims, current: string, next: string, origin: Origin): Promise<void> {
  if (claims.kind === 'client' || claims.impersonation) {
    throw new HttpProblem(403, 'Forbidden', 'Only the account holder may change a password, not an API client or an impersonation.');
  }
  const kind = claims.kind;
  const account = await inHome(identity.db, claims.tenantId, (trx) => findAccount(trx, kind, { id: claims.subject }));
  if (!account?.active || !(await verifyPassword(current, account.passwordHash))) {
    throw new HttpProblem(403, 'Wrong password', 'The current password is wrong.');
  }
  const passwordHash = await hashPassword(next, identity.bcryptCost);
  await inHome(identity.db, claims.tenantId, async (trx) => {
    await setPasswordHash(trx, kind, account.id, passwordHash);
    await revokeSessions(trx, await revokeSubjectFamilies(trx, account.id, 'password', claims.sessionId));
    await identity.mail.enqueue(trx, {
      to: account.email,
      subject: 'Your password was changed',
      text: `Hello ${account.displayName},\n\nThe password of this account was just changed and its other sessions were signed out.\nIf this was not you, reset your password now and tell the store.`,
    });
    await sessionLog(trx, claims.tenantId, 'password_changed', origin, { kind, id: account.id, ...(claims.sessionId ? { sessionId: claims.sessionId } : {}) });
  });
  identity.revocations.invalidate();
}
