import type { FastifyReply, FastifyRequest } from 'fastify';
import type { PlatformModule } from '../../platform/platform.ts';
import { DEMO_SUBDOMAIN, tenancy } from '../tenancy/index.ts';
import { createCustomer, seedDemoAccounts } from './accounts.ts';
import { authenticate, enterContext, principalOf } from './authenticate.ts';
import { takeClientBudget } from './client-limits.ts';
import { identityHousekeeping } from './housekeeping.ts';
import { identityOf } from './identity.ts';
import { identityHousekeepingJob, identityHousekeepingSchedule } from './jobs.ts';
import { identityRoutes } from './routes.ts';
import { type Origin, login, logout, refresh } from './service.ts';
import { telemetry } from './telemetry.ts';
import { type AccessClaims, TokenRejected, verifyAccessToken } from './tokens.ts';

export { storeAccountCounts, staffUsers } from './accounts.ts';
export { checkExternalPassword, hashNewPassword } from './external-login.ts';
export { type Identity, identityOf } from './identity.ts';
export { INVITATION_TOKEN, type OwnerInvitation, acceptInvitation, inviteStoreOwner, reinviteStoreOwner } from './invitations.ts';
export { type AuditPage, REASON_CODES, endImpersonationById, impersonationAudit, startImpersonation } from './impersonation.ts';

declare module 'fastify' {
  interface FastifyRequest {
    /** The verified claims behind `principal` (session, impersonation id); null without a bearer token. */
    accessClaims: AccessClaims | null;
  }
}

export const identityModule: PlatformModule = {
  name: 'identity',
  telemetry,
  hooks(app, platform) {
    const identity = identityOf(platform);
    app.decorateRequest('accessClaims', null);
    // Registered after the tenancy module's gateway hook: request.tenant is known, the store's budget taken.
    const signIn = async (request: FastifyRequest, reply: FastifyReply) => {
      const claims = await authenticate(identity, request);
      if (!claims) return;
      request.accessClaims = claims;
      request.principal = principalOf(claims);
      enterContext(claims);
      if (claims.kind === 'client' && request.tenant) await takeClientBudget(tenancy(platform), request.tenant, claims.subject, reply);
    };
    // Most requests carry no credentials: they pass without a promise.
    app.addHook('onRequest', (request, reply, done) => {
      if (request.url.startsWith('/q/') || request.headers.authorization === undefined) return done();
      signIn(request, reply).then(() => done(), done);
    });
  },
  routes: identityRoutes,
  jobs: [identityHousekeepingJob],
  schedules: [identityHousekeepingSchedule],
  async seed(platform) {
    const host = `${DEMO_SUBDOMAIN}.${platform.config.platformDomain}`;
    const { tenant } = await tenancy(platform).directory.resolve({ kind: 'subdomain', host, subdomain: DEMO_SUBDOMAIN });
    await seedDemoAccounts(identityOf(platform), tenant?.id);
  },
  async start(platform) {
    // Fails start-up on a bad configured key rather than on the first login.
    await identityOf(platform).keys.current();
    await platform.db.withPlatform(identityHousekeeping);
  },
};

/**
 * Customer accounts for the server-rendered shop (register, sign in, and the customer behind a token kept in
 * the shop's session cookie); the JSON API under /auth serves headless clients.
 */
export function customerAccounts(platform: import('../../platform/platform.ts').Platform) {
  const identity = identityOf(platform);
  return {
    register: (tenantId: string, input: { email: string; password: string; displayName: string }) => createCustomer(identity, tenantId, input),
    signIn: (tenantId: string, email: string, password: string, origin: Origin) => login(identity, { tenantId, kind: 'customer', email, password }, origin),
    refresh: (tenantId: string, refreshToken: string, origin: Origin) => refresh(identity, tenantId, refreshToken, origin),
    signOut: (tenantId: string, refreshToken: string, origin: Origin) => logout(identity, tenantId, refreshToken, origin),
    /** The customer id of a valid access token of this store, else null. */
    async verify(tenantId: string, accessToken: string): Promise<string | null> {
      try {
        const claims = await verifyAccessToken(identity.keys, accessToken);
        return claims.kind === 'customer' && claims.tenantId === tenantId ? claims.subject : null;
      } catch (error) {
        if (error instanceof TokenRejected) return null;
        throw error;
      }
    },
  };
}
