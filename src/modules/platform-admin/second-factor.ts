import type { preHandlerAsyncHookHandler } from 'fastify';
import { HttpProblem } from '../../platform/http/problem.ts';

/**
 * Observability data shows every store's requests, logs and SQL: a platform super-user must have proved the
 * second factor in this session (signed in with a code, or stepped up with `POST /auth/mfa/verify`). Runs after
 * `requireScopes`, so the caller is known to be a platform principal.
 */
export const requireSecondFactor: preHandlerAsyncHookHandler = async (request) => {
  if (!request.accessClaims?.amr?.includes('otp')) {
    throw new HttpProblem(403, 'Second factor required', 'Prove the second factor first (POST /auth/mfa/verify), then try again.', {
      extensions: { reason: 'mfa_required' },
    });
  }
};
