import { createHash, randomBytes } from 'node:crypto';
import type { Tx } from '../../platform/db/database.ts';
import { HttpProblem } from '../../platform/http/problem.ts';
import { logger } from '../../platform/observability/logger.ts';
import type { Platform } from '../../platform/platform.ts';
import { checkExternalPassword, hashNewPassword } from '../identity/index.ts';
import { findAccountByEmail, insertLink, insertSession, lockLink, revokeSession, setPassword, touchSession, upsertAccount } from './repository.ts';

/**
 * Consignor sign-in. Staff invite a consignor (from the admin); the e-mail carries a one-time link (7 days) on the
 * store's host that sets a password, and from then on the consignor signs in with e-mail and password, throttled
 * like every login. A forgotten password is a new link sent by staff. The session is an opaque random token in a
 * cookie scoped to /consignor, stored only as its hash: it is not a bearer token, so no staff or shopper route can
 * take it, and it is looked up in the store of the request's host only.
 */
export const LINK_TTL_MS = 7 * 24 * 3600_000;
export const SESSION_IDLE_MS = 7 * 24 * 3600_000;
export const SESSION_ABSOLUTE_MS = 30 * 24 * 3600_000;
const REALM = 'consignor';

const log = logger('consignor-portal');
const sha256 = (token: string) => createHash('sha256').update(token).digest();
const newToken = () => randomBytes(32).toString('base64url');
export const TOKEN = /^[A-Za-z0-9_-]{43}$/;

export interface Origin {
  ip: string;
  userAgent: string | null;
}

/** Creates or updates the consignor's portal account and mails the link that sets its password, in the caller's unit of work. */
export async function invite(
  platform: Platform,
  trx: Tx,
  tenant: { id: string; name: string },
  consignor: { id: string; email: string; name: string },
  portalUrl: string,
): Promise<{ expires_at: string }> {
  const token = newToken();
  const expiresAt = new Date(Date.now() + LINK_TTL_MS);
  const email = consignor.email.trim().toLowerCase();
  await upsertAccount(trx, { tenant_id: tenant.id, consignor_id: consignor.id, email });
  await insertLink(trx, { tenant_id: tenant.id, consignor_id: consignor.id, token_hash: sha256(token), expires_at: expiresAt });
  await platform.mail.enqueue(trx, {
    to: email,
    subject: `Your consignor account at ${tenant.name}`,
    text: `Hello ${consignor.name},\n\n${tenant.name} invites you to its consignor portal, where you see your items, sales, balance and payouts.\nChoose your password here (the link works once, for 7 days):\n\n${portalUrl}/consignor/welcome/${token}\n\nThen sign in at ${portalUrl}/consignor with ${email}.`,
  });
  log.info({ consignor_id: consignor.id }, 'consignor portal link sent');
  return { expires_at: expiresAt.toISOString() };
}

/** Uses a link: sets the password (ending earlier sessions) and opens a session. 410 for a used or expired link. */
export async function acceptLink(platform: Platform, tenantId: string, token: string, password: string, origin: Origin): Promise<string> {
  const passwordHash = await hashNewPassword(platform, password);
  const consignorId = await platform.db.withTenant(tenantId, async (trx) => {
    const link = TOKEN.test(token) ? await lockLink(trx, sha256(token)) : undefined;
    if (!link) return null;
    await setPassword(trx, link.consignor_id, passwordHash);
    return link.consignor_id;
  });
  if (!consignorId) throw new HttpProblem(410, 'Link no longer valid', 'This link was used already or has expired; ask the store for a new one.');
  return openSession(platform, tenantId, consignorId, origin);
}

export async function signIn(platform: Platform, tenantId: string, email: string, password: string, origin: Origin): Promise<string> {
  const normalised = email.trim().toLowerCase();
  let consignorId: string | undefined;
  const matches = await checkExternalPassword(platform, { tenantId, realm: REALM, email: normalised, password }, origin, async () => {
    const account = await platform.db.withTenant(tenantId, (trx) => findAccountByEmail(trx, normalised));
    consignorId = account?.active ? account.consignor_id : undefined;
    return account?.active ? account.password_hash : null;
  });
  if (!matches || !consignorId) throw new HttpProblem(401, 'Invalid credentials', 'The e-mail or password is wrong.');
  return openSession(platform, tenantId, consignorId, origin);
}

async function openSession(platform: Platform, tenantId: string, consignorId: string, origin: Origin): Promise<string> {
  const token = newToken();
  const now = Date.now();
  await platform.db.withTenant(tenantId, (trx) =>
    insertSession(trx, {
      tenant_id: tenantId,
      consignor_id: consignorId,
      token_hash: sha256(token),
      expires_at: new Date(now + SESSION_IDLE_MS),
      ends_at: new Date(now + SESSION_ABSOLUTE_MS),
      ip: origin.ip,
      user_agent: origin.userAgent?.slice(0, 512) ?? null,
    }),
  );
  log.info({ consignor_id: consignorId }, 'consignor signed in');
  return token;
}

/** The consignor of a session token in this store, or null (unknown, revoked, expired, other store). */
export async function consignorOfSession(platform: Platform, tenantId: string, token: string | undefined): Promise<string | null> {
  if (!token || !TOKEN.test(token)) return null;
  const row = await platform.db.withTenant(tenantId, (trx) => touchSession(trx, sha256(token), new Date(Date.now() + SESSION_IDLE_MS)));
  return row?.consignor_id ?? null;
}

export async function signOut(platform: Platform, tenantId: string, token: string | undefined): Promise<void> {
  if (token && TOKEN.test(token)) await platform.db.withTenant(tenantId, (trx) => revokeSession(trx, sha256(token)));
}
