import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { staffSession, storeHost } from '../../../test/support/auth.ts';
import { type TestApp, makeTenant, startTestApp } from '../../../test/support/platform.ts';
import { requireScopes } from '../../platform/http/auth.ts';
import type { Tenant } from '../tenancy/service.ts';
import { STAFF_ROLES, mayAssign, scopesOf } from './rbac.ts';

describe('RBAC: roles map to scopes, routes declare scopes', () => {
  let t: TestApp;
  let store: Tenant;

  beforeAll(async () => {
    t = await startTestApp(
      {},
      {
        // A write route guarded the way every module guards its routes.
        routes: (app) => app.post('/test/catalog-write', { preHandler: requireScopes('catalog:write') }, async () => ({ written: true })),
      },
    );
    store = await makeTenant(t.platform.db, 'RBAC Store');
  });
  afterAll(() => t.close());

  const write = (headers: Record<string, string>) => t.app.inject({ method: 'POST', url: '/test/catalog-write', headers: { host: storeHost(store), ...headers } });

  it('refuses catalog writes to a staff user without catalog:write, with a 403 problem', async () => {
    const staff = await staffSession(t.platform, store.id, 'staff');
    const response = await write(staff.headers);
    expect(response.statusCode).toBe(403);
    expect(response.headers['content-type']).toContain('application/problem+json');
    expect(response.json()).toMatchObject({ status: 403, missing_scopes: ['catalog:write'] });
  });

  it('lets a manager write the catalog', async () => {
    const manager = await staffSession(t.platform, store.id, 'manager');
    expect((await write(manager.headers)).json()).toEqual({ written: true });
  });

  it('grows scopes with rank: each role holds every scope of the roles below it', () => {
    for (let i = 1; i < STAFF_ROLES.length; i++) {
      const higher = scopesOf(STAFF_ROLES[i - 1]!);
      expect(higher).toEqual(expect.arrayContaining(scopesOf(STAFF_ROLES[i]!)));
    }
    expect(scopesOf('staff')).not.toContain('catalog:write');
    expect(scopesOf('owner').some((scope) => scope.startsWith('platform:'))).toBe(false);
    expect(mayAssign('admin', 'owner')).toBe(false);
    expect(mayAssign('admin', 'admin')).toBe(true);
  });

  it('lets an admin add staff up to their own role, and no one without staff:write', async () => {
    const admin = await staffSession(t.platform, store.id, 'admin');
    const add = (headers: Record<string, string>, role: string) =>
      t.app.inject({
        method: 'POST',
        url: '/admin/api/v1/staff',
        headers: { host: storeHost(store), ...headers },
        payload: { email: `${role}-${Math.random().toString(36).slice(2)}@example.test`, password: 'a-long-password', display_name: 'New', role },
      });
    const created = await add(admin.headers, 'manager');
    expect(created.statusCode).toBe(201);
    expect(created.json()).toMatchObject({ role: 'manager', status: 'active' });
    expect(created.json()).not.toHaveProperty('password_hash');
    expect((await add(admin.headers, 'owner')).statusCode).toBe(403);
    const manager = await staffSession(t.platform, store.id, 'manager');
    expect((await add(manager.headers, 'staff')).json()).toMatchObject({ status: 403, missing_scopes: ['staff:write'] });
    const list = await t.app.inject({ url: '/admin/api/v1/staff', headers: { host: storeHost(store), ...manager.headers } });
    expect(list.json().items.map((member: { role: string }) => member.role)).toContain('manager');
  });
});
