import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PLATFORM_HOST, type TestSession, platformSession, staffSession, storeHost } from '../../../test/support/auth.ts';
import { type TestApp, makeTenant, startTestApp } from '../../../test/support/platform.ts';
import { tenancy } from '../tenancy/index.ts';
import { type Tenant, createTenant } from '../tenancy/service.ts';

describe('platform admin API', () => {
  let t: TestApp;
  let operator: TestSession;
  let store: Tenant;
  const tag = `pa${Date.now().toString(36)}`;

  const get = (url: string, headers: Record<string, string> = operator.headers, host = PLATFORM_HOST) => t.app.inject({ url, headers: { host, ...headers } });

  beforeAll(async () => {
    t = await startTestApp();
    operator = await platformSession(t.platform);
    store = await makeTenant(t.platform.db, 'Platform Admin Store');
    for (let i = 0; i < 5; i++) {
      await createTenant(t.platform.db, { subdomain: `${tag}-${i}`, name: `Searchable ${tag} ${i}`, plan: i % 2 === 0 ? 'growth' : 'free' });
    }
  });
  afterAll(() => t.close());

  describe('store list', () => {
    it('searches, filters by plan and pages with a cursor, newest first', async () => {
      const first = await get(`/admin/platform/stores?q=${tag}&limit=2`);
      expect(first.statusCode).toBe(200);
      const page1 = first.json();
      expect(page1.items.map((s: Tenant) => s.subdomain)).toEqual([`${tag}-4`, `${tag}-3`]);
      // This process keeps no traces: traffic is unknown, not zero.
      expect(page1.items.map((s: { requests_last_hour: number | null }) => s.requests_last_hour)).toEqual([null, null]);
      const page2 = (await get(`/admin/platform/stores?q=${tag}&limit=2&cursor=${page1.next_cursor}`)).json();
      const page3 = (await get(`/admin/platform/stores?q=${tag}&limit=2&cursor=${page2.next_cursor}`)).json();
      expect([...page2.items, ...page3.items].map((s: Tenant) => s.subdomain)).toEqual([`${tag}-2`, `${tag}-1`, `${tag}-0`]);
      expect(page3.next_cursor).toBeNull();
      const growth = (await get(`/admin/platform/stores?q=${tag}&plan=growth&status=active`)).json();
      expect(growth.items.map((s: Tenant) => s.subdomain)).toEqual([`${tag}-4`, `${tag}-2`, `${tag}-0`]);
      const metrics = (await t.app.inject({ url: '/q/metrics' })).body;
      expect(metrics).toMatch(/villagecompute_storefront_platform_admin_store_list_duration_seconds_count [1-9]/);
    });

    it('treats LIKE wildcards in the search as text', async () => {
      expect((await get('/admin/platform/stores?q=%25_%25')).json().items).toEqual([]);
    });

    it('refuses bad parameters with 400 problems', async () => {
      for (const query of ['q=ab', 'limit=0', 'limit=1000', 'status=closed', 'plan=gold', 'cursor=bm90LWEtY3Vyc29y']) {
        const response = await get(`/admin/platform/stores?${query}`);
        expect(response.statusCode, query).toBe(400);
        expect(response.headers['content-type']).toContain('application/problem+json');
      }
    });

    it('is closed to store tokens and to anonymous callers', async () => {
      const owner = await staffSession(t.platform, store.id, 'owner');
      expect((await get('/admin/platform/stores', owner.headers, storeHost(store))).statusCode).toBe(403);
      expect((await get('/admin/platform/stores', owner.headers)).statusCode).toBe(401);
      expect((await get('/admin/platform/stores', {})).statusCode).toBe(401);
    });
  });

  it('tells the console whether the super-user has a second factor and whether this token proved it', async () => {
    const me = async (headers: Record<string, string>) => (await get('/auth/me', headers)).json().second_factor;
    expect(await me(operator.headers)).toEqual({ enrolled: true, verified: true });
    expect(await me((await platformSession(t.platform, { secondFactor: false })).headers)).toEqual({ enrolled: false, verified: false });
    const owner = await staffSession(t.platform, store.id, 'owner');
    expect((await get('/auth/me', owner.headers, storeHost(store))).json().second_factor).toBeNull();
  });

  it('shows a store with its account counts', async () => {
    await staffSession(t.platform, store.id, 'owner');
    const detail = await get(`/admin/platform/stores/${store.id}`);
    expect(detail.statusCode).toBe(200);
    expect(detail.json()).toMatchObject({ id: store.id, subdomain: store.subdomain, accounts: { staff: expect.any(Number), customers: 0, api_clients: 0 } });
    expect(detail.json().accounts.staff).toBeGreaterThan(0);
    expect((await get('/admin/platform/stores/00000000-0000-4000-8000-000000000000')).statusCode).toBe(404);
    expect((await get('/admin/platform/stores/not-a-uuid')).statusCode).toBe(400);
  });

  it('shows what the console needs of a store: domains, flags with overrides, jobs paused, staff', async () => {
    const target = await makeTenant(t.platform.db, 'Detailed Store');
    const owner = await staffSession(t.platform, target.id, 'owner');
    await tenancy(t.platform).addCustomDomain(target.id, `shop-${tag}.example.com`);
    await tenancy(t.platform).flags.setOverride({ tenantId: target.id, key: 'rate_limit.burst', value: 777, reason: 'Launch day' });
    await t.platform.jobs.pausing.pauseTenant(target.id, 'Import loop');
    const detail = (await get(`/admin/platform/stores/${target.id}`)).json();
    expect(detail.domains).toEqual([expect.objectContaining({ hostname: `shop-${tag}.example.com`, status: 'pending', verification: expect.objectContaining({ type: 'TXT' }) })]);
    expect(detail.flags).toContainEqual({ key: 'rate_limit.burst', value: 777, override: { value: 777, reason: 'Launch day', expires_at: null, expired: false } });
    expect(detail.jobs).toMatchObject({ paused: true, paused_because: 'paused', pause_reason: 'Import loop', recent_dead: [] });
    const staff = await get(`/admin/platform/stores/${target.id}/staff`);
    expect(staff.json().items).toEqual([expect.objectContaining({ id: owner.userId, email: owner.email, role: 'owner', status: 'active' })]);
    expect((await get(`/admin/platform/stores/${target.id}/staff`, owner.headers, storeHost(target))).statusCode).toBe(403);
    expect((await get('/admin/platform/stores/00000000-0000-4000-8000-000000000000/staff')).statusCode).toBe(404);
    await t.platform.jobs.pausing.resumeTenant(target.id);
  });

  it('lists the platform command log across stores, newest first, by store and by command, with a cursor', async () => {
    const target = await makeTenant(t.platform.db, 'Audited Store');
    for (const action of ['suspend', 'resume', 'suspend'] as const) {
      const response = await t.app.inject({
        method: 'POST',
        url: `/admin/platform/stores/${target.id}/${action}`,
        headers: { host: PLATFORM_HOST, ...operator.headers },
        payload: { reason: `${action} for the audit`, ticket: 'AUD-1' },
      });
      expect(response.statusCode).toBe(200);
    }
    const first = (await get(`/admin/platform/commands?store_id=${target.id}&limit=2`)).json();
    expect(first.items.map((row: { command: string }) => row.command)).toEqual(['tenant.suspend', 'tenant.resume']);
    const second = (await get(`/admin/platform/commands?store_id=${target.id}&limit=2&cursor=${first.next_cursor}`)).json();
    expect(second).toMatchObject({ items: [{ command: 'tenant.suspend', store_id: target.id, ticket: 'AUD-1' }], next_cursor: null });
    const resumes = (await get('/admin/platform/commands?command=tenant.resume&limit=200')).json();
    expect(resumes.items.every((row: { command: string }) => row.command === 'tenant.resume')).toBe(true);
    expect((await get('/admin/platform/commands?command=DROP TABLE')).statusCode).toBe(400);
    expect((await get('/admin/platform/commands', {})).statusCode).toBe(401);
  });

  describe('suspension and flag overrides (on the gateway)', () => {
    const post = (url: string, payload: object, headers = operator.headers) =>
      t.app.inject({ method: 'POST', url, headers: { host: PLATFORM_HOST, ...headers }, payload });

    it('onboards a store as a tenant.create command, refusing reserved, confusable, taken and malformed claims', async () => {
      const subdomain = `${tag}-onboarded`;
      const owner = { email: `${subdomain}@example.test`, name: 'Olive Owner' };
      const created = await post('/admin/platform/stores', { subdomain, name: 'Onboarded Outfitters', plan: 'growth', reason: 'Signed contract', ticket: 'ONB-7', owner });
      expect(created.statusCode).toBe(201);
      expect(created.json()).toMatchObject({
        store: { subdomain, name: 'Onboarded Outfitters', plan: 'growth', status: 'active' },
        command: { command: 'tenant.create', actor: operator.userId, reason: 'Signed contract', ticket: 'ONB-7' },
      });
      const storeId = created.json().store.id;
      const replanned = await post(`/admin/platform/stores/${storeId}/plan`, { plan: 'enterprise', reason: 'Upsell' });
      expect(replanned.json()).toMatchObject({ command: 'tenant.plan', reason: 'growth → enterprise: Upsell' });
      expect((await post(`/admin/platform/stores/${storeId}/plan`, { plan: 'enterprise', reason: 'again' })).statusCode).toBe(409);
      const detail = (await get(`/admin/platform/stores/${storeId}`)).json();
      expect([detail.plan, detail.platform_commands.length]).toEqual(['enterprise', 2]);
      for (const [payload, status] of [
        [{ subdomain: 'admin', name: 'x', reason: 'r', owner }, 400],
        [{ subdomain: 'supp0rt', name: 'x', reason: 'r', owner }, 400],
        [{ subdomain, name: 'x', reason: 'r', owner }, 409],
        [{ subdomain: 'fine-name', name: 'x', reason: 'r', owner: 'not an owner' }, 400],
        [{ subdomain: 'fine-name', name: 'x', reason: 'r' }, 400],
        [{ subdomain: 'fine-name', name: 'x', reason: 'r', owner: { email: 'not-an-address', name: 'x' } }, 400],
        [{ subdomain: 'fine-name', name: 'x', reason: 'r', owner, plan: 'gold' }, 400],
      ] as const) {
        const response = await post('/admin/platform/stores', payload);
        expect(response.statusCode, JSON.stringify(payload)).toBe(status);
        expect(response.json().request_id).toBeTruthy();
      }
      const storeOwner = await staffSession(t.platform, store.id, 'owner');
      expect((await post('/admin/platform/stores', { subdomain: 'fine-name', name: 'x', reason: 'r', owner }, storeOwner.headers)).statusCode).toBe(401);
    });

    it('suspends and resumes a store, each recorded as a platform command with actor, reason and ticket', async () => {
      const target = await makeTenant(t.platform.db, 'Suspended Store');
      const suspended = await post(`/admin/platform/stores/${target.id}/suspend`, { reason: 'Chargeback fraud under review', ticket: 'RISK-9' });
      expect(suspended.statusCode).toBe(200);
      expect(suspended.json()).toMatchObject({ command: 'tenant.suspend', actor: operator.userId, reason: 'Chargeback fraud under review', ticket: 'RISK-9' });
      expect((await t.app.inject({ url: '/', headers: { host: storeHost(target) } })).statusCode).toBe(503);
      expect((await post(`/admin/platform/stores/${target.id}/suspend`, { reason: 'again' })).statusCode).toBe(409);
      const resumed = await post(`/admin/platform/stores/${target.id}/resume`, { reason: 'Review closed' });
      expect(resumed.json()).toMatchObject({ command: 'tenant.resume', ticket: null });
      expect((await t.app.inject({ url: '/', headers: { host: storeHost(target) } })).statusCode).toBe(200);
      const detail = (await get(`/admin/platform/stores/${target.id}`)).json();
      expect(detail.platform_commands.map((command: { command: string }) => command.command).sort()).toEqual(['tenant.resume', 'tenant.suspend']);
    });

    it('refuses a suspension without a reason, of an unknown store, or by a store token', async () => {
      expect((await post(`/admin/platform/stores/${store.id}/suspend`, {})).statusCode).toBe(400);
      expect((await post(`/admin/platform/stores/${store.id}/suspend`, { reason: '' })).statusCode).toBe(400);
      expect((await post('/admin/platform/stores/00000000-0000-4000-8000-000000000000/suspend', { reason: 'x' })).statusCode).toBe(404);
      const owner = await staffSession(t.platform, store.id, 'owner');
      const response = await t.app.inject({
        method: 'POST',
        url: `/admin/platform/stores/${store.id}/suspend`,
        headers: { host: storeHost(store), ...owner.headers },
        payload: { reason: 'self-suspend' },
      });
      expect(response.statusCode).toBe(403);
      expect((await get(`/admin/platform/stores/${store.id}`)).json().status).toBe('active');
    });

    it('overrides a flag for one store and clears it; refuses unknown flags, wrong types and unknown stores', async () => {
      const put = (id: string, key: string, payload: object) =>
        t.app.inject({ method: 'PUT', url: `/admin/platform/stores/${id}/flags/${key}`, headers: { host: PLATFORM_HOST, ...operator.headers }, payload });
      const target = await makeTenant(t.platform.db, 'Flagged Store');
      expect((await put(target.id, 'rate_limit.burst', { value: 5000, reason: 'Black Friday', expires_at: '2030-01-01T00:00:00Z' })).statusCode).toBe(204);
      const resolved = { ...target, custom_domains: [] };
      expect(await tenancy(t.platform).flags.evaluate(resolved, 'rate_limit.burst')).toBe(5000);
      expect((await put(target.id, 'rate_limit.burst', { value: 'lots', reason: 'x' })).statusCode).toBe(400);
      expect((await put(target.id, 'no.such-flag', { value: true, reason: 'x' })).statusCode).toBe(404);
      expect((await put(target.id, 'rate_limit.burst', { value: 1 })).statusCode).toBe(400);
      expect((await put('00000000-0000-4000-8000-000000000000', 'rate_limit.burst', { value: 1, reason: 'x' })).statusCode).toBe(404);
      const cleared = await t.app.inject({ method: 'DELETE', url: `/admin/platform/stores/${target.id}/flags/rate_limit.burst`, headers: { host: PLATFORM_HOST, ...operator.headers } });
      expect(cleared.statusCode).toBe(204);
      expect(await tenancy(t.platform).flags.evaluate(resolved, 'rate_limit.burst')).not.toBe(5000);
    });
  });

  describe('impersonation', () => {
    const start = (payload: object, headers = operator.headers) =>
      t.app.inject({ method: 'POST', url: '/admin/platform/impersonations', headers: { host: PLATFORM_HOST, ...headers }, payload });

    it('is refused without a reason code, or with one not on the list', async () => {
      const member = await staffSession(t.platform, store.id, 'manager');
      for (const payload of [
        { store_id: store.id, user_id: member.userId },
        { store_id: store.id, user_id: member.userId, reason_code: 'curiosity' },
        { store_id: store.id, user_id: member.userId, reason_code: '' },
      ]) {
        const response = await start(payload);
        expect(response.statusCode).toBe(400);
        expect(response.json().errors.map((error: { field: string }) => error.field).join()).toContain('reason_code');
      }
      const audit = (await get(`/admin/platform/impersonations?store_id=${store.id}`)).json();
      expect(audit.items.filter((row: { target_user_id: string }) => row.target_user_id === member.userId)).toEqual([]);
    });

    it('audits the start, every request and the explicit end; the token dies with the end', async () => {
      const member = await staffSession(t.platform, store.id, 'manager');
      const started = await start({ store_id: store.id, user_id: member.userId, reason_code: 'customer_support', ticket: 'SUP-1234' });
      expect(started.statusCode).toBe(201);
      const grant = started.json();
      const asMember = { host: storeHost(store), authorization: `Bearer ${grant.access_token}`, 'x-request-id': 'imp-req-1' };

      const me = await t.app.inject({ url: '/auth/me', headers: asMember });
      expect(me.json()).toMatchObject({
        subject: member.userId,
        roles: ['manager'],
        impersonation: { active: true, actor_id: operator.userId, reason: 'customer_support', ticket: 'SUP-1234' },
      });
      expect((await t.app.inject({ url: '/auth/me', headers: { ...asMember, host: storeHost({ subdomain: 'elsewhere' }) } })).statusCode).toBe(404);

      const end = await t.app.inject({ method: 'DELETE', url: '/auth/impersonation', headers: { ...asMember, 'x-request-id': 'imp-req-2' } });
      expect(end.statusCode).toBe(204);
      const after = await t.app.inject({ url: '/auth/me', headers: asMember });
      expect(after.statusCode).toBe(401);
      expect(after.json().detail).toBe('This impersonation has ended.');

      const audit = (await get(`/admin/platform/impersonations?impersonation_id=${grant.impersonation_id}`)).json();
      expect(audit.items.map((row: { event: string; request_id: string | null; path: string | null }) => [row.event, row.path, row.request_id])).toEqual([
        ['ended', null, 'imp-req-2'],
        ['request', '/auth/impersonation', 'imp-req-2'],
        ['request', '/auth/me', 'imp-req-1'],
        ['started', null, null],
      ]);
      expect(audit.items[0]).toMatchObject({ actor_id: operator.userId, store_id: store.id, reason_code: 'customer_support', ticket: 'SUP-1234' });
    });

    it('pages the audit list across stores with a cursor', async () => {
      const member = await staffSession(t.platform, store.id, 'staff');
      const grant = (await start({ store_id: store.id, user_id: member.userId, reason_code: 'bug_investigation' })).json();
      for (let i = 0; i < 3; i++) await t.app.inject({ url: '/auth/me', headers: { host: storeHost(store), authorization: `Bearer ${grant.access_token}` } });
      const seen: string[] = [];
      let cursor: string | null = null;
      do {
        const page: { items: { id: string }[]; next_cursor: string | null } = (
          await get(`/admin/platform/impersonations?impersonation_id=${grant.impersonation_id}&limit=1${cursor ? `&cursor=${cursor}` : ''}`)
        ).json();
        seen.push(...page.items.map((row) => row.id));
        cursor = page.next_cursor;
      } while (cursor);
      expect(new Set(seen).size).toBe(4);
    });

    it('ends an impersonation from the console by its id; its token dies and a second end is a conflict', async () => {
      const member = await staffSession(t.platform, store.id, 'staff');
      const grant = (await start({ store_id: store.id, user_id: member.userId, reason_code: 'onboarding_assistance', ticket: 'ONB-2' })).json();
      const asMember = { host: storeHost(store), authorization: `Bearer ${grant.access_token}` };
      expect((await t.app.inject({ url: '/auth/me', headers: asMember })).statusCode).toBe(200);
      const end = () => t.app.inject({ method: 'DELETE', url: `/admin/platform/impersonations/${grant.impersonation_id}`, headers: { host: PLATFORM_HOST, ...operator.headers } });
      expect((await end()).statusCode).toBe(204);
      expect((await t.app.inject({ url: '/auth/me', headers: asMember })).statusCode).toBe(401);
      expect((await end()).statusCode).toBe(409);
      const audit = (await get(`/admin/platform/impersonations?impersonation_id=${grant.impersonation_id}`)).json();
      expect(audit.items.map((row: { event: string }) => row.event)).toEqual(['ended', 'request', 'started']);
      const unknown = await t.app.inject({ method: 'DELETE', url: '/admin/platform/impersonations/00000000-0000-4000-8000-000000000000', headers: { host: PLATFORM_HOST, ...operator.headers } });
      expect(unknown.statusCode).toBe(404);
    });

    it('has nothing to end for an ordinary token', async () => {
      const owner = await staffSession(t.platform, store.id, 'owner');
      const response = await t.app.inject({ method: 'DELETE', url: '/auth/impersonation', headers: { host: storeHost(store), ...owner.headers } });
      expect(response.statusCode).toBe(409);
      expect(response.json()).toMatchObject({ title: 'Not impersonating' });
    });

    it('refuses an unknown user and a store token', async () => {
      expect((await start({ store_id: store.id, user_id: '00000000-0000-4000-8000-000000000000', reason_code: 'security_review' })).statusCode).toBe(404);
      const owner = await staffSession(t.platform, store.id, 'owner');
      const response = await t.app.inject({
        method: 'POST',
        url: '/admin/platform/impersonations',
        headers: { host: storeHost(store), ...owner.headers },
        payload: { store_id: store.id, user_id: owner.userId, reason_code: 'security_review' },
      });
      expect(response.statusCode).toBe(403);
    });
  });
});
