import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTenant } from '../../src/modules/tenancy/service.ts';
import type { Db } from '../../src/platform/db/database.ts';
import { ownerClient, testDb } from '../support/platform.ts';

describe('store creation (L11)', () => {
  let db: Db;
  beforeAll(() => {
    db = testDb();
  });
  afterAll(() => db.close());

  it('leaves no store behind when its settings cannot be written', async () => {
    const subdomain = `t-${randomUUID().slice(0, 12)}`;
    // U+0000 cannot be stored: the settings insert fails after the store row was written.
    await expect(createTenant(db, { subdomain, name: 'Half Made', tagline: 'bad\u0000tagline' })).rejects.toThrow();
    const owner = await ownerClient();
    try {
      const { rows } = await owner.query('select id from tenants where subdomain = $1', [subdomain]);
      expect(rows).toEqual([]);
    } finally {
      await owner.end();
    }
  });
});
