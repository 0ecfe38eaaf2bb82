import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type TestApp, makeTenant, startTestApp } from '../../../test/support/platform.ts';
import { tenancy } from './index.ts';

/** Two app instances on one database: what one changes, the other serves within a second (LISTEN/NOTIFY). */
describe('cache invalidation across replicas', () => {
  let first: TestApp;
  let second: TestApp;
  beforeAll(async () => {
    [first, second] = await Promise.all([startTestApp(), startTestApp()]);
  });
  afterAll(async () => {
    await Promise.all([first.close(), second.close()]);
  });

  async function statusWithin(app: TestApp, host: string, expected: number, ms: number): Promise<number> {
    const deadline = Date.now() + ms;
    for (;;) {
      const { statusCode } = await app.app.inject({ url: '/', headers: { host } });
      if (statusCode === expected || Date.now() > deadline) return statusCode;
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }

  it('shows a suspension made on one replica on the other within a second, and the resume too', async () => {
    const tenant = await makeTenant(first.platform.db, 'Twin Town Textiles');
    const host = `${tenant.subdomain}.localhost`;
    expect((await second.app.inject({ url: '/', headers: { host } })).statusCode).toBe(200);
    expect((await second.app.inject({ url: '/', headers: { host } })).statusCode).toBe(200); // now cached on the second

    const heard = second.platform.events.next('TenantSuspended', (event) => event.tenantId === tenant.id);
    await tenancy(first.platform).suspendTenant({ tenantId: tenant.id, reason: 'Replica test', actor: 'admin-1' });
    expect(await statusWithin(second, host, 503, 1_000)).toBe(503);
    await heard;

    await tenancy(first.platform).resumeTenant({ tenantId: tenant.id, reason: 'Replica test over', actor: 'admin-1' });
    expect(await statusWithin(second, host, 200, 1_000)).toBe(200);
  });

  it('serves a store created on one replica at once on the other, though it was cached as unknown', async () => {
    const subdomain = `late-${Date.now()}`;
    expect((await second.app.inject({ url: '/', headers: { host: `${subdomain}.localhost` } })).statusCode).toBe(404);
    await first.platform.db.kysely.insertInto('tenants').values({ subdomain, name: 'Late Bloomer' }).execute();
    expect(await statusWithin(second, `${subdomain}.localhost`, 200, 1_000)).toBe(200);
  });
});
