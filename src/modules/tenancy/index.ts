import type { PlatformModule } from '../../platform/platform.ts';
import { HttpProblem } from '../../platform/http/problem.ts';
import { updateContext } from '../../platform/observability/context.ts';
import { type Tenant, resolveTenant, seedDemoTenant, subdomainOf } from './service.ts';

declare module 'fastify' {
  interface FastifyRequest {
    /** The store the request's host names; null on the platform's own host. */
    tenant: Tenant | null;
  }
}

export const tenancyModule: PlatformModule = {
  name: 'tenancy',
  hooks(app, platform) {
    app.decorateRequest('tenant', null);
    app.addHook('onRequest', async (request) => {
      if (request.url.startsWith('/q/')) return;
      const subdomain = subdomainOf(request.host, platform.config.platformDomain);
      if (subdomain === undefined) return;
      const tenant = await resolveTenant(platform.db, subdomain);
      if (!tenant) throw new HttpProblem(404, 'Store not found', `No store is served at ${request.host}.`);
      request.tenant = tenant;
      updateContext({ tenantId: tenant.id, storeId: tenant.id });
    });
  },
  async seed(platform) {
    await seedDemoTenant(platform.db);
  },
};
