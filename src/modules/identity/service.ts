import { createHash, randomBytes, randomUUID } from 'node:crypto';
import type { Tx } from '../../platform/db/database.ts';
import { HttpProblem } from '../../platform/http/problem.ts';
import { logger } from '../../platform/observability/logger.ts';
import { type Identity, inHome } from './identity.ts';
import { assertLaneHasRoom, verifyPassword } from './passwords.ts';
import { scopesOf } from './rbac.ts';
import {
  type Account,
  type SessionEvent,
  type SubjectKind,
  NO_PASSWORD,
  findAccount,
  forgetAttempts,
  insertRefreshToken,
  insertSessionLog,
  lockRefreshToken,
  markRotated,
  markSecondFactor,
  revokeFamily,
} from './repository.ts';
import { loginFailuresTotal, tokenIssuanceDuration, tokenRefreshSuccessTotal, tokenRefreshTotal } from './telemetry.ts';
import { hasSecondFactor, verifySecondFactor, wrongCode } from './mfa.ts';
import { revokeSessions } from './revocations.ts';
import { type ThrottleKey, forgive, reserveAttempt, throttleKeys } from './throttle.ts';
import { ACCESS_TOKEN_TTL_SECONDS, type AccessClaims, signAccessToken } from './tokens.ts';

/** Where a request came from, for the session log and throttling. */
export interface Origin {
  ip: string;
  userAgent: string | null;
}

export interface TokenResponse {
  access_token: string;
  token_type: 'Bearer';
  expires_in: number;
  refresh_token: string;
  scope: string;
}

const log = logger('identity');
const sha256 = (token: string) => createHash('sha256').update(token).digest();

export function sessionLog(trx: Tx, tenantId: string | null, event: SessionEvent, origin: Origin, subject?: { kind: SubjectKind; id: string; sessionId?: string }) {
  return insertSessionLog(trx, {
    tenant_id: tenantId,
    event,
    subject_kind: subject?.kind ?? null,
    subject_id: subject?.id ?? null,
    session_id: subject?.sessionId ?? null,
    ip: origin.ip,
    user_agent: origin.userAgent?.slice(0, 512) ?? null,
  });
}

/** Sliding (idle) and absolute lifetime of a login session, by kind of account. */
const DAY_MS = 24 * 3600_000;
export const SESSION_LIFETIME: Record<SubjectKind, { idleMs: number; absoluteMs: number }> = {
  customer: { idleMs: 30 * DAY_MS, absoluteMs: 90 * DAY_MS },
  staff: { idleMs: 7 * DAY_MS, absoluteMs: 30 * DAY_MS },
  platform: { idleMs: DAY_MS / 2, absoluteMs: DAY_MS / 2 },
};

interface SessionOf {
  familyId: string;
  /** When the session ends whatever happens (absolute lifetime). */
  endsAt: Date;
  /** When the session last proved its second factor (login with a code or step-up); null for password only. */
  secondFactorAt: Date | null;
}

/** A proven second factor outlives access-token renewals for this long; then the console asks for a code again. */
export const SECOND_FACTOR_FRESHNESS_MS = 60 * 60 * 1000;

const amrOf = (session: SessionOf): string[] =>
  session.secondFactorAt && Date.now() - session.secondFactorAt.getTime() < SECOND_FACTOR_FRESHNESS_MS ? ['pwd', 'otp'] : ['pwd'];

/** Mints the access token and the next refresh token of a session, inside the caller's unit of work. */
async function issueTokens(identity: Identity, trx: Tx, account: Account, session: SessionOf, grant: 'password' | 'refresh'): Promise<TokenResponse> {
  const stop = tokenIssuanceDuration.startTimer({ grant });
  const refreshToken = randomBytes(32).toString('base64url');
  await insertRefreshToken(trx, {
    tenant_id: account.tenantId,
    family_id: session.familyId,
    subject_kind: account.kind,
    subject_id: account.id,
    token_hash: sha256(refreshToken),
    expires_at: new Date(Math.min(Date.now() + SESSION_LIFETIME[account.kind].idleMs, session.endsAt.getTime())),
    session_expires_at: session.endsAt,
    second_factor_at: session.secondFactorAt,
  });
  const scopes = scopesOf(account.role);
  const accessToken = await signAccessToken(identity.keys, {
    kind: account.kind,
    subject: account.id,
    tenantId: account.tenantId,
    roles: [account.role],
    scopes,
    sessionId: session.familyId,
    amr: amrOf(session),
  });
  stop();
  return { access_token: accessToken, token_type: 'Bearer', expires_in: ACCESS_TOKEN_TTL_SECONDS, refresh_token: refreshToken, scope: scopes.join(' ') };
}

