import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance } from 'fastify';
import { Type } from 'typebox';
import { requireScopes } from '../../platform/http/auth.ts';
import type { Platform } from '../../platform/platform.ts';
import { type DomainView, addDomainCommand, listCustomDomains, removeDomainCommand, tenancy, verifyDomainCommand } from '../tenancy/index.ts';
import { PlatformCommand, StoreParams } from './schemas.ts';
import { commandView } from './service.ts';

const Domain = Type.Object({
  hostname: Type.String(),
  status: Type.String(),
  verification: Type.Object({ type: Type.Literal('TXT'), name: Type.String(), value: Type.String() }),
  verified_at: Type.Union([Type.String(), Type.Null()]),
  last_checked_at: Type.Union([Type.String(), Type.Null()]),
  last_error: Type.Union([Type.String(), Type.Null()]),
});
const Audit = { reason: Type.String({ minLength: 1, maxLength: 1900 }), ticket: Type.Optional(Type.String({ minLength: 1, maxLength: 100 })) };
const AddBody = Type.Object({ hostname: Type.String({ minLength: 3, maxLength: 253 }), ...Audit }, { additionalProperties: false });
const AuditBody = Type.Object(Audit, { additionalProperties: false });
const DomainParams = Type.Object({ ...StoreParams.properties, hostname: Type.String({ minLength: 3, maxLength: 253, pattern: '^[A-Za-z0-9.-]+$' }) });
const DomainChange = Type.Object({ domain: Domain, command: PlatformCommand });

const domainView = (domain: DomainView) => ({
  ...domain,
  verified_at: domain.verified_at?.toISOString() ?? null,
  last_checked_at: domain.last_checked_at?.toISOString() ?? null,
});

/** A store's custom domains from the console: each change is an audited platform command (as from the CLI). */
export async function domainRoutes(app: FastifyInstance, platform: Platform, prefix: string): Promise<void> {
  const api = app.withTypeProvider<TypeBoxTypeProvider>();
  const tags = ['platform-admin'];
  const change = (request: { params: { id: string }; body: { reason: string; ticket?: string | undefined }; principal: { subject: string } | null }, hostname: string) => ({
    tenantId: request.params.id,
    hostname,
    actor: request.principal!.subject,
    reason: request.body.reason,
    ...(request.body.ticket ? { ticket: request.body.ticket } : {}),
  });

  api.get(
    `${prefix}/stores/:id/domains`,
    { preHandler: requireScopes('platform:stores:read'), schema: { tags, params: StoreParams, response: { 200: Type.Array(Domain) } } },
    async (request) => (await listCustomDomains(platform.db, request.params.id)).map(domainView),
  );

  api.post(
    `${prefix}/stores/:id/domains`,
    { preHandler: requireScopes('platform:stores:write'), schema: { tags, params: StoreParams, body: AddBody, response: { 201: DomainChange } } },
    async (request, reply) => {
      const added = await addDomainCommand(platform.db, platform.config.platformDomain, change(request, request.body.hostname));
      return reply.code(201).send({ domain: domainView(added.domain), command: commandView(added.command) });
    },
  );

  api.post(
    `${prefix}/stores/:id/domains/:hostname/verify`,
    { preHandler: requireScopes('platform:stores:write'), schema: { tags, params: DomainParams, body: AuditBody, response: { 200: DomainChange } } },
    async (request) => {
      const verified = await verifyDomainCommand(platform.db, tenancy(platform).txtResolver, change(request, request.params.hostname));
      return { domain: domainView(verified.domain), command: commandView(verified.command) };
    },
  );

  api.delete(
    `${prefix}/stores/:id/domains/:hostname`,
    { preHandler: requireScopes('platform:stores:write'), schema: { tags, params: DomainParams, body: AuditBody, response: { 200: PlatformCommand } } },
    async (request) => commandView(await removeDomainCommand(platform.db, change(request, request.params.hostname))),
  );
}
