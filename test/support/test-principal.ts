import type { Principal } from '../../src/platform/http/auth.ts';
import { buildApp } from '../../src/platform/http/app.ts';
import { configureLogging } from '../../src/platform/observability/logger.ts';
import { startPlatform } from '../../src/platform/runtime/start.ts';
import { type TestApp, testConfig } from './platform.ts';

/**
 * TEST ONLY, until the identity module mints real access tokens: the platform with an extra onRequest hook
 * that takes `request.principal` from the `x-test-principal` header (JSON of a Principal). Never used in src/.
 */
export const TEST_PRINCIPAL_HEADER = 'x-test-principal';

export async function startTestAppWithTestPrincipals(env: Record<string, string> = {}): Promise<TestApp> {
  const config = testConfig(env);
  configureLogging(config);
  const running = await startPlatform(config, ['web', 'worker']);
  const app = await buildApp(running.platform);
  app.addHook('preHandler', async (request) => {
    const header = request.headers[TEST_PRINCIPAL_HEADER];
    if (typeof header === 'string') request.principal = JSON.parse(header) as Principal;
  });
  await app.ready();
  return {
    app,
    platform: running.platform,
    async close() {
      await app.close();
      await running.stop();
    },
  };
}

/** Headers of a request from a staff member of `tenant` with `scopes`, on the tenant's host. */
export function staffHeaders(tenant: { id: string; subdomain: string }, scopes: string[]): Record<string, string> {
  const principal: Principal = { kind: 'staff', subject: 'staff-test', tenantId: tenant.id, roles: ['owner'], scopes };
  return { host: `${tenant.subdomain}.localhost`, [TEST_PRINCIPAL_HEADER]: JSON.stringify(principal) };
}

export const ALL_CATALOG_SCOPES = ['catalog:read', 'catalog:write', 'inventory:read', 'inventory:write'];
