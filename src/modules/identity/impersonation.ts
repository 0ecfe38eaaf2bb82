import { randomUUID } from 'node:crypto';
import { HttpProblem } from '../../platform/http/problem.ts';
import { logger } from '../../platform/observability/logger.ts';
import type { Identity } from './identity.ts';
import { type StaffRole, impersonationScopesOf } from './rbac.ts';
import {
  type AuditCursor,
  type AuditFilter,
  type ImpersonationAuditRow,
  findAccount,
  impersonationEnded,
  insertImpersonationEvent,
  listImpersonationAudit,
} from './repository.ts';
import { tokenIssuanceDuration } from './telemetry.ts';
import { type AccessClaims, ACCESS_TOKEN_TTL_SECONDS, type Impersonation, signAccessToken } from './tokens.ts';

/** Why a platform super-user may act as a store's user (impersonation requires a reason code). */
export const REASON_CODES = ['customer_support', 'bug_investigation', 'data_correction', 'security_review', 'onboarding_assistance'] as const;
export type ReasonCode = (typeof REASON_CODES)[number];

const log = logger('identity.impersonation');

export interface ImpersonationGrant {
  impersonation_id: string;
  access_token: string;
  token_type: 'Bearer';
  expires_in: number;
  scope: string;
}

/**
 * Starts acting as a staff member of a store. The token is an ordinary 15-minute access token of that member,
 * with the actor and reason inside (`act`, `imp`); it is never refreshed, and every request made with it is
 * audited. The start is audited before the token exists.
 */
export async function startImpersonation(
  identity: Identity,
  actorClaims: AccessClaims,
  request: { tenantId: string; userId: string; reasonCode: ReasonCode; ticket: string | undefined },
): Promise<ImpersonationGrant> {
  if (actorClaims.kind !== 'platform' || !actorClaims.amr?.includes('otp')) {
    throw new HttpProblem(403, 'Second factor required', 'Impersonation needs a session verified with a one-time code: enrol TOTP, then sign in with it or step up.', {
      extensions: { reason: 'mfa_required' },
    });
  }
  const actorId = actorClaims.subject;
  const actor = await identity.db.withPlatform((trx) => findAccount(trx, 'platform', { id: actorId }));
  if (!actor?.active) throw new HttpProblem(403, 'Forbidden', 'Only an active platform super-user may impersonate.');
  const impersonationId = randomUUID();
  return identity.db.withTenant(request.tenantId, async (trx) => {
    const target = await findAccount(trx, 'staff', { id: request.userId });
    if (!target) throw new HttpProblem(404, 'User not found', 'The store has no staff member with that id.');
    if (!target.active) throw new HttpProblem(409, 'User disabled', 'A disabled account cannot be impersonated.');
    await insertImpersonationEvent(trx, {
      tenant_id: request.tenantId,
      impersonation_id: impersonationId,
      event: 'started',
      actor_id: actorId,
      target_user_id: target.id,
      reason_code: request.reasonCode,
      ticket: request.ticket ?? null,
    });
    const stop = tokenIssuanceDuration.startTimer({ grant: 'impersonation' });
    const scopes = impersonationScopesOf(target.role as StaffRole);
    const accessToken = await signAccessToken(identity.keys, {
      kind: 'staff',
      subject: target.id,
      tenantId: request.tenantId,
      roles: [target.role],
      scopes,
      sessionId: impersonationId,
      impersonation: { id: impersonationId, actorId, reason: request.reasonCode, ticket: request.ticket },
    });
    stop();
    log.info({ impersonation_id: impersonationId, actor_id: actorId, target_user_id: target.id, reason: request.reasonCode }, 'impersonation started');
    return { impersonation_id: impersonationId, access_token: accessToken, token_type: 'Bearer', expires_in: ACCESS_TOKEN_TTL_SECONDS, scope: scopes.join(' ') };
  });
}

type ImpersonatedClaims = AccessClaims & { tenantId: string; impersonation: Impersonation };

