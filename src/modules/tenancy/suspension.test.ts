import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type TestApp, makeTenant, startTestApp } from '../../../test/support/platform.ts';
import { HttpProblem } from '../../platform/http/problem.ts';
import { type TenancyService, type Tenant, tenancy } from './index.ts';

describe('suspension as a platform command', () => {
  let t: TestApp;
  let service: TenancyService;
  let tenant: Tenant;
  let other: Tenant;

  beforeAll(async () => {
    t = await startTestApp();
    service = tenancy(t.platform);
    tenant = await makeTenant(t.platform.db, 'Audit Antiques');
    other = await makeTenant(t.platform.db, 'Other Outfitters');
  });
  afterAll(() => t.close());

  it('records who, why and which ticket, and publishes TenantSuspended / TenantResumed', async () => {
    const suspended = t.platform.events.next('TenantSuspended', (event) => event.tenantId === tenant.id);
    await service.suspendTenant({ tenantId: tenant.id, reason: 'Payment dispute', actor: 'admin-1', ticket: 'OPS-9' });
    await expect(suspended).resolves.toEqual({ tenantId: tenant.id });
    const resumed = t.platform.events.next('TenantResumed', (event) => event.tenantId === tenant.id);
    await service.resumeTenant({ tenantId: tenant.id, reason: 'Dispute settled', actor: 'admin-2' });
    await expect(resumed).resolves.toEqual({ tenantId: tenant.id });

    const commands = await service.platformCommands(tenant.id);
    expect(commands.map((c) => [c.command, c.actor, c.reason, c.ticket])).toEqual([
      ['tenant.resume', 'admin-2', 'Dispute settled', null],
      ['tenant.suspend', 'admin-1', 'Payment dispute', 'OPS-9'],
    ]);
  });

  it.each([
    [{ reason: '  ', actor: 'admin-1' }, 'reason'],
    [{ reason: 'x', actor: '' }, 'actor'],
    [{ reason: 'x', actor: 'admin-1', ticket: '' }, 'ticket'],
    [{ reason: 'x', actor: 'admin-1', tenantId: 'not-a-uuid' }, 'tenantId'],
  ])('refuses %j with 400 naming %s and changes nothing', async (fields, field) => {
    const before = (await service.platformCommands(other.id)).length;
    const error = await service.suspendTenant({ tenantId: other.id, ...fields }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(HttpProblem);
    expect(error).toMatchObject({ status: 400, extensions: { errors: [{ field }] } });
    expect((await service.platformCommands(other.id)).length).toBe(before);
    const row = await t.platform.db.kysely.selectFrom('tenants').select('status').where('id', '=', other.id).executeTakeFirstOrThrow();
    expect(row.status).toBe('active');
  });

  it('answers 404 for an unknown store and 409 for a store already in that state', async () => {
    await expect(
      service.suspendTenant({ tenantId: '00000000-0000-4000-8000-000000000000', reason: 'x', actor: 'a' }),
    ).rejects.toMatchObject({ status: 404 });
    await expect(service.resumeTenant({ tenantId: other.id, reason: 'x', actor: 'a' })).rejects.toMatchObject({ status: 409 });
  });

  it('keeps platform commands append-only and each store sees only its own', async () => {
    const db = t.platform.db;
    await expect(
      db.withPlatform((trx) => trx.updateTable('platform_commands').set({ reason: 'rewritten' }).where('tenant_id', '=', tenant.id).execute()),
    ).rejects.toThrow(/append-only/);
    await expect(db.withPlatform((trx) => trx.deleteFrom('platform_commands').where('tenant_id', '=', tenant.id).execute())).rejects.toThrow(
      /append-only/,
    );
    const seenByOther = await db.withTenant(other.id, (trx) => trx.selectFrom('platform_commands').select('tenant_id').execute());
    expect(seenByOther).toEqual([]);
    const seenByOwn = await db.withTenant(tenant.id, (trx) => trx.selectFrom('platform_commands').select('tenant_id').execute());
    expect(seenByOwn.length).toBe(2);
    await expect(
      db.withTenant(other.id, (trx) =>
        trx.insertInto('platform_commands').values({ tenant_id: tenant.id, command: 'tenant.suspend', actor: 'x', reason: 'forged' }).execute(),
      ),
    ).rejects.toThrow(/row-level security/);
    const outside = await sql<{ n: number }>`select count(*)::int as n from platform_commands`.execute(db.kysely);
    expect(outside.rows[0]!.n).toBe(0);
  });
});
