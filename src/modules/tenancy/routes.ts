import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance, FastifyRequest, preHandlerAsyncHookHandler } from 'fastify';
import { Type } from 'typebox';
import { requireScopes } from '../../platform/http/auth.ts';
import { HttpProblem } from '../../platform/http/problem.ts';
import type { Platform } from '../../platform/platform.ts';
import type { DomainView } from './domains.ts';
import { type StoreSettings, findStoreSettings, updateStoreSettings } from './repository.ts';
import { Domain, DomainInput, HostnameParams, StoreSettingsPatch, StoreSettingsView } from './schemas.ts';
import { tenancy } from './service.ts';

const P = '/admin/api/v1';

function storeOf(request: FastifyRequest): string {
  if (!request.tenant) throw new HttpProblem(404, 'Not Found', 'The admin API is served on a store host.');
  return request.tenant.id;
}

const sameStore: preHandlerAsyncHookHandler = async (request) => {
  if (request.principal?.tenantId !== storeOf(request)) throw new HttpProblem(403, 'Forbidden', 'The token belongs to another store.');
};
const guard = (...scopes: string[]) => [requireScopes(...scopes), sameStore];

const settingsView = (row: StoreSettings) => ({ tagline: row.tagline, logo_url: row.logo_url, primary_color: row.primary_color, accent_color: row.accent_color });
const domainView = (domain: DomainView) => ({
  ...domain,
  verified_at: domain.verified_at?.toISOString() ?? null,
  last_checked_at: domain.last_checked_at?.toISOString() ?? null,
});

/** The store's own settings: branding (what the storefront and the admin show) and custom domains. */
export async function tenancyRoutes(root: FastifyInstance, platform: Platform): Promise<void> {
  const app = root.withTypeProvider<TypeBoxTypeProvider>();
  const tags = ['store'];
  const service = tenancy(platform);

  app.get(`${P}/store/settings`, { schema: { tags, response: { 200: StoreSettingsView } }, preHandler: guard() }, async (request) =>
    settingsView((await platform.db.withTenant(storeOf(request), findStoreSettings))!),
  );

  app.patch(`${P}/store/settings`, { schema: { tags, body: StoreSettingsPatch, response: { 200: StoreSettingsView } }, preHandler: guard('settings:write') }, async (request) => {
    const tenantId = storeOf(request);
    const saved = await platform.db.withTenant(tenantId, (trx) => updateStoreSettings(trx, request.body));
    service.forgetStoreSettings(tenantId);
    return settingsView(saved);
  });

  app.get(`${P}/domains`, { schema: { tags, response: { 200: Type.Object({ items: Type.Array(Domain) }) } }, preHandler: guard('settings:write') }, async (request) => ({
    items: (await service.listCustomDomains(storeOf(request))).map(domainView),
  }));

  app.post(`${P}/domains`, { schema: { tags, body: DomainInput, response: { 201: Domain } }, preHandler: guard('settings:write') }, async (request, reply) =>
    reply.code(201).send(domainView(await service.addCustomDomain(storeOf(request), request.body.hostname))),
  );

  app.post(`${P}/domains/:hostname/verify`, { schema: { tags, params: HostnameParams, response: { 200: Domain } }, preHandler: guard('settings:write') }, async (request) =>
    domainView(await service.verifyCustomDomain(storeOf(request), request.params.hostname)),
  );

  app.delete(`${P}/domains/:hostname`, { schema: { tags, params: HostnameParams }, preHandler: guard('settings:write') }, async (request, reply) => {
    await service.removeCustomDomain(storeOf(request), request.params.hostname);
    return reply.code(204).send();
  });
}