export function isImpersonated(claims: AccessClaims): claims is ImpersonatedClaims {
  return claims.impersonation !== undefined && claims.tenantId !== null;
}

/** Audits one request made under an impersonation; false when the impersonation has been ended. */
export function auditImpersonatedRequest(
  identity: Identity,
  claims: ImpersonatedClaims,
  request: { method: string; path: string; requestId: string },
): Promise<boolean> {
  const { impersonation } = claims;
  return identity.db.withTenant(claims.tenantId, async (trx) => {
    if (await impersonationEnded(trx, impersonation.id)) return false;
    await insertImpersonationEvent(trx, {
      tenant_id: claims.tenantId,
      impersonation_id: impersonation.id,
      event: 'request',
      actor_id: impersonation.actorId,
      target_user_id: claims.subject,
      reason_code: impersonation.reason,
      ticket: impersonation.ticket ?? null,
      method: request.method,
      path: request.path.slice(0, 2048),
      request_id: request.requestId,
    });
    return true;
  });
}

/** Ends an impersonation explicitly; its token is refused from then on. */
export async function endImpersonation(identity: Identity, claims: ImpersonatedClaims, requestId: string): Promise<void> {
  const { impersonation } = claims;
  await identity.db.withTenant(claims.tenantId, (trx) =>
    insertImpersonationEvent(trx, {
      tenant_id: claims.tenantId,
      impersonation_id: impersonation.id,
      event: 'ended',
      actor_id: impersonation.actorId,
      target_user_id: claims.subject,
      reason_code: impersonation.reason,
      ticket: impersonation.ticket ?? null,
      request_id: requestId,
    }),
  );
  log.info({ impersonation_id: impersonation.id, actor_id: impersonation.actorId }, 'impersonation ended');
}

/**
 * Ends an impersonation from the platform side (the console that started it), by its id: the token, held in
 * another tab on the store's host, is refused from then on. 404 for an unknown id, 409 when already ended.
 */
export async function endImpersonationById(identity: Identity, actorClaims: AccessClaims, impersonationId: string, requestId: string): Promise<void> {
  if (actorClaims.kind !== 'platform' || actorClaims.impersonation) throw new HttpProblem(403, 'Forbidden', 'Only platform super-users end an impersonation here.');
  const [started] = await identity.db.withPlatform((trx) => listImpersonationAudit(trx, { impersonationId, event: 'started', limit: 1 }));
  if (!started) throw new HttpProblem(404, 'Not Found', `No impersonation has id ${impersonationId}.`);
  await identity.db.withTenant(started.tenant_id, async (trx) => {
    if (await impersonationEnded(trx, impersonationId)) throw new HttpProblem(409, 'Already ended', 'This impersonation has already ended.');
    await insertImpersonationEvent(trx, {
      tenant_id: started.tenant_id,
      impersonation_id: impersonationId,
      event: 'ended',
      actor_id: started.actor_id,
      target_user_id: started.target_user_id,
      reason_code: started.reason_code,
      ticket: started.ticket,
      request_id: requestId,
    });
  });
  log.info({ impersonation_id: impersonationId, actor_id: started.actor_id, ended_by: actorClaims.subject }, 'impersonation ended from the console');
}

export interface AuditPage {
  items: ImpersonationAuditRow[];
  next: AuditCursor | null;
}

/** Impersonation audit across every store, newest first (platform console). */
export async function impersonationAudit(
  identity: Identity,
  filter: AuditFilter & { after?: AuditCursor | undefined; limit: number },
): Promise<AuditPage> {
  const rows = await identity.db.withPlatform((trx) => listImpersonationAudit(trx, { ...filter, limit: filter.limit + 1 }));
  const page = rows.slice(0, filter.limit);
  const last = page.at(-1);
  return {
    items: page.map(({ cursor_at: _, ...row }) => row),
    next: rows.length > filter.limit && last ? { at: last.cursor_at, id: last.id } : null,
  };
}