const invalidCredentials = () => new HttpProblem(401, 'Invalid credentials', 'The e-mail or password is wrong.');

export const throttled = (retryAfter: number) =>
  new HttpProblem(429, 'Too many failed logins', `Too many failed attempts; try again in ${retryAfter} seconds.`, {
    headers: { 'retry-after': String(retryAfter) },
    extensions: { retry_after_seconds: retryAfter },
  });

/**
 * Checks a password under the login throttle: the attempt is reserved first (429 when over a limit, without
 * hashing), then verified in the bcrypt lane its history earns. A shed verification (503) gives its reservation
 * back; a wrong password keeps it as a failure; the caller forgives on full success.
 */
async function checkPassword(
  identity: Identity,
  attempt: { tenantId: string | null; kind: SubjectKind; email: string; password: string },
  origin: Origin,
): Promise<{ account: Account | undefined; matches: boolean; keys: ThrottleKey[]; reservation: { ids: string[] } }> {
  const { db } = identity;
  // An address this replica saw fail recently is suspect: when the suspect lane is full it is shed unheard.
  const knownSuspect = identity.suspectAddresses.has(origin.ip);
  if (knownSuspect) assertLaneHasRoom('suspect');
  const keys = throttleKeys({ tenantId: attempt.tenantId, kind: attempt.kind, email: attempt.email, ip: origin.ip });
  const reservation = await reserveAttempt(db, keys);
  if (!reservation.granted) {
    loginFailuresTotal.inc({ reason: 'throttled' });
    await inHome(db, attempt.tenantId, (trx) => sessionLog(trx, attempt.tenantId, 'login_throttled', origin));
    throw throttled(reservation.retryAfterSeconds);
  }
  const account = await inHome(db, attempt.tenantId, (trx) => findAccount(trx, attempt.kind, { email: attempt.email }));
  let matches: boolean;
  try {
    const lane = knownSuspect || reservation.priorFailures > 0 ? 'suspect' : 'login';
    // An invited account without a password costs the decoy's time too: the answer does not tell it exists.
    const usable = account && account.passwordHash !== NO_PASSWORD ? account.passwordHash : undefined;
    matches = (await verifyPassword(attempt.password, usable ?? (await identity.decoyHash), lane)) && usable !== undefined;
  } catch (error) {
    await forgetAttempts(db, reservation.ids, null);
    throw error;
  }
  if (!matches || !account) identity.suspectAddresses.set(origin.ip, true);
  return { account, matches, keys, reservation };
}

/**
 * Password login of a staff member or customer (in `tenantId`'s store) or of a platform super-user (tenantId
 * null). Throttled per account, per address and per account-and-address before the password is even checked.
 * A platform super-user with a confirmed second factor must also give a current code (`otp`).
 */
export async function login(
  identity: Identity,
  attempt: { tenantId: string | null; kind: SubjectKind; email: string; password: string; otp?: string | undefined },
  origin: Origin,
): Promise<TokenResponse> {
  const { db } = identity;
  const email = attempt.email.trim().toLowerCase();
  const { account, matches, keys, reservation } = await checkPassword(identity, { ...attempt, email }, origin);
  if (!account || !matches || !account.active) {
    loginFailuresTotal.inc({ reason: account && matches ? 'disabled' : 'bad_credentials' });
    await inHome(db, attempt.tenantId, (trx) =>
      sessionLog(trx, attempt.tenantId, 'login_failed', origin, account ? { kind: account.kind, id: account.id } : undefined),
    );
    throw invalidCredentials();
  }
  let secondFactorAt: Date | null = null;
  if (account.kind === 'platform' && (await hasSecondFactor(identity, account.id))) {
    if (attempt.otp === undefined) {
      await forgetAttempts(db, reservation.ids, null);
      throw new HttpProblem(401, 'Second factor required', 'This account needs a one-time code: send it as "otp" with the password.', {
        extensions: { reason: 'mfa_required' },
      });
    }
    if (!(await verifySecondFactor(identity, account.id, attempt.otp))) {
      loginFailuresTotal.inc({ reason: 'bad_second_factor' });
      await db.withPlatform((trx) => sessionLog(trx, null, 'mfa_failed', origin, { kind: account.kind, id: account.id }));
      throw wrongCode();
    }
    secondFactorAt = new Date();
  }

  await forgive(db, keys, reservation);
  const session = { familyId: randomUUID(), endsAt: new Date(Date.now() + SESSION_LIFETIME[account.kind].absoluteMs), secondFactorAt };
  const tokens = await inHome(db, account.tenantId, async (trx) => {
    await sessionLog(trx, account.tenantId, 'login', origin, { kind: account.kind, id: account.id, sessionId: session.familyId });
    return issueTokens(identity, trx, account, session, 'password');
  });
  log.info({ subject_kind: account.kind, subject_id: account.id, session: session.familyId }, 'login');
  return tokens;
}

