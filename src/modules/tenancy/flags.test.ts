import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeTenant, testDb } from '../../../test/support/platform.ts';
import type { Db } from '../../platform/db/database.ts';
import { FeatureFlags } from './flags.ts';
import type { Tenant } from './repository.ts';

describe('feature flags', () => {
  let db: Db;
  let flags: FeatureFlags;
  let store: Tenant;
  let other: Tenant;

  beforeAll(async () => {
    db = testDb();
    flags = new FeatureFlags(db);
    store = await makeTenant(db, 'Flag Fabrics');
    other = await makeTenant(db, 'Other Oddments');
  });
  afterAll(() => db.close());

  it('evaluates the plan value, then an unexpired override over it', async () => {
    expect(await flags.evaluate({ id: store.id, plan: 'free' }, 'rate_limit.burst')).toBe(60);
    expect(await flags.evaluate({ id: store.id, plan: 'enterprise' }, 'rate_limit.burst')).toBe(2000);

    await flags.setOverride({ tenantId: store.id, key: 'rate_limit.burst', value: 5000, reason: 'Black Friday, ticket OPS-1' });
    expect(await flags.evaluate({ id: store.id, plan: 'free' }, 'rate_limit.burst')).toBe(5000);
    expect(await flags.evaluate({ id: other.id, plan: 'free' }, 'rate_limit.burst')).toBe(60);

    const past = new Date(Date.now() - 1000);
    await flags.setOverride({ tenantId: store.id, key: 'rate_limit.burst', value: 5000, reason: 'expired', expiresAt: past });
    expect(await flags.evaluate({ id: store.id, plan: 'free' }, 'rate_limit.burst')).toBe(60);
    await flags.clearOverride(store.id, 'rate_limit.burst');
  });

  it('refuses an override of the wrong type or without reason, and an unknown flag', async () => {
    await expect(
      flags.setOverride({ tenantId: store.id, key: 'rate_limit.burst', value: 'lots' as unknown as number, reason: 'x' }),
    ).rejects.toMatchObject({ status: 400, extensions: { errors: [{ field: 'value' }] } });
    await expect(flags.setOverride({ tenantId: store.id, key: 'rate_limit.burst', value: Number.NaN, reason: 'x' })).rejects.toMatchObject({
      status: 400,
    });
    await expect(flags.setOverride({ tenantId: store.id, key: 'rate_limit.burst', value: 1, reason: ' ' })).rejects.toMatchObject({
      status: 400,
    });
    await expect(
      flags.setOverride({ tenantId: store.id, key: 'no.such.flag' as 'rate_limit.burst', value: 1, reason: 'x' }),
    ).rejects.toMatchObject({ status: 404 });
    const rows = await db.withTenant(store.id, (trx) => trx.selectFrom('feature_flag_overrides').selectAll().execute());
    expect(rows).toEqual([]);
  });

  it("keeps a store's overrides from every other store", async () => {
    await flags.setOverride({ tenantId: store.id, key: 'rate_limit.per_second', value: 1, reason: 'abuse' });
    const seen = await db.withTenant(other.id, (trx) => trx.selectFrom('feature_flag_overrides').selectAll().execute());
    expect(seen).toEqual([]);
    await expect(
      db.withTenant(other.id, (trx) =>
        trx
          .insertInto('feature_flag_overrides')
          .values({ tenant_id: store.id, flag_key: 'rate_limit.burst', value: '1', reason: 'forged' })
          .execute(),
      ),
    ).rejects.toThrow(/row-level security/);
    await flags.clearOverride(store.id, 'rate_limit.per_second');
  });

  it('reads a platform-wide switch as its default, switches it for the fleet, and keeps it out of every store', async () => {
    const key = `platform.test-${Date.now()}` as 'platform.signup';
    await db.kysely.insertInto('feature_flags').values({ key, description: 'platform switch test', owner: 'team-x', default_value: sql`'false'::jsonb` }).execute();
    try {
      const replica = new FeatureFlags(db);
      expect(await replica.platformValue(key)).toBe(false);
      await replica.setPlatformValue(key, true);
      expect(await replica.platformValue(key)).toBe(true);
      expect(await new FeatureFlags(db).platformValue(key)).toBe(true);
      expect(Object.keys(await replica.values({ id: store.id, plan: 'growth' }))).not.toContain(key);
      await expect(replica.setOverride({ tenantId: store.id, key, value: true, reason: 'x' })).rejects.toMatchObject({ status: 409 });
      await expect(replica.setPlatformValue('platform.no-such-switch' as 'platform.signup', true)).rejects.toThrow(/no row in feature_flags/);
    } finally {
      await db.kysely.deleteFrom('feature_flags').where('key', '=', key).execute();
    }
  });

  it('reports expired flags, long-lived flags and expired overrides', async () => {
    const key = `test.report-${Date.now()}`;
    await db.kysely
      .insertInto('feature_flags')
      .values({ key, description: 'report test', owner: 'team-x', default_value: sql`'false'::jsonb`, expires_at: new Date('2026-01-01') })
      .execute();
    await flags.setOverride({ tenantId: store.id, key: 'rate_limit.burst', value: 9, reason: 'trial', expiresAt: new Date('2026-02-01') });
    const report = await flags.report(new Date('2026-11-23'));
    expect(report.expiredFlags).toContainEqual({ key, owner: 'team-x', expires_at: new Date('2026-01-01') });
    expect(report.expiredOverrides).toContainEqual({
      tenant_id: store.id,
      flag_key: 'rate_limit.burst',
      reason: 'trial',
      expires_at: new Date('2026-02-01'),
    });
    const later = await flags.report(new Date(Date.now() + 91 * 86_400_000));
    expect(later.staleFlags.map((flag) => flag.key)).toEqual(expect.arrayContaining(['rate_limit.burst', 'rate_limit.per_second']));
    await flags.clearOverride(store.id, 'rate_limit.burst');
    await db.kysely.deleteFrom('feature_flags').where('key', '=', key).execute();
  });
});
