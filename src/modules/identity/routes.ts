import formbody from '@fastify/formbody';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { Type } from 'typebox';
import { requireScopes } from '../../platform/http/auth.ts';
import { HttpProblem } from '../../platform/http/problem.ts';
import type { Platform } from '../../platform/platform.ts';
import { createCustomer, createStaffUser, staffUsers } from './accounts.ts';
import { clients, createClient, revoke } from './clients.ts';
import { identityOf } from './identity.ts';
import { endImpersonation, isImpersonated } from './impersonation.ts';
import { tokenEndpoint } from './oauth.ts';
import { isStaffRole, mayAssign } from './rbac.ts';
import type { OAuthClient, StaffUser } from './repository.ts';
import { ApiClient, ApiClientInput, ClientIdParams, CustomerRegistration, LoginBody, Me, RefreshBody, StaffInput, StaffMember, TokenResponse } from './schemas.ts';
import { type Origin, login, logout, refresh } from './service.ts';

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

  // Staff on a store host, platform super-users on the platform host.
  api.post('/auth/login', { schema: { tags, security: [], body: LoginBody, response: { 200: TokenResponse } } }, async (request) =>
    login(identity, { tenantId: request.tenant?.id ?? null, kind: request.tenant ? 'staff' : 'platform', ...request.body }, originOf(request)),
  );

  api.post('/auth/customers', { schema: { tags, security: [], body: CustomerRegistration } }, async (request, reply) => {
    const customer = await createCustomer(identity, storeOf(request), { ...request.body, displayName: request.body.display_name });
    return reply.code(201).send({ id: customer.id, email: customer.email, display_name: customer.display_name });
  });

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
    await revoke(identity.db, storeOf(request), request.params.clientId);
    return reply.code(204).send();
  });
}
