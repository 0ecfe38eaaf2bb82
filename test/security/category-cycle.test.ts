import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCategory, updateCategory } from '../../src/modules/catalog/categories.ts';
import type { Db } from '../../src/platform/db/database.ts';
import { makeTenant, testDb } from '../support/platform.ts';

describe('category moves under concurrency (L7)', () => {
  let db: Db;
  beforeAll(() => {
    db = testDb();
  });
  afterAll(() => db.close());

  it('never lets two concurrent moves make a cycle', async () => {
    const store = await makeTenant(db);
    for (let round = 0; round < 5; round++) {
      const a = await db.withTenant(store.id, (trx) => createCategory(trx, store.id, { handle: `a-${round}`, name: 'A' }));
      const b = await db.withTenant(store.id, (trx) => createCategory(trx, store.id, { handle: `b-${round}`, name: 'B' }));
      // A under B and B under A at the same moment: each alone is fine, together they are a cycle.
      const moves = await Promise.allSettled([
        db.withTenant(store.id, async (trx) => {
          const moved = await updateCategory(trx, store.id, a.id, { parent_id: b.id });
          await new Promise((resolve) => setTimeout(resolve, 50));
          return moved;
        }),
        db.withTenant(store.id, (trx) => updateCategory(trx, store.id, b.id, { parent_id: a.id })),
      ]);
      expect(moves.filter((move) => move.status === 'fulfilled')).toHaveLength(1);
      const rows = await db.withTenant(store.id, (trx) => trx.selectFrom('categories').select(['id', 'parent_id']).where('id', 'in', [a.id, b.id]).execute());
      const parents = new Map(rows.map((row) => [row.id, row.parent_id]));
      expect(parents.get(a.id) === b.id && parents.get(b.id) === a.id).toBe(false);
    }
  });
});
