import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { storeHost } from '../../../test/support/auth.ts';
import { type TestApp, makeTenant, startTestApp } from '../../../test/support/platform.ts';
import { Shopper, activeHolds, onHand, seedProduct } from '../../../test/support/shop.ts';
import type { Tenant } from '../tenancy/service.ts';

describe('checkout commit', () => {
  let t: TestApp;
  let store: Tenant;
  const shopper = () => new Shopper(t.app, storeHost(store)).start();
  const orders = () => t.platform.db.withTenant(store.id, (trx) => trx.selectFrom('orders').selectAll().execute());

  beforeAll(async () => {
    t = await startTestApp();
    store = await makeTenant(t.platform.db, 'Checkout Store');
  });
  afterAll(() => t.close());

  it('turns a guest cart into a paid order with prices, tax and shipping from the server, and takes the stock', async () => {
    const { variantId } = await seedProduct(t.platform.db, store.id, { price: 2500, stock: 3 });
    const buyer = await shopper();
    expect((await buyer.add(variantId, 2)).statusCode).toBe(200);
    const committed = await buyer.commit();
    expect(committed.statusCode, committed.body).toBe(201);
    // 2 × 25.00 = 50.00, standard US shipping 9.00 (600 g band), CA tax 7.25 % on each: 3.63 + 0.65.
    expect(committed.json()).toMatchObject({ status: 'paid', total_minor: 5000 + 900 + 363 + 65, currency: 'USD', client_secret: null });
    const [order] = (await orders()).filter((row) => row.id === committed.json().order_id);
    expect(order).toMatchObject({ status: 'paid', number: expect.any(Number), email: 'ada@example.test' });
    expect(await onHand(t.platform.db, store.id, variantId)).toBe(1);
    expect(await activeHolds(t.platform.db, store.id, variantId)).toBe(0);
    // The cart is gone: a second checkout has nothing to buy.
    const again = await buyer.commit();
    expect(again.statusCode).toBe(409);
    expect(again.json()).toMatchObject({ code: 'cart_empty', request_id: expect.any(String) });
  });

  it('replays a retried commit with the same Idempotency-Key: one order, one charge', async () => {
    const { variantId } = await seedProduct(t.platform.db, store.id, { price: 1000, stock: 5 });
    const buyer = await shopper();
    await buyer.add(variantId);
    const key = randomUUID();
    const [first, second] = await Promise.all([buyer.commit({}, key), buyer.commit({}, key)]);
    const statuses = [first.statusCode, second.statusCode].sort();
    expect(statuses[0]).toBe(201);
    const winner = first.statusCode === 201 ? first : second;
    const other = winner === first ? second : first;
    // The duplicate either replays the first answer, or (hardened idempotency) is told the first is in flight.
    if (other.statusCode === 201) expect(other.json()).toEqual(winner.json());
    else expect(other.statusCode).toBe(409);
    const replay = await buyer.commit({}, key);
    expect(replay.statusCode).toBe(201);
    expect(replay.json().order_id).toBe(winner.json().order_id);
    const { rows } = await t.platform.db.withTenant(store.id, (trx) => sql<{ n: number }>`select count(*)::int as n from payments where order_id = ${winner.json().order_id}`.execute(trx));
    expect(rows[0]!.n).toBe(1);
    expect(await onHand(t.platform.db, store.id, variantId)).toBe(4);
  });

  it('sells the last unit once among 50 concurrent buyers: one order, 49 clean 409s, no loser charged', async () => {
    const { variantId } = await seedProduct(t.platform.db, store.id, { price: 4200, stock: 1 });
    const buyers = await Promise.all(Array.from({ length: 50 }, () => shopper()));
    for (const buyer of buyers) expect((await buyer.add(variantId)).statusCode).toBe(200);
    const before = await t.platform.db.withTenant(store.id, (trx) => sql<{ n: number }>`select count(*)::int as n from payments`.execute(trx));
    const results = await Promise.all(buyers.map((buyer) => buyer.commit()));
    const won = results.filter((response) => response.statusCode === 201);
    const lost = results.filter((response) => response.statusCode === 409);
    expect(won).toHaveLength(1);
    expect(lost).toHaveLength(49);
    for (const response of lost) {
      expect(response.headers['content-type']).toContain('application/problem+json');
      expect(response.json()).toMatchObject({ code: 'out_of_stock', variant_ids: [variantId], request_id: expect.any(String) });
    }
    const after = await t.platform.db.withTenant(store.id, (trx) => sql<{ n: number }>`select count(*)::int as n from payments`.execute(trx));
    expect(after.rows[0]!.n - before.rows[0]!.n).toBe(1);
    expect(await onHand(t.platform.db, store.id, variantId)).toBe(0);
    expect(await activeHolds(t.platform.db, store.id, variantId)).toBe(0);
  });
});
