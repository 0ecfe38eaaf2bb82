import type { preHandlerAsyncHookHandler } from 'fastify';
import type { ImpersonationContext } from '../observability/context.ts';
import { HttpProblem } from './problem.ts';

/**
 * Who is making the request, once authenticated. The identity module sets `request.principal` from a verified
 * token; routes declare the scopes they need with `requireScopes`. Nothing else decides access.
 */
export interface Principal {
  kind: 'staff' | 'customer' | 'client' | 'platform';
  subject: string;
  /** The store the token was minted for; null for platform super-users. */
  tenantId: string | null;
  roles: string[];
  scopes: string[];
  impersonation?: ImpersonationContext;
}

declare module 'fastify' {
  interface FastifyRequest {
    principal: Principal | null;
  }
}

/** A preHandler: 401 without a principal, 403 when any of the scopes is missing. */
export function requireScopes(...scopes: string[]): preHandlerAsyncHookHandler {
  return async (request) => {
    const principal = request.principal;
    if (!principal) {
      throw new HttpProblem(401, 'Unauthorized', 'This endpoint needs a bearer token.', {
        headers: { 'www-authenticate': 'Bearer' },
      });
    }
    const missing = scopes.filter((scope) => !principal.scopes.includes(scope));
    if (missing.length > 0) {
      throw new HttpProblem(403, 'Forbidden', `Missing scope: ${missing.join(', ')}.`, { extensions: { missing_scopes: missing } });
    }
  };
}
