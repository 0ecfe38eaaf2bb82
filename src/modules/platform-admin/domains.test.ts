import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PLATFORM_HOST, type PlatformTestSession, platformSession, staffSession, storeHost } from '../../../test/support/auth.ts';
import { startTxtServer } from '../../../test/support/dns-server.ts';
import { type TestApp, type Tenant, makeTenant, startTestApp } from '../../../test/support/platform.ts';

describe('custom domains from the console', () => {
  let dns: Awaited<ReturnType<typeof startTxtServer>>;
  let t: TestApp;
  let operator: PlatformTestSession;
  let store: Tenant;
  const hostname = `console-${randomUUID().slice(0, 8)}.example.com`;
  const call = (method: 'GET' | 'POST' | 'DELETE', url: string, payload?: object, headers: Record<string, string> = operator.headers, host = PLATFORM_HOST) =>
    t.app.inject({ method, url, headers: { host, ...headers }, ...(payload ? { payload } : {}) });

  beforeAll(async () => {
    dns = await startTxtServer();
    t = await startTestApp({ DNS_RESOLVER: dns.server });
    operator = await platformSession(t.platform);
    store = await makeTenant(t.platform.db, 'Console Domains');
  });
  afterAll(async () => {
    await t.close();
    await dns.close();
  });

  it('adds, verifies and removes a domain, each an audited platform command', async () => {
    const base = `/admin/platform/stores/${store.id}/domains`;
    const added = await call('POST', base, { hostname, reason: 'Merchant asked', ticket: 'DOM-9' });
    expect(added.statusCode).toBe(201);
    const { domain, command } = added.json();
    expect(command).toMatchObject({ command: 'tenant.domain.add', actor: operator.userId, ticket: 'DOM-9' });
    const early = await call('POST', `${base}/${hostname}/verify`, { reason: 'check' });
    expect(early.statusCode).toBe(409);
    dns.publish(domain.verification.name, domain.verification.value);
    const verified = await call('POST', `${base}/${hostname}/verify`, { reason: 'Record published' });
    expect(verified.json()).toMatchObject({ domain: { status: 'active' }, command: { command: 'tenant.domain.verify' } });
    expect((await call('GET', base)).json()).toEqual([expect.objectContaining({ hostname, status: 'active' })]);
    expect((await call('DELETE', `${base}/${hostname}`, { reason: 'Merchant left' })).json()).toMatchObject({ command: 'tenant.domain.remove' });
    expect((await call('GET', base)).json()).toEqual([]);
  });

  it('refuses without a reason, for an unknown store or domain, and to store tokens', async () => {
    const base = `/admin/platform/stores/${store.id}/domains`;
    expect((await call('POST', base, { hostname })).statusCode).toBe(400);
    expect((await call('POST', '/admin/platform/stores/00000000-0000-4000-8000-000000000000/domains', { hostname, reason: 'x' })).statusCode).toBe(404);
    expect((await call('DELETE', `${base}/absent.example.com`, { reason: 'x' })).statusCode).toBe(404);
    const owner = await staffSession(t.platform, store.id, 'owner');
    expect((await call('POST', base, { hostname, reason: 'x' }, owner.headers, storeHost(store))).statusCode).toBe(403);
  });
});
