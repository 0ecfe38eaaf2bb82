import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance } from 'fastify';
import { requireScopes } from '../../platform/http/auth.ts';
import type { Platform } from '../../platform/platform.ts';
import { endImpersonationById, identityOf, startImpersonation } from '../identity/index.ts';
import { type TenantPlan, changePlan, tenancy } from '../tenancy/index.ts';
import { domainRoutes } from './domain-routes.ts';
import { observabilityRoutes } from './observability-routes.ts';
import {
  AuditPage,
  AuditQuery,
  CommandBody,
  CommandPage,
  CommandQuery,
  FlagOverrideBody,
  FlagParams,
  ImpersonationGrant,
  ImpersonationStart,
  OnboardBody,
  OnboardedStore,
  OwnerReinvited,
  PlanBody,
  PlatformCommand,
  StaffPage,
  StoreDetail,
  StoreListQuery,
  StorePage,
  StoreParams,
} from './schemas.ts';
import { clearFlagOverride, commandLog, commandView, impersonationLog, onboardedView, overrideFlag, reinvitedView, storeDetail, storeList, storeOriginFor, storeStaff } from './service.ts';
import { createStore, reinviteOwner } from './store-creation.ts';

export const PLATFORM_PREFIX = '/admin/platform';

/** The platform console's API. Platform tokens are valid only on the platform host, and only they hold platform scopes. */
export async function platformAdminRoutes(app: FastifyInstance, platform: Platform): Promise<void> {
  const identity = identityOf(platform);
  const tenants = tenancy(platform);
  const api = app.withTypeProvider<TypeBoxTypeProvider>();
  const tags = ['platform-admin'];
  await observabilityRoutes(app, platform, PLATFORM_PREFIX);
  await domainRoutes(app, platform, PLATFORM_PREFIX);

  api.get(
    `${PLATFORM_PREFIX}/stores`,
    { preHandler: requireScopes('platform:stores:read'), schema: { tags, querystring: StoreListQuery, response: { 200: StorePage } } },
    async (request) => {
      const { q, status, plan, limit, cursor } = request.query;
      return storeList(platform.db, { search: q, status, plan, limit, cursor }, { traffic: platform.config.tracing.store.enabled });
    },
  );

  api.get(
    `${PLATFORM_PREFIX}/stores/:id`,
    { preHandler: requireScopes('platform:stores:read'), schema: { tags, params: StoreParams, response: { 200: StoreDetail } } },
    async (request) => storeDetail(platform, identity, tenants, request.params.id),
  );

  api.get(
    `${PLATFORM_PREFIX}/stores/:id/staff`,
    { preHandler: requireScopes('platform:impersonate'), schema: { tags, params: StoreParams, response: { 200: StaffPage } } },
    async (request) => storeStaff(platform.db, request.params.id),
  );

  api.get(
    `${PLATFORM_PREFIX}/commands`,
    { preHandler: requireScopes('platform:audit:read'), schema: { tags, querystring: CommandQuery, response: { 200: CommandPage } } },
    async (request) => {
      const { store_id, command, cursor, limit } = request.query;
      return commandLog(platform.db, { storeId: store_id, command, cursor, limit });
    },
  );

  api.post(
    `${PLATFORM_PREFIX}/stores`,
    { preHandler: requireScopes('platform:stores:write'), schema: { tags, body: OnboardBody, response: { 201: OnboardedStore } } },
    async (request, reply) => {
      const { subdomain, name, plan, reason, ticket, owner } = request.body;
      const created = await createStore(platform.db, platform.mail, storeOriginFor(request), {
        subdomain,
        name,
        reason,
        owner,
        actor: request.principal!.subject,
        ...(plan ? { plan: plan as TenantPlan } : {}),
        ...(ticket ? { ticket } : {}),
      });
      return reply.code(201).send(onboardedView(created));
    },
  );

  api.post(
    `${PLATFORM_PREFIX}/stores/:id/owner-invitation`,
    {
      preHandler: requireScopes('platform:stores:write'),
      schema: { tags, summary: 'E-mail a new set-password link to an owner who never chose a password', params: StoreParams, body: CommandBody, response: { 201: OwnerReinvited } },
    },
    async (request, reply) => {
      const { reason, ticket } = request.body;
      const command = { tenantId: request.params.id, actor: request.principal!.subject, reason, ...(ticket ? { ticket } : {}) };
      return reply.code(201).send(reinvitedView(await reinviteOwner(platform.db, platform.mail, storeOriginFor(request), command)));
    },
  );

  api.post(
    `${PLATFORM_PREFIX}/stores/:id/plan`,
    { preHandler: requireScopes('platform:stores:write'), schema: { tags, params: StoreParams, body: PlanBody, response: { 200: PlatformCommand } } },
    async (request) => {
      const { plan, reason, ticket } = request.body;
      const change = { tenantId: request.params.id, plan: plan as TenantPlan, actor: request.principal!.subject, reason, ...(ticket ? { ticket } : {}) };
      return commandView(await changePlan(platform.db, change));
    },
  );

  // Suspension is the gateway's (503 on every host of the store within a second); each is a platform command.
  for (const action of ['suspend', 'resume'] as const) {
    api.post(
      `${PLATFORM_PREFIX}/stores/:id/${action}`,
      {
        preHandler: requireScopes('platform:stores:write'),
        schema: { tags, params: StoreParams, body: CommandBody, response: { 200: PlatformCommand } },
      },
      async (request) => {
        const { reason, ticket } = request.body;
        const command = { tenantId: request.params.id, actor: request.principal!.subject, reason, ...(ticket ? { ticket } : {}) };
        return commandView(action === 'suspend' ? await tenants.suspendTenant(command) : await tenants.resumeTenant(command));
      },
    );
  }

  api.put(
    `${PLATFORM_PREFIX}/stores/:id/flags/:key`,
    { preHandler: requireScopes('platform:flags:write'), schema: { tags, params: FlagParams, body: FlagOverrideBody } },
    async (request, reply) => {
      const { value, reason, expires_at } = request.body;
      await overrideFlag(platform.db, tenants, { storeId: request.params.id, key: request.params.key, value, reason, expiresAt: expires_at });
      return reply.code(204).send();
    },
  );

  api.delete(
    `${PLATFORM_PREFIX}/stores/:id/flags/:key`,
    { preHandler: requireScopes('platform:flags:write'), schema: { tags, params: FlagParams } },
    async (request, reply) => {
      await clearFlagOverride(platform.db, tenants, request.params.id, request.params.key);
      return reply.code(204).send();
    },
  );

  api.post(
    `${PLATFORM_PREFIX}/impersonations`,
    { preHandler: requireScopes('platform:impersonate'), schema: { tags, body: ImpersonationStart, response: { 201: ImpersonationGrant } } },
    async (request, reply) => {
      const grant = await startImpersonation(identity, request.accessClaims!, {
        tenantId: request.body.store_id,
        userId: request.body.user_id,
        reasonCode: request.body.reason_code,
        ticket: request.body.ticket,
      });
      return reply.code(201).header('cache-control', 'no-store').send(grant);
    },
  );

  api.delete(
    `${PLATFORM_PREFIX}/impersonations/:id`,
    { preHandler: requireScopes('platform:impersonate'), schema: { tags, params: StoreParams } },
    async (request, reply) => {
      await endImpersonationById(identity, request.accessClaims!, request.params.id, request.id);
      return reply.code(204).send();
    },
  );

  api.get(
    `${PLATFORM_PREFIX}/impersonations`,
    { preHandler: requireScopes('platform:audit:read'), schema: { tags, querystring: AuditQuery, response: { 200: AuditPage } } },
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
