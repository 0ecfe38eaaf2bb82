import { createHash, randomBytes, randomUUID } from 'node:crypto';
import type { Tx } from '../../platform/db/database.ts';
import { HttpProblem } from '../../platform/http/problem.ts';
import { logger } from '../../platform/observability/logger.ts';
import { type Identity, inHome } from './identity.ts';
import { verifyPassword } from './passwords.ts';
import { scopesOf } from './rbac.ts';
import {
  type Account,
  type SessionEvent,
  type SubjectKind,
  findAccount,
  insertRefreshToken,
  insertSessionLog,
  lockRefreshToken,
  markRotated,
  revokeFamily,
} from './repository.ts';
import { loginFailuresTotal, tokenIssuanceDuration, tokenRefreshSuccessTotal, tokenRefreshTotal } from './telemetry.ts';
import { forgiveAccount, recordFailure, throttleKeys, throttledFor } from './throttle.ts';
import { ACCESS_TOKEN_TTL_SECONDS, signAccessToken } from './tokens.ts';

const REFRESH_TOKEN_TTL_MS = 30 * 24 * 3600_000;

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

function sessionLog(trx: Tx, tenantId: string | null, event: SessionEvent, origin: Origin, subject?: { kind: SubjectKind; id: string; sessionId?: string }) {
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

/** Mints the access token and the next refresh token of a session, inside the caller's unit of work. */
async function issueTokens(identity: Identity, trx: Tx, account: Account, familyId: string, grant: 'password' | 'refresh'): Promise<TokenResponse> {
  const stop = tokenIssuanceDuration.startTimer({ grant });
  const refreshToken = randomBytes(32).toString('base64url');
  await insertRefreshToken(trx, {
    tenant_id: account.tenantId,
    family_id: familyId,
    subject_kind: account.kind,
    subject_id: account.id,
    token_hash: sha256(refreshToken),
    expires_at: new Date(Date.now() + REFRESH_TOKEN_TTL_MS),
  });
  const scopes = scopesOf(account.role);
  const accessToken = await signAccessToken(identity.keys, {
    kind: account.kind,
    subject: account.id,
    tenantId: account.tenantId,
    roles: [account.role],
    scopes,
    sessionId: familyId,
  });
  stop();
  return { access_token: accessToken, token_type: 'Bearer', expires_in: ACCESS_TOKEN_TTL_SECONDS, refresh_token: refreshToken, scope: scopes.join(' ') };
}

const invalidCredentials = () => new HttpProblem(401, 'Invalid credentials', 'The e-mail or password is wrong.');

/**
 * Password login of a staff member or customer (in `tenantId`'s store) or of a platform super-user (tenantId
 * null). Throttled per account and per IP before the password is even checked.
 */
export async function login(
  identity: Identity,
  attempt: { tenantId: string | null; kind: SubjectKind; email: string; password: string },
  origin: Origin,
): Promise<TokenResponse> {
  const { db } = identity;
  const email = attempt.email.trim().toLowerCase();
  const keys = throttleKeys({ tenantId: attempt.tenantId, kind: attempt.kind, email, ip: origin.ip });
  const retryAfter = await throttledFor(db, keys);
  if (retryAfter > 0) {
    loginFailuresTotal.inc({ reason: 'throttled' });
    await inHome(db, attempt.tenantId, (trx) => sessionLog(trx, attempt.tenantId, 'login_throttled', origin));
    throw new HttpProblem(429, 'Too many failed logins', `Too many failed attempts; try again in ${retryAfter} seconds.`, {
      headers: { 'retry-after': String(retryAfter) },
      extensions: { retry_after_seconds: retryAfter },
    });
  }

  const account = await inHome(db, attempt.tenantId, (trx) => findAccount(trx, attempt.kind, { email }));
  const passwordMatches = await verifyPassword(attempt.password, account?.passwordHash ?? (await identity.decoyHash));
  if (!account || !passwordMatches || !account.active) {
    loginFailuresTotal.inc({ reason: account && passwordMatches ? 'disabled' : 'bad_credentials' });
    await recordFailure(db, keys);
    await inHome(db, attempt.tenantId, (trx) =>
      sessionLog(trx, attempt.tenantId, 'login_failed', origin, account ? { kind: account.kind, id: account.id } : undefined),
    );
    throw invalidCredentials();
  }

  await forgiveAccount(db, keys);
  const familyId = randomUUID();
  const tokens = await inHome(db, account.tenantId, async (trx) => {
    await sessionLog(trx, account.tenantId, 'login', origin, { kind: account.kind, id: account.id, sessionId: familyId });
    return issueTokens(identity, trx, account, familyId, 'password');
  });
  log.info({ subject_kind: account.kind, subject_id: account.id, session: familyId }, 'login');
  return tokens;
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
      await sessionLog(trx, tenantId, 'refresh_reuse', origin, subject);
      log.warn({ subject_kind: row.subject_kind, subject_id: row.subject_id, session: row.family_id }, 'refresh token reused: session revoked');
      return { refused: 'reused' };
    }
    if (row.revoked_at || row.rotated_at) return { refused: 'revoked' };
    if (row.expires_at.getTime() <= Date.now()) return { refused: 'expired' };
    const account = await findAccount(trx, row.subject_kind, { id: row.subject_id });
    if (!account?.active) {
      await revokeFamily(trx, row.family_id, 'logout');
      return { refused: 'inactive' };
    }
    await markRotated(trx, row.id);
    await sessionLog(trx, tenantId, 'refresh', origin, subject);
    return { tokens: await issueTokens(identity, trx, account, row.family_id, 'refresh') };
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
    await sessionLog(trx, tenantId, 'logout', origin, { kind: row.subject_kind, id: row.subject_id, sessionId: row.family_id });
  });
}
