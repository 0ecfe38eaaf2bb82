import { createHash, randomBytes } from 'node:crypto';
import type { Tx } from '../../platform/db/database.ts';
import { HttpProblem } from '../../platform/http/problem.ts';
import type { Mail } from '../../platform/mail/mail.ts';
import type { Identity } from './identity.ts';
import { hashPassword } from './passwords.ts';
import { consumeResetToken, findAccount, findUninvitedOwner, insertResetToken, insertStaffUser, NO_PASSWORD, retireInvitations, setPasswordHash } from './repository.ts';
import { type Origin, sessionLog } from './service.ts';

/** An owner's invitation works once, for 7 days; after that the owner asks for a password reset. */
export const INVITATION_TTL_MS = 7 * 24 * 3600_000;

/** Invitation links carry 32 random bytes, base64url. */
export const INVITATION_TOKEN = /^[A-Za-z0-9_-]{43}$/;

export const invitationPath = (token: string) => `/admin/welcome/${token}`;

const sha256 = (value: string) => createHash('sha256').update(value).digest();

export interface OwnerInvitation {
  tenantId: string;
  storeName: string;
  /** The store's address (scheme and host), where the invitation page is. */
  storeOrigin: string;
  email: string;
  displayName: string;
}

/**
 * Creates the store's owner without a password and mails the link that sets it, in the caller's unit of work (the
 * store's creation): the mail exists only if the store does, and leaves after commit through the outbox. Only the
 * token's hash is stored.
 */
export async function inviteStoreOwner(mail: Mail, trx: Tx, invitation: OwnerInvitation): Promise<{ userId: string; expiresAt: Date }> {
  const email = invitation.email.trim().toLowerCase();
  const owner = await insertStaffUser(trx, { tenant_id: invitation.tenantId, email, display_name: invitation.displayName, password_hash: NO_PASSWORD, role: 'owner' });
  const expiresAt = await sendInvitation(mail, trx, { ...invitation, email }, owner.id);
  return { userId: owner.id, expiresAt };
}

/**
 * A new link for an owner who has not chosen a password yet (the first expired or went astray), in the caller's
 * unit of work; earlier links stop working. 409 when the store has no such owner.
 */
export async function reinviteStoreOwner(mail: Mail, trx: Tx, store: Omit<OwnerInvitation, 'email' | 'displayName'>) {
  const owner = await findUninvitedOwner(trx);
  if (!owner) throw new HttpProblem(409, 'Owner already set up', 'Every owner of this store has chosen a password; a forgotten one is reset from the sign-in page.');
  await retireInvitations(trx, owner.id);
  const expiresAt = await sendInvitation(mail, trx, { ...store, email: owner.email, displayName: owner.display_name }, owner.id);
  return { userId: owner.id, email: owner.email, expiresAt };
}

async function sendInvitation(mail: Mail, trx: Tx, invitation: OwnerInvitation, ownerId: string): Promise<Date> {
  const token = randomBytes(32).toString('base64url');
  const expiresAt = new Date(Date.now() + INVITATION_TTL_MS);
  await insertResetToken(trx, {
    tenant_id: invitation.tenantId,
    subject_kind: 'staff',
    subject_id: ownerId,
    token_hash: sha256(token),
    expires_at: expiresAt,
    purpose: 'invitation',
  });
  await mail.enqueue(trx, {
    to: invitation.email,
    subject: `Your store ${invitation.storeName} is ready`,
    text: [
      `Hello ${invitation.displayName},`,
      '',
      `${invitation.storeName} now exists on Village Storefront, and you are its owner. Choose your password here`,
      '(the link works once, for 7 days):',
      '',
      `  ${invitation.storeOrigin}${invitationPath(token)}`,
      '',
      `Then sign in to your back office at ${invitation.storeOrigin}/admin with ${invitation.email}.`,
      'If the link has expired, ask Village Storefront support for a new one.',
    ].join('\n'),
  });
  return expiresAt;
}

/** Sets the invited owner's first password from the link (once, before it expires). Returns the account's e-mail. */
export async function acceptInvitation(identity: Identity, tenantId: string, token: string, password: string, origin: Origin): Promise<string> {
  const passwordHash = await hashPassword(password, identity.bcryptCost);
  const email = await identity.db.withTenant(tenantId, async (trx) => {
    const claimed = INVITATION_TOKEN.test(token) ? await consumeResetToken(trx, sha256(token), 'invitation') : undefined;
    if (!claimed) return null;
    await setPasswordHash(trx, claimed.subject_kind, claimed.subject_id, passwordHash);
    await sessionLog(trx, tenantId, 'invitation_accepted', origin, { kind: claimed.subject_kind, id: claimed.subject_id });
    return (await findAccount(trx, claimed.subject_kind, { id: claimed.subject_id }))!.email;
  });
  if (!email) throw new HttpProblem(410, 'Link no longer valid', 'This invitation was used already or has expired; ask Village Storefront support for a new one.');
  return email;
}