/** Step-up: a platform super-user signed in with the password alone proves the second factor; same session. */
export async function stepUp(identity: Identity, claims: AccessClaims, code: string, origin: Origin): Promise<{ access_token: string; token_type: 'Bearer'; expires_in: number }> {
  if (claims.kind !== 'platform' || claims.impersonation) throw new HttpProblem(403, 'Forbidden', 'Only platform super-users have a second factor.');
  if (!(await verifySecondFactor(identity, claims.subject, code))) {
    await identity.db.withPlatform((trx) => sessionLog(trx, null, 'mfa_failed', origin, { kind: 'platform', id: claims.subject }));
    throw wrongCode();
  }
  if (claims.sessionId) {
    const sessionId = claims.sessionId;
    await identity.db.withPlatform((trx) => markSecondFactor(trx, sessionId, new Date()));
  }
  const { issuedAt: _, ...rest } = claims;
  const accessToken = await signAccessToken(identity.keys, { ...rest, amr: ['pwd', 'otp'] });
  return { access_token: accessToken, token_type: 'Bearer', expires_in: ACCESS_TOKEN_TTL_SECONDS };
}

type RefreshOutcome = { tokens: TokenResponse } | { refused: 'unknown' | 'reused' | 'revoked' | 'expired' | 'inactive' };

/**
 * Exchanges a refresh token for new tokens, rotating it. A token presented a second time means it leaked:
 * the whole family (every token of that login) is revoked, and the legitimate holder signs in again.
 */
export async function refresh(identity: Identity, tenantId: string | null, refreshToken: string, origin: Origin): Promise<TokenResponse> {
  tokenRefreshTotal.inc();
  const outcome = await inHome(identity.db, tenantId, async (trx): Promise<RefreshOutcome> => {
    const row = await lockRefreshToken(trx, sha256(refreshToken));
    if (!row) return { refused: 'unknown' };
    const subject = { kind: row.subject_kind, id: row.subject_id, sessionId: row.family_id };
    if (row.rotated_at && !row.revoked_at) {
      await revokeFamily(trx, row.family_id, 'reuse');
      await revokeSessions(trx, [row.family_id]);
      await sessionLog(trx, tenantId, 'refresh_reuse', origin, subject);
      log.warn({ subject_kind: row.subject_kind, subject_id: row.subject_id, session: row.family_id }, 'refresh token reused: session revoked');
      return { refused: 'reused' };
    }
    if (row.revoked_at || row.rotated_at) return { refused: 'revoked' };
    if (Math.min(row.expires_at.getTime(), row.session_expires_at.getTime()) <= Date.now()) return { refused: 'expired' };
    const account = await findAccount(trx, row.subject_kind, { id: row.subject_id });
    if (!account?.active) {
      await revokeFamily(trx, row.family_id, 'logout');
      return { refused: 'inactive' };
    }
    await markRotated(trx, row.id);
    await sessionLog(trx, tenantId, 'refresh', origin, subject);
    const session = { familyId: row.family_id, endsAt: row.session_expires_at, secondFactorAt: row.second_factor_at };
    return { tokens: await issueTokens(identity, trx, account, session, 'refresh') };
  });
  if ('refused' in outcome) {
    const detail =
      outcome.refused === 'reused'
        ? 'This refresh token was already used, so its session has been revoked; sign in again.'
        : `The refresh token is ${outcome.refused === 'unknown' ? 'not valid here' : outcome.refused}; sign in again.`;
    throw new HttpProblem(401, 'Invalid refresh token', detail, { extensions: { reason: outcome.refused } });
  }
  tokenRefreshSuccessTotal.inc();
  return outcome.tokens;
}

/** Ends the session a refresh token belongs to: every token of its family is revoked. Unknown tokens are ignored. */
export async function logout(identity: Identity, tenantId: string | null, refreshToken: string, origin: Origin): Promise<void> {
  await inHome(identity.db, tenantId, async (trx) => {
    const row = await lockRefreshToken(trx, sha256(refreshToken));
    if (!row || row.revoked_at) return;
    await revokeFamily(trx, row.family_id, 'logout');
    await revokeSessions(trx, [row.family_id]);
    await sessionLog(trx, tenantId, 'logout', origin, { kind: row.subject_kind, id: row.subject_id, sessionId: row.family_id });
  });
  identity.revocations.invalidate();
}
