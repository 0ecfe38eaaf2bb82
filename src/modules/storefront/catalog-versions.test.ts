import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeTenant, ownerClient, testDb } from '../../../test/support/platform.ts';
import type { Db } from '../../platform/db/database.ts';
import { recordEvent } from '../catalog/events.ts';
import type { Tenant } from '../tenancy/service.ts';
import { CatalogVersions } from './catalog-versions.ts';

describe('catalog versions from change notifications', () => {
  let db: Db;
  let a: Tenant;
  let b: Tenant;
  const versions = new CatalogVersions();
  const change = (tenant: Tenant) =>
    db.withTenant(tenant.id, (trx) => recordEvent(trx, tenant.id, { type: 'ProductUpdated', aggregateType: 'product', aggregateId: tenant.id }));

  beforeAll(async () => {
    db = testDb();
    a = await makeTenant(db, 'Versioned A');
    b = await makeTenant(db, 'Versioned B');
  });
  afterAll(async () => {
    await versions.stop();
    await db.close();
  });

  it('moves only the changed tenant, after its commit, and steps aside when stopped', async () => {
    expect(versions.version(a.id)).toBeUndefined();
    await versions.start(db.pool.options);
    const before = { a: versions.version(a.id), b: versions.version(b.id) };
    expect(before.a).toEqual(expect.any(String));
    await change(a);
    await expect.poll(() => versions.version(a.id), { timeout: 5_000 }).not.toBe(before.a);
    expect(versions.version(b.id)).toBe(before.b);
    await expect(db.withTenant(a.id, async (trx) => {
      await recordEvent(trx, a.id, { type: 'ProductUpdated', aggregateType: 'product', aggregateId: a.id });
      throw new Error('rolled back');
    })).rejects.toThrow('rolled back');
    const afterRollback = versions.version(a.id);
    await change(b);
    await expect.poll(() => versions.version(b.id), { timeout: 5_000 }).not.toBe(before.b);
    expect(versions.version(a.id)).toBe(afterRollback);
    await versions.stop();
    expect(versions.version(a.id)).toBeUndefined();
  });

  it('ignores domain events that are not catalog changes (an order does not empty the page cache)', async () => {
    await versions.start(db.pool.options);
    try {
      const before = { a: versions.version(a.id), b: versions.version(b.id) };
      await db.withTenant(a.id, (trx) =>
        trx.insertInto('domain_events').values({ tenant_id: a.id, type: 'OrderPaid', aggregate_type: 'order', aggregate_id: a.id, payload: '{}', correlation_id: null }).execute(),
      );
      // Notifications arrive in commit order: once b's later change is heard, any notification for a would have been.
      await change(b);
      await expect.poll(() => versions.version(b.id), { timeout: 5_000 }).not.toBe(before.b);
      expect(versions.version(a.id)).toBe(before.a);
    } finally {
      await versions.stop();
    }
  });

  it('starts a new generation after losing its connection, and hears changes again', async () => {
    await versions.start(db.pool.options);
    const before = versions.version(a.id)!;
    const owner = await ownerClient();
    try {
      await owner.query(`select pg_terminate_backend(pid) from pg_stat_activity
                          where datname = current_database() and query = 'LISTEN catalog_changed' and backend_type = 'client backend'`);
    } finally {
      await owner.end();
    }
    const generation = (version: string | undefined) => Number(version?.match(/^n(\d+)\./)?.[1] ?? -1);
    await expect.poll(() => generation(versions.version(a.id)), { timeout: 5_000 }).toBeGreaterThan(generation(before));
    const reconnected = versions.version(a.id);
    await change(a);
    await expect.poll(() => versions.version(a.id), { timeout: 5_000 }).not.toBe(reconnected);
  });
});
