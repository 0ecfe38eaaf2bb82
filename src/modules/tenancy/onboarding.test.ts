import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type TestApp, startTestApp } from '../../../test/support/platform.ts';
import { HttpProblem } from '../../platform/http/problem.ts';
import { onboardStore } from './onboarding.ts';
import { subdomainRefusal } from './subdomain-claim.ts';

describe('subdomain claims', () => {
  it.each([
    ['admin', 'reserved'],
    ['www', 'reserved'],
    ['adm1n', 'confusable'],
    ['p1atf0rm', 'confusable'],
    ['w-w-w', 'confusable'],
    ['-shop', 'invalid'],
    ['two--hyphens', 'invalid'],
    ['Upper', 'invalid'],
  ])('refuses %s as %s', (name, refusal) => {
    expect(subdomainRefusal(name)).toBe(refusal);
  });

  it.each(['harbour-books', 'atelier9', 'plant-shop-42'])('accepts %s', (name) => {
    expect(subdomainRefusal(name)).toBeUndefined();
  });
});

describe('onboarding a store', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(() => t.close());

  const count = (query: ReturnType<typeof sql<{ n: number }>>) => t.platform.db.withPlatform(async (trx) => (await query.execute(trx)).rows[0]!.n);
  const commandsFor = (subdomain: string) =>
    count(sql`select count(*)::int as n from platform_commands c join tenants s on s.id = c.tenant_id where s.subdomain = ${subdomain}`);

  it('creates the store, its settings and the audited command together', async () => {
    const subdomain = `s-${randomUUID().slice(0, 8)}`;
    const { tenant, command } = await onboardStore(t.platform.db, { subdomain, name: 'Harbour Books', actor: 'admin-1', reason: 'Sales lead', ticket: 'ONB-1' });
    expect(tenant.subdomain).toBe(subdomain);
    expect([command.command, command.tenant_id, command.actor, command.ticket]).toEqual(['tenant.create', tenant.id, 'admin-1', 'ONB-1']);
    const settings = await t.platform.db.withTenant(tenant.id, (trx) => trx.selectFrom('store_settings').select('tenant_id').execute());
    expect(settings).toEqual([{ tenant_id: tenant.id }]);
  });

  it('refuses a confusable name and a taken one, leaving nothing behind', async () => {
    await expect(onboardStore(t.platform.db, { subdomain: 'adm1n', name: 'X', actor: 'a', reason: 'r' })).rejects.toMatchObject({ status: 400 });
    const subdomain = `s-${randomUUID().slice(0, 8)}`;
    await onboardStore(t.platform.db, { subdomain, name: 'First', actor: 'a', reason: 'r' });
    const second = onboardStore(t.platform.db, { subdomain, name: 'Second', actor: 'a', reason: 'r' });
    await expect(second).rejects.toBeInstanceOf(HttpProblem);
    await expect(second).rejects.toMatchObject({ status: 409 });
    expect(await commandsFor(subdomain)).toBe(1);
  });

  it('lets one of two concurrent claims of a name win and answers the other 409', async () => {
    const subdomain = `s-${randomUUID().slice(0, 8)}`;
    const claims = await Promise.allSettled(
      ['One', 'Two', 'Three'].map((name) => onboardStore(t.platform.db, { subdomain, name, actor: 'a', reason: 'r' })),
    );
    expect(claims.filter((claim) => claim.status === 'fulfilled')).toHaveLength(1);
    expect(claims.flatMap((claim) => (claim.status === 'rejected' ? [(claim.reason as HttpProblem).status] : []))).toEqual([409, 409]);
    expect(await commandsFor(subdomain)).toBe(1);
  });

  it('rolls the store back when the command cannot be recorded', async () => {
    const subdomain = `s-${randomUUID().slice(0, 8)}`;
    await expect(onboardStore(t.platform.db, { subdomain, name: 'Half', actor: 'a', reason: '   ' })).rejects.toThrow();
    expect(await count(sql`select count(*)::int as n from tenants where subdomain = ${subdomain}`)).toBe(0);
  });
});
