import type { FastifyRequest } from 'fastify';
import type { Principal } from '../../platform/http/auth.ts';
import { HttpProblem } from '../../platform/http/problem.ts';
import { updateContext } from '../../platform/observability/context.ts';
import type { Identity } from './identity.ts';
import { auditImpersonatedRequest, isImpersonated } from './impersonation.ts';
import { type AccessClaims, TokenRejected, verifyAccessToken } from './tokens.ts';

const BEARER = /^Bearer +([A-Za-z0-9._~+/-]+=*)$/i;

const refused = (detail: string, error: 'invalid_request' | 'invalid_token' = 'invalid_token') =>
  new HttpProblem(401, 'Unauthorized', detail, { headers: { 'www-authenticate': `Bearer error="${error}"` } });

export function principalOf(claims: AccessClaims): Principal {
  return {
    kind: claims.kind,
    subject: claims.subject,
    tenantId: claims.tenantId,
    roles: claims.roles,
    scopes: claims.scopes,
    ...(claims.impersonation
      ? {
          impersonation: {
            actorId: claims.impersonation.actorId,
            reason: claims.impersonation.reason,
            ...(claims.impersonation.ticket ? { ticket: claims.impersonation.ticket } : {}),
          },
        }
      : {}),
  };
}

/**
 * The claims of the request's bearer token, once verified and bound to the request's host: a store's token
 * works only on that store's host, a platform token only on the platform host. No header: null.
 */
export async function authenticate(identity: Identity, request: FastifyRequest): Promise<AccessClaims | null> {
  const header = request.headers.authorization;
  // Other schemes are not ours to judge (the token endpoint takes HTTP Basic).
  if (header === undefined || !/^bearer\b/i.test(header)) return null;
  const token = BEARER.exec(header)?.[1];
  if (!token) throw refused('The Authorization header must be "Bearer <token>".', 'invalid_request');
  let claims: AccessClaims;
  try {
    claims = await verifyAccessToken(identity.keys, token);
  } catch (error) {
    if (error instanceof TokenRejected) throw refused(`The access token was refused: ${error.message}.`);
    throw error;
  }
  if (claims.tenantId !== (request.tenant?.id ?? null)) {
    throw refused(claims.tenantId ? 'The access token was issued for another store.' : 'A platform token is valid only on the platform host.');
  }
  if (await identity.revocations.isRevoked(claims)) throw refused('The access token was revoked (signed out, password changed or account disabled).');
  if (isImpersonated(claims)) {
    const path = request.url.split('?')[0]!;
    if (!(await auditImpersonatedRequest(identity, claims, { method: request.method, path, requestId: request.id }))) {
      throw refused('This impersonation has ended.');
    }
  }
  return claims;
}

/** The actor stamped on rows (created_by, updated_by) and logs: under impersonation, both people. */
export const actorOf = (claims: AccessClaims) => (claims.impersonation ? `platform:${claims.impersonation.actorId}/as:${claims.subject}` : claims.subject);

export function enterContext(claims: AccessClaims): void {
  const impersonation = principalOf(claims).impersonation;
  updateContext({ userId: actorOf(claims), ...(claims.sessionId ? { sessionId: claims.sessionId } : {}), ...(impersonation ? { impersonation } : {}) });
}
