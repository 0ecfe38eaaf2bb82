import type { FastifyInstance, preHandlerAsyncHookHandler } from 'fastify';
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

const beforeBody = Symbol('beforeBody');
type AccessCheck = preHandlerAsyncHookHandler & { [beforeBody]?: true };

/**
 * A preHandler: 401 without a principal, 403 when any of the scopes is missing. `checkAccessBeforeBody` moves
 * it to the route's onRequest hooks, so a refused request is answered before its body is read.
 */
export function requireScopes(...scopes: string[]): preHandlerAsyncHookHandler {
  const check: AccessCheck = async (request) => {
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
  check[beforeBody] = true;
  return check;
}

/**
 * Runs every route's `requireScopes` checks in onRequest (after the global hooks that authenticate) instead of
 * preHandler, which Fastify runs only after the whole body has been read and parsed: an anonymous or
 * under-privileged client cannot make the server buffer and parse its upload. Register before any route.
 */
export function checkAccessBeforeBody(app: FastifyInstance): void {
  app.addHook('onRoute', (route) => {
    const preHandlers = [route.preHandler ?? []].flat() as AccessCheck[];
    const checks = preHandlers.filter((hook) => hook[beforeBody]);
    if (checks.length === 0) return;
    route.preHandler = preHandlers.filter((hook) => !hook[beforeBody]);
    route.onRequest = [...checks, ...[route.onRequest ?? []].flat()] as typeof route.onRequest;
  });
}
