import formbody from '@fastify/formbody';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { Type } from 'typebox';
import { requireScopes } from '../../platform/http/auth.ts';
import { HttpProblem } from '../../platform/http/problem.ts';
import type { Platform } from '../../platform/platform.ts';
import { createStaffUser, registerCustomer, staffUsers, updateStaffMember } from './accounts.ts';
import { clients, createClient, revoke } from './clients.ts';
import { identityOf } from './identity.ts';
import { endImpersonation, isImpersonated } from './impersonation.ts';
import { beginTotpEnrolment, confirmTotpEnrolment, hasSecondFactor } from './mfa.ts';
import { tokenEndpoint } from './oauth.ts';
import { changePassword, completePasswordReset, requestPasswordReset } from './password-reset.ts';
import { isStaffRole, mayAssign } from './rbac.ts';
import { type OAuthClient, type StaffUser, findAccount } from './repository.ts';
import {
  Accepted,
  ApiClient,
  ApiClientInput,
  ClientIdParams,
  CodeBody,
  CustomerRegistration,
  LoginBody,
  Me,
  PasswordChange,
  PasswordResetCompletion,
  PasswordResetRequest,
  PlatformLoginBody,
  RecoveryCodes,
  RefreshBody,
  StaffChange,
  StaffIdParams,
  StaffInput,
  StaffMember,
  StepUpResponse,
  TokenResponse,
  TotpEnrolment,
} from './schemas.ts';
import { type Origin, login, logout, refresh, stepUp } from './service.ts';

const ADMIN_PREFIX = '/admin/api/v1';

const staffView = (row: StaffUser) => ({
  id: row.id,
  email: row.email,
  display_name: row.display_name,
  role: row.role,
  status: row.status,
  created_at: row.created_at.toISOString(),
});
const clientView = (row: OAuthClient) => ({
  client_id: row.client_id,
  name: row.name,
  scopes: row.scopes,
  revoked_at: row.revoked_at?.toISOString() ?? null,
  created_at: row.created_at.toISOString(),
});

const originOf = (request: FastifyRequest): Origin => ({ ip: request.ip, userAgent: request.headers['user-agent'] ?? null });

function storeOf(request: FastifyRequest): string {
  if (!request.tenant) throw new HttpProblem(404, 'Not Found', 'This endpoint is served on a store host.');
  return request.tenant.id;
}

