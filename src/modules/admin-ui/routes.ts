import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { Type } from 'typebox';
import { brandTokens } from '../../../ui/tokens/index.ts';
import { HttpProblem } from '../../platform/http/problem.ts';
import type { Platform } from '../../platform/platform.ts';
import { type Tenant, tenancy } from '../tenancy/index.ts';
import type { AppBuild } from './assets.ts';
import { IMMUTABLE, NO_CACHE, appPolicy, send, uploadOrigins } from './delivery.ts';
import { Bootstrap, TelemetryBatch } from './schemas.ts';
import { recordTelemetry } from './telemetry-intake.ts';

const API_BASE = '/admin/api/v1';

function storeOf(request: FastifyRequest): Tenant {
  if (!request.tenant) throw new HttpProblem(404, 'Not Found', 'The back office is served on a store host.');
  return request.tenant;
}

/** The merchant back office: the built app under /admin, its bootstrap document and its telemetry intake. */
export async function adminUiRoutes(root: FastifyInstance, platform: Platform, build: AppBuild): Promise<void> {
  const app = root.withTypeProvider<TypeBoxTypeProvider>();
  const tags = ['admin-ui'];

  app.get('/admin/assets/:file', { schema: { hide: true, params: Type.Object({ file: Type.String({ pattern: '^[\\w.-]{1,120}$' }) }) } }, async (request, reply) => {
    const file = build.assets.get(request.params.file);
    if (!file) throw new HttpProblem(404, 'Not Found', 'No such admin asset (it may belong to an older release: reload the page).');
    return send(request, reply, file, IMMUTABLE);
  });

  // The product editor uploads media straight to storage, so the page may connect there too.
  const policy = appPolicy(await uploadOrigins(platform.storage));
  const shell = async (request: FastifyRequest, reply: FastifyReply) => {
    storeOf(request);
    if (request.url.startsWith(`${API_BASE}/`)) throw new HttpProblem(404, 'Not Found', 'No such admin API endpoint.');
    return send(request, reply.header('content-security-policy', policy), build.index, NO_CACHE);
  };
  app.get('/admin', { schema: { hide: true } }, shell);
  app.get('/admin/*', { schema: { hide: true } }, shell);

  app.get('/admin/bootstrap', { schema: { tags, security: [], response: { 200: Bootstrap } } }, async (request, reply) => {
    const store = storeOf(request);
    const settings = await tenancy(platform).storeSettings(store.id);
    const principal = request.principal?.tenantId === store.id && request.principal.kind === 'staff' ? request.principal : null;
    const branding = {
      tagline: settings?.tagline ?? null,
      logo_url: settings?.logo_url ?? null,
      primary_color: settings?.primary_color ?? brandTokens()['color-primary'],
      accent_color: settings?.accent_color ?? brandTokens()['color-accent'],
    };
    reply.header('cache-control', 'private, no-cache');
    return {
      store: { id: store.id, name: store.name, subdomain: store.subdomain, plan: store.plan, status: store.status },
      branding,
      design_tokens: brandTokens(branding),
      api_base_url: API_BASE,
      storefront_url: '/',
      flags: principal ? await tenancy(platform).flags.values(store) : {},
      user: principal && {
        subject: principal.subject,
        roles: principal.roles,
        scopes: principal.scopes,
        impersonation: principal.impersonation
          ? { actor_id: principal.impersonation.actorId, reason: principal.impersonation.reason, ticket: principal.impersonation.ticket ?? null }
          : null,
      },
    };
  });

  app.post('/admin/telemetry', { bodyLimit: 32_768, schema: { tags, security: [], body: TelemetryBatch } }, async (request, reply) => {
    storeOf(request);
    recordTelemetry(request.body.events);
    return reply.code(204).send();
  });
}
