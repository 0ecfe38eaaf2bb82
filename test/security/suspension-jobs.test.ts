import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Db } from '../../src/platform/db/database.ts';
import { tenantFlag } from '../../src/platform/jobs/envelope.ts';
import { Pausing } from '../../src/platform/jobs/pausing.ts';
import { makeTenant, ownerClient, testDb } from '../support/platform.ts';

describe("a suspended store's jobs (L8)", () => {
  let db: Db;
  beforeAll(() => {
    db = testDb();
  });
  afterAll(() => db.close());

  it('stay paused even when the suspension notice never reached a worker', async () => {
    const store = await makeTenant(db);
    const pausing = new Pausing(db, 0);
    expect(await pausing.forbiddenFlags()).not.toContain(tenantFlag(store.id));
    const owner = await ownerClient();
    try {
      // Suspended without any event (a missed NOTIFY, a replica that was down).
      await owner.query(`update tenants set status = 'suspended' where id = $1`, [store.id]);
      expect(await pausing.forbiddenFlags()).toContain(tenantFlag(store.id));
      // A forged "resumed" notice removes the pause row, but the store is still suspended.
      await pausing.resumeTenant(store.id);
      expect(await pausing.forbiddenFlags()).toContain(tenantFlag(store.id));
      await owner.query(`update tenants set status = 'active' where id = $1`, [store.id]);
      expect(await pausing.forbiddenFlags()).not.toContain(tenantFlag(store.id));
    } finally {
      await owner.end();
    }
  });
});