export async function identityRoutes(app: FastifyInstance, platform: Platform): Promise<void> {
  const identity = identityOf(platform);
  const api = app.withTypeProvider<TypeBoxTypeProvider>();
  const tags = ['identity'];
  await app.register(formbody);
  app.addHook('onSend', async (request, reply) => {
    if (request.url.startsWith('/auth/') || request.url.startsWith('/oauth/')) reply.header('cache-control', 'no-store');
  });

  api.get('/.well-known/jwks.json', { schema: { tags, security: [] } }, async (_request, reply) => {
    reply.header('cache-control', 'public, max-age=300');
    return (await identity.keys.current()).jwks;
  });

  // Staff on a store host, platform super-users on the platform host (with `otp` once they have a second factor).
  api.post('/auth/login', { schema: { tags, security: [], body: PlatformLoginBody, response: { 200: TokenResponse } } }, async (request) => {
    const { otp, ...credentials } = request.body;
    if (request.tenant && otp !== undefined) throw new HttpProblem(400, 'Validation failed', 'Store logins take no one-time code.');
    return login(identity, { tenantId: request.tenant?.id ?? null, kind: request.tenant ? 'staff' : 'platform', ...credentials, otp }, originOf(request));
  });

  // Answers alike whether or not the e-mail is registered; the mail tells the rest.
  const accepted = { tags, security: [], response: { 202: Accepted } };
  api.post('/auth/customers', { schema: { ...accepted, body: CustomerRegistration } }, async (request, reply) => {
    const tenant = request.tenant;
    if (!tenant) throw new HttpProblem(404, 'Not Found', 'This endpoint is served on a store host.');
    await registerCustomer(identity, tenant.id, { ...request.body, displayName: request.body.display_name, storeName: tenant.name });
    return reply.code(202).send({ message: 'Check your e-mail to continue.' });
  });

  // Staff and platform accounts; customers use /auth/customers/password-reset. Same answer for unknown e-mails.
  const resetRequest = (kind: 'customer' | null) => async (request: FastifyRequest<{ Body: { email: string } }>, reply: FastifyReply) => {
    const tenantId = kind ? storeOf(request) : (request.tenant?.id ?? null);
    const home = { tenantId, kind: kind ?? (tenantId ? 'staff' : 'platform'), baseUrl: `${request.protocol}://${request.host}` } as const;
    await requestPasswordReset(identity, home, request.body.email, originOf(request));
    return reply.code(202).send({ message: 'If this e-mail has an account here, a reset link is on its way.' });
  };
  api.post('/auth/password-reset', { schema: { ...accepted, body: PasswordResetRequest } }, resetRequest(null));
  api.post('/auth/customers/password-reset', { schema: { ...accepted, body: PasswordResetRequest } }, resetRequest('customer'));

  api.post('/auth/password-reset/complete', { schema: { tags, security: [], body: PasswordResetCompletion } }, async (request, reply) => {
    await completePasswordReset(identity, request.tenant?.id ?? null, request.body.token, request.body.new_password, originOf(request));
    return reply.code(204).send();
  });

  api.post('/auth/password', { preHandler: requireScopes(), schema: { tags, body: PasswordChange } }, async (request, reply) => {
    await changePassword(identity, request.accessClaims!, request.body.current_password, request.body.new_password, originOf(request));
    return reply.code(204).send();
  });

  // Second factor of platform super-users: enrol (secret shown once), confirm with a first code, step up.
  const platformClaims = (request: FastifyRequest) => {
    const claims = request.accessClaims;
    if (claims?.kind !== 'platform' || claims.impersonation) throw new HttpProblem(403, 'Forbidden', 'Only platform super-users enrol a second factor.');
    return claims;
  };
  api.post('/auth/mfa/totp', { preHandler: requireScopes(), schema: { tags, response: { 201: TotpEnrolment } } }, async (request, reply) => {
    const claims = platformClaims(request);
    const account = await identity.db.withPlatform((trx) => findAccount(trx, 'platform', { id: claims.subject }));
    return reply.code(201).header('cache-control', 'no-store').send(await beginTotpEnrolment(identity, claims.subject, account!.email));
  });
  api.post('/auth/mfa/totp/confirm', { preHandler: requireScopes(), schema: { tags, body: CodeBody, response: { 200: RecoveryCodes } } }, async (request) => ({
    recovery_codes: await confirmTotpEnrolment(identity, platformClaims(request).subject, request.body.code),
  }));
  api.post('/auth/mfa/verify', { preHandler: requireScopes(), schema: { tags, body: CodeBody, response: { 200: StepUpResponse } } }, async (request) =>
    stepUp(identity, platformClaims(request), request.body.code, originOf(request)),
  );

  api.post('/auth/customers/login', { schema: { tags, security: [], body: LoginBody, response: { 200: TokenResponse } } }, async (request) =>
    login(identity, { tenantId: storeOf(request), kind: 'customer', ...request.body }, originOf(request)),
  );

  api.post('/auth/refresh', { schema: { tags, security: [], body: RefreshBody, response: { 200: TokenResponse } } }, async (request) =>
    refresh(identity, request.tenant?.id ?? null, request.body.refresh_token, originOf(request)),
  );

  api.post('/auth/logout', { schema: { tags, security: [], body: RefreshBody } }, async (request, reply) => {
    await logout(identity, request.tenant?.id ?? null, request.body.refresh_token, originOf(request));
    return reply.code(204).send();
  });

  // Who the bearer is; a UI shows the impersonation banner when `impersonation` is set.
  api.get('/auth/me', { preHandler: requireScopes(), schema: { tags, response: { 200: Me } } }, async (request) => {
    const principal = request.principal!;
    const impersonation = principal.impersonation;
    const platformUser = principal.kind === 'platform' && !impersonation;
    const second_factor = platformUser
      ? { enrolled: await hasSecondFactor(identity, principal.subject), verified: request.accessClaims?.amr?.includes('otp') ?? false }
      : null;
    return {
      kind: principal.kind,
      subject: principal.subject,
      tenant_id: principal.tenantId,
      roles: principal.roles,
      scopes: principal.scopes,
      impersonation: impersonation
        ? {
            active: true as const,
            actor_id: impersonation.actorId,
            reason: impersonation.reason,
            ticket: impersonation.ticket ?? null,
            banner: `Platform staff is acting as this user (${impersonation.reason}). Every action is audited.`,
          }
        : null,
      second_factor,
    };
  });

  api.delete('/auth/impersonation', { preHandler: requireScopes(), schema: { tags } }, async (request, reply) => {
    const claims = request.accessClaims;
    if (!claims || !isImpersonated(claims)) throw new HttpProblem(409, 'Not impersonating', 'This token does not belong to an impersonation.');
    await endImpersonation(identity, claims, request.id);
    return reply.code(204).send();
  });

  // Parameters are read by hand so that every failure answers in the RFC 6749 §5.2 shape.
  app.post('/oauth/token', { schema: { tags: ['oauth'], security: [] } }, (request, reply) => tokenEndpoint(identity, request, reply));

  const staffList = { tags, response: { 200: Type.Object({ items: Type.Array(StaffMember) }) } };
  api.get(`${ADMIN_PREFIX}/staff`, { preHandler: requireScopes('staff:read'), schema: staffList }, async (request) => ({
    items: (await staffUsers(identity.db, storeOf(request))).map(staffView),
  }));

  const newStaff = { tags, body: StaffInput, response: { 201: StaffMember } };
  api.post(`${ADMIN_PREFIX}/staff`, { preHandler: requireScopes('staff:write'), schema: newStaff }, async (request, reply) => {
    const actorRole = request.principal!.roles.find(isStaffRole);
    if (!actorRole || !mayAssign(actorRole, request.body.role)) {
      throw new HttpProblem(403, 'Forbidden', `Your role may not create a member with role ${request.body.role}.`);
    }
    const member = await createStaffUser(identity, storeOf(request), { ...request.body, displayName: request.body.display_name });
    return reply.code(201).send(staffView(member));
  });

  const staffChange = { tags, params: StaffIdParams, body: StaffChange, response: { 200: StaffMember } };
  api.patch(`${ADMIN_PREFIX}/staff/:id`, { preHandler: requireScopes('staff:write'), schema: staffChange }, async (request) => {
    const actorRole = request.principal!.roles.find(isStaffRole);
    if (!actorRole) throw new HttpProblem(403, 'Forbidden', 'Only staff members manage staff.');
    const member = await updateStaffMember(identity, storeOf(request), { id: request.principal!.subject, role: actorRole }, request.params.id, request.body);
    return staffView(member);
  });

  const clientList = { tags, response: { 200: Type.Object({ items: Type.Array(ApiClient) }) } };
  api.get(`${ADMIN_PREFIX}/api-clients`, { preHandler: requireScopes('api-clients:write'), schema: clientList }, async (request) => ({
    items: (await clients(identity.db, storeOf(request))).map(clientView),
  }));

  api.post(`${ADMIN_PREFIX}/api-clients`, { preHandler: requireScopes('api-clients:write'), schema: { tags, body: ApiClientInput } }, async (request, reply) => {
    const { client, secret } = await createClient(identity.db, storeOf(request), request.body);
    // The secret is shown once; only its hash is kept.
    return reply.code(201).send({ ...clientView(client), client_secret: secret });
  });

  const clientParams = { tags, params: ClientIdParams };
  api.delete(`${ADMIN_PREFIX}/api-clients/:clientId`, { preHandler: requireScopes('api-clients:write'), schema: clientParams }, async (request, reply) => {
    await revoke(identity, storeOf(request), request.params.clientId);
    return reply.code(204).send();
  });
}
