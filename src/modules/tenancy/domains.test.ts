import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTxtServer } from '../../../test/support/dns-server.ts';
import { type TestApp, makeTenant, startTestApp } from '../../../test/support/platform.ts';
import { dnsTxtResolver } from './dns.ts';
import { type TenancyService, type Tenant, tenancy } from './index.ts';

describe('custom domains verified over DNS', () => {
  let dns: Awaited<ReturnType<typeof startTxtServer>>;
  let t: TestApp;
  let service: TenancyService;
  let store: Tenant;
  let rival: Tenant;
  const hostname = `shop-${randomUUID().slice(0, 8)}.example.com`;

  beforeAll(async () => {
    dns = await startTxtServer();
    t = await startTestApp({ DNS_RESOLVER: dns.server });
    service = tenancy(t.platform);
    store = await makeTenant(t.platform.db, 'Domain Drapery');
    rival = await makeTenant(t.platform.db, 'Rival Rags');
  });
  afterAll(async () => {
    await t.close();
    await dns.close();
  });

  it('reads TXT records over the DNS wire protocol, and says when there are none', async () => {
    const resolver = dnsTxtResolver([dns.server]);
    dns.publish('_probe.example.org', 'hello=world');
    expect(await resolver.resolveTxt('_probe.example.org')).toEqual(['hello=world']);
    expect(await resolver.resolveTxt('_absent.example.org')).toEqual([]);
    expect(dns.queries).toContain('TXT _probe.example.org');
  });

  it('activates a domain only after its TXT record proves control, then serves the store there', async () => {
    const added = await service.addCustomDomain(store.id, hostname.toUpperCase());
    expect(added).toMatchObject({
      hostname,
      status: 'pending',
      verification: { type: 'TXT', name: `_village-verification.${hostname}` },
    });
    expect((await t.app.inject({ url: '/', headers: { host: hostname } })).statusCode).toBe(404);

    const unproven = await service.verifyCustomDomain(store.id, hostname);
    expect(unproven.status).toBe('pending');
    expect(unproven.last_error).toContain('No TXT record');
    expect((await t.app.inject({ url: '/', headers: { host: hostname } })).statusCode).toBe(404);

    dns.publish(added.verification.name, 'unrelated=1');
    dns.publish(added.verification.name, added.verification.value);
    const verified = await service.verifyCustomDomain(store.id, hostname);
    expect(verified).toMatchObject({ status: 'active', last_error: null });

    const response = await t.app.inject({ url: '/', headers: { host: `${hostname}:443`, origin: `https://${hostname}` } });
    expect(response.statusCode).toBe(200);
    expect(response.body).toContain('Domain Drapery');
    expect(response.headers['access-control-allow-origin']).toBe(`https://${hostname}`);
  });

  it('lets another store claim the domain but never take it over once verified elsewhere', async () => {
    const claim = await service.addCustomDomain(rival.id, hostname);
    dns.publish(claim.verification.name, claim.verification.value);
    await expect(service.verifyCustomDomain(rival.id, hostname)).rejects.toMatchObject({ status: 409 });
    const response = await t.app.inject({ url: '/', headers: { host: hostname } });
    expect(response.body).toContain('Domain Drapery');
  });

  it("keeps each store's domains from the others", async () => {
    const seen = await t.platform.db.withTenant(rival.id, (trx) =>
      trx.selectFrom('custom_domains').select('tenant_id').where('tenant_id', '=', store.id).execute(),
    );
    expect(seen).toEqual([]);
    await expect(service.verifyCustomDomain(rival.id, `other-${hostname}`)).rejects.toMatchObject({ status: 404 });
    await expect(service.removeCustomDomain(rival.id, `nope-${hostname}`)).rejects.toMatchObject({ status: 404 });
  });

  it.each([['not a domain'], ['localhost'], [`x.localhost`], ['192.0.2.1'], ['shop.example.com:8443'], ['a'.repeat(300)]])(
    'refuses %j with 400 and stores nothing',
    async (raw) => {
      const before = await service.listCustomDomains(store.id);
      await expect(service.addCustomDomain(store.id, raw)).rejects.toMatchObject({ status: 400, extensions: { errors: [{ field: 'hostname' }] } });
      expect(await service.listCustomDomains(store.id)).toEqual(before);
    },
  );

  it('answers 409 for a domain the store already has, and stops serving a removed one', async () => {
    await expect(service.addCustomDomain(store.id, hostname)).rejects.toMatchObject({ status: 409 });
    await service.removeCustomDomain(store.id, hostname);
    expect((await t.app.inject({ url: '/', headers: { host: hostname } })).statusCode).toBe(404);
  });
});
