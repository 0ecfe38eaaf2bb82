import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance } from 'fastify';
import { requireScopes } from '../../platform/http/auth.ts';
import type { Platform } from '../../platform/platform.ts';
import { identityOf } from '../identity/identity.ts';
import { startImpersonation } from '../identity/impersonation.ts';
import { AuditPage, AuditQuery, ImpersonationGrant, ImpersonationStart, StoreDetail, StoreListQuery, StorePage, StoreParams } from './schemas.ts';
import { impersonationLog, storeDetail, storeList } from './service.ts';

export const PLATFORM_PREFIX = '/admin/platform';

/** The platform console's API. Platform tokens are valid only on the platform host, and only they hold platform scopes. */
export async function platformAdminRoutes(app: FastifyInstance, platform: Platform): Promise<void> {
  const identity = identityOf(platform);
  const api = app.withTypeProvider<TypeBoxTypeProvider>();

  api.get(
    `${PLATFORM_PREFIX}/stores`,
    { preHandler: requireScopes('platform:stores:read'), schema: { querystring: StoreListQuery, response: { 200: StorePage } } },
    async (request) => storeList(platform.db, { search: request.query.q, status: request.query.status, plan: request.query.plan, limit: request.query.limit, cursor: request.query.cursor }),
  );

  api.get(
    `${PLATFORM_PREFIX}/stores/:id`,
    { preHandler: requireScopes('platform:stores:read'), schema: { params: StoreParams, response: { 200: StoreDetail } } },
    async (request) => storeDetail(identity, request.params.id),
  );

  api.post(
    `${PLATFORM_PREFIX}/impersonations`,
    { preHandler: requireScopes('platform:impersonate'), schema: { body: ImpersonationStart, response: { 201: ImpersonationGrant } } },
    async (request, reply) => {
      const grant = await startImpersonation(identity, request.principal!.subject, {
        tenantId: request.body.store_id,
        userId: request.body.user_id,
        reasonCode: request.body.reason_code,
        ticket: request.body.ticket,
      });
      return reply.code(201).header('cache-control', 'no-store').send(grant);
    },
  );

  api.get(
    `${PLATFORM_PREFIX}/impersonations`,
    { preHandler: requireScopes('platform:audit:read'), schema: { querystring: AuditQuery, response: { 200: AuditPage } } },
    async (request) =>
      impersonationLog(identity, {
        storeId: request.query.store_id,
        actorId: request.query.actor_id,
        impersonationId: request.query.impersonation_id,
        cursor: request.query.cursor,
        limit: request.query.limit,
      }),
  );
}
