import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { staffSession, storeHost } from '../../../test/support/auth.ts';
import { type TestApp, makeTenant, ownerClient, startTestApp } from '../../../test/support/platform.ts';
import { ADDRESS, Shopper, activeHolds, onHand, seedProduct } from '../../../test/support/shop.ts';
import type { Tenant } from '../tenancy/service.ts';
import { releaseExpiredStock, reserveStock } from '../catalog/index.ts';
import { maintainWebhookPartitions, voidOrphanPayments } from '../payments/jobs.ts';
import { checkout } from './index.ts';

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

  it('fails each step cleanly: bad address (422), unknown shipping method (422), declined card (402), nothing held or charged', async () => {
    const { variantId } = await seedProduct(t.platform.db, store.id, { price: 900, stock: 1 });
    const buyer = await shopper();
    await buyer.add(variantId);
    const cases = [
      { body: { shipping_address: { ...ADDRESS, postal_code: 'ABCDE' } }, status: 422, code: 'invalid_address' },
      { body: { shipping_method: 'domestic:teleport' }, status: 422, code: 'shipping_method_unavailable' },
      { body: { payment_method: 'tok_chargeDeclined' }, status: 402, code: 'card_declined' },
      { body: { expected_total_minor: 1 }, status: 409, code: 'price_changed' },
    ];
    for (const { body, status, code } of cases) {
      const response = await buyer.commit(body);
      expect(response.statusCode, code).toBe(status);
      expect(response.json()).toMatchObject({ code, request_id: expect.any(String) });
      expect(await activeHolds(t.platform.db, store.id, variantId)).toBe(0);
    }
    const payments = await t.platform.db.withTenant(store.id, (trx) => trx.selectFrom('payments').select(['reference', 'status']).where('order_id', 'is', null).execute());
    for (const payment of payments) expect(checkout(t.platform).payments.test.outstanding(payment.reference), payment.status).toBe(0);
    expect((await buyer.commit()).statusCode).toBe(201);
  });

  it('refuses a commit without the CSRF token of the shopper', async () => {
    const buyer = await shopper();
    const noCsrf = await buyer.request('POST', '/checkout/commit', { ...buyer.commitBody(), _csrf: 'x'.repeat(32) });
    expect(noCsrf.statusCode).toBe(403);
  });

  describe('admin order API', () => {
    let manager: Record<string, string>;
    let staff: Record<string, string>;
    let other: Tenant;
    let otherManager: Record<string, string>;
    let managerId: string;
    let placed: { order_id: string; order_number: number; total_minor: number };
    const admin = (headers: Record<string, string>, method: 'GET' | 'POST', url: string, payload?: object) =>
      t.app.inject({ method, url: `/admin/api/v1${url}`, headers, ...(payload ? { payload } : {}) });

    beforeAll(async () => {
      const managerSession = await staffSession(t.platform, store.id, 'manager');
      manager = { host: storeHost(store), ...managerSession.headers };
      managerId = managerSession.userId;
      staff = { host: storeHost(store), ...(await staffSession(t.platform, store.id, 'staff')).headers };
      other = await makeTenant(t.platform.db, 'Other Store');
      otherManager = { host: storeHost(other), ...(await staffSession(t.platform, other.id, 'manager')).headers };
      const { variantId } = await seedProduct(t.platform.db, store.id, { price: 1000, stock: 5 });
      const buyer = await shopper();
      await buyer.add(variantId, 3);
      placed = (await buyer.commit({ email: 'searchable@example.test' })).json();
    });

    it('lists, searches and reads orders with orders:read; numbers are per store and increasing', async () => {
      const list = await admin(staff, 'GET', '/orders?limit=2');
      expect(list.statusCode).toBe(200);
      expect(list.json().items).toHaveLength(2);
      expect(list.json().next_cursor).toEqual(expect.any(String));
      const found = await admin(staff, 'GET', '/orders?q=searchable');
      expect(found.json().items.map((item: { id: string }) => item.id)).toEqual([placed.order_id]);
      expect((await admin(staff, 'GET', `/orders?q=%23${placed.order_number}`)).json().items[0].id).toBe(placed.order_id);
      const read = await admin(staff, 'GET', `/orders/${placed.order_id}`);
      expect(read.json()).toMatchObject({ number: placed.order_number, status: 'paid', lines: [{ quantity: 3, fulfilled_quantity: 0 }] });
      const numbers = (await admin(staff, 'GET', '/orders?limit=100')).json().items.map((item: { number: number }) => item.number);
      expect([...numbers].sort((a, b) => b - a)).toEqual(numbers);
      expect(new Set(numbers).size).toBe(numbers.length);
    });

    it('keeps stores apart: another store sees no order and cannot act on one (404), RLS hides the rows', async () => {
      expect((await admin(otherManager, 'GET', `/orders/${placed.order_id}`)).statusCode).toBe(404);
      expect((await admin(otherManager, 'GET', '/orders')).json().items).toEqual([]);
      expect((await admin(otherManager, 'POST', `/orders/${placed.order_id}/cancel`, {})).statusCode).toBe(404);
      expect((await admin(otherManager, 'GET', `/orders/${placed.order_id}/timeline`)).statusCode).toBe(404);
      for (const table of ['orders', 'order_lines', 'payments', 'carts', 'cart_lines', 'inventory_reservations', 'saga_runs', 'saga_steps', 'webhook_events', 'refunds'] as const) {
        const rows = await t.platform.db.withTenant(other.id, (trx) => sql<{ n: number }>`select count(*)::int as n from ${sql.table(table)}`.execute(trx));
        expect(rows.rows[0]!.n, table).toBe(0);
      }
    });

    it('fulfils in parts, refunds units of a line, and needs orders:write', async () => {
      expect((await admin(staff, 'POST', `/orders/${placed.order_id}/fulfil`, {})).statusCode).toBe(403);
      const line = (await admin(staff, 'GET', `/orders/${placed.order_id}`)).json().lines[0];
      const part = await admin(manager, 'POST', `/orders/${placed.order_id}/fulfil`, { lines: [{ line_id: line.id, quantity: 1 }] });
      expect(part.json()).toMatchObject({ status: 'partially_fulfilled', lines: [{ fulfilled_quantity: 1 }] });
      const refund = await admin(manager, 'POST', `/orders/${placed.order_id}/refunds`, { lines: [{ line_id: line.id, quantity: 1 }], reason: 'wrong size' });
      expect(refund.statusCode, refund.body).toBe(200);
      expect(refund.json()).toMatchObject({ status: 'partially_refunded', refunded_minor: Math.round(line.total_minor / 3), lines: [{ refunded_quantity: 1 }] });
      const tooMany = await admin(manager, 'POST', `/orders/${placed.order_id}/fulfil`, { lines: [{ line_id: line.id, quantity: 2 }] });
      expect(tooMany.json()).toMatchObject({ code: 'over_fulfilment' });
      const rest = await admin(manager, 'POST', `/orders/${placed.order_id}/fulfil`, {});
      expect(rest.json()).toMatchObject({ status: 'fulfilled', lines: [{ fulfilled_quantity: 2, refunded_quantity: 1 }] });
      expect((await admin(manager, 'POST', `/orders/${placed.order_id}/cancel`, {})).statusCode).toBe(409);
      // The timeline tells each change in order, with what the merchant gave: units shipped, amount and reason.
      const timeline = await admin(staff, 'GET', `/orders/${placed.order_id}/timeline`);
      expect(timeline.statusCode, timeline.body).toBe(200);
      expect(timeline.json().items).toEqual([
        expect.objectContaining({ type: 'OrderPlaced', status: 'paid', amount_minor: placed.total_minor, actor_id: null }),
        expect.objectContaining({ type: 'OrderPaid', status: 'paid', amount_minor: placed.total_minor }),
        expect.objectContaining({ type: 'OrderFulfilled', status: 'partially_fulfilled', units: 1, actor_id: managerId }),
        expect.objectContaining({ type: 'OrderRefunded', status: 'partially_refunded', amount_minor: Math.round(line.total_minor / 3), reason: 'wrong size', actor_id: managerId }),
        expect.objectContaining({ type: 'OrderFulfilled', status: 'fulfilled', units: 1, reason: null }),
      ]);
      const times = timeline.json().items.map((item: { occurred_at: string }) => item.occurred_at);
      expect([...times].sort()).toEqual(times);
    });

    it("sums the merchant's day for the dashboard: orders, net sales per currency, orders still to ship", async () => {
      const shop = await makeTenant(t.platform.db, 'Summary Store');
      const owner = { host: storeHost(shop), ...(await staffSession(t.platform, shop.id, 'manager')).headers };
      const since = new Date(Date.now() - 60_000).toISOString();
      const summary = (from: string) => admin(owner, 'GET', `/orders/summary?since=${encodeURIComponent(from)}`);
      expect((await summary(since)).json()).toEqual({ since, orders: 0, sales: [], to_fulfil: 0 });
      const { variantId } = await seedProduct(t.platform.db, shop.id, { price: 2000, stock: 10 });
      const place = async () => {
        const buyer = await new Shopper(t.app, storeHost(shop)).start();
        await buyer.add(variantId, 2);
        return (await buyer.commit()).json() as { order_id: string; total_minor: number };
      };
      const [shipped, open] = [await place(), await place()];
      expect((await admin(owner, 'POST', `/orders/${shipped.order_id}/fulfil`, {})).statusCode).toBe(200);
      expect((await admin(owner, 'POST', `/orders/${open.order_id}/refunds`, { amount_minor: 500, reason: 'goodwill' })).statusCode).toBe(200);
      expect((await summary(since)).json()).toEqual({ since, orders: 2, sales: [{ currency: 'USD', net_minor: shipped.total_minor + open.total_minor - 500 }], to_fulfil: 1 });
      const later = new Date(Date.now() + 60_000).toISOString();
      expect((await summary(later)).json()).toMatchObject({ orders: 0, sales: [], to_fulfil: 1 });
      const list = (await admin(owner, 'GET', '/orders?status=to_fulfil')).json().items.map((item: { id: string }) => item.id);
      expect(list).toEqual([open.order_id]);
      expect((await admin(otherManager, 'GET', `/orders/summary?since=${encodeURIComponent(since)}`)).json()).toMatchObject({ orders: 0, to_fulfil: 0 });
      const bad = await admin(owner, 'GET', '/orders/summary?since=yesterday');
      expect(bad.statusCode).toBe(400);
      expect(bad.headers['content-type']).toContain('application/problem+json');
    });

    it('cancels an unshipped paid order with a full refund, and delivers OrderCancelled on the bus after commit', async () => {
      const { variantId } = await seedProduct(t.platform.db, store.id, { price: 700, stock: 1 });
      const buyer = await shopper();
      await buyer.add(variantId);
      const order = (await buyer.commit()).json();
      const delivered = t.platform.events.next('OrderCancelled', (event) => event.orderId === order.order_id);
      const cancelled = await admin(manager, 'POST', `/orders/${order.order_id}/cancel`, { reason: 'Customer changed their mind' });
      expect(cancelled.json()).toMatchObject({ status: 'cancelled', refunded_minor: order.total_minor });
      expect(await delivered).toMatchObject({ orderNumber: order.order_number, status: 'cancelled', reason: 'Customer changed their mind', eventId: expect.any(String) });
      const timeline = (await admin(manager, 'GET', `/orders/${order.order_id}/timeline`)).json().items;
      expect(timeline.map((item: { type: string }) => item.type)).toEqual(['OrderPlaced', 'OrderPaid', 'OrderCancelled', 'OrderRefunded']);
      expect(timeline[3]).toMatchObject({ amount_minor: order.total_minor, reason: 'order cancelled' });
    });
  });

  it('mails the shopper an order confirmation once, through the outbox, when OrderPlaced is delivered', async () => {
    const { variantId } = await seedProduct(t.platform.db, store.id, { price: 1250, stock: 3, title: 'Wool Scarf' });
    const buyer = await shopper();
    await buyer.add(variantId);
    const email = `confirm-${randomUUID().slice(0, 8)}@example.test`;
    const placed = t.platform.events.next('OrderPlaced', (event) => event.email === email);
    const order = (await buyer.commit({ email })).json();
    await placed;
    // The event is published inside the delivery job's unit of work, so the mail it wrote commits just after.
    await expect.poll(async () => (await t.platform.mail.recent({ to: email })).length, { timeout: 10_000 }).toBeGreaterThan(0);
    const mail = await t.platform.mail.recent({ to: email });
    expect(mail).toHaveLength(1);
    expect(mail[0]).toMatchObject({ subject: `Order #${order.order_number} confirmed: Checkout Store` });
    expect(mail[0]!.body_text).toContain('Wool Scarf');
    expect(mail[0]!.body_text).toContain('/account');
  });

  it('gives expired holds back to sale (the release job), and keeps webhook partitions ahead', async () => {
    const { variantId } = await seedProduct(t.platform.db, store.id, { price: 500, stock: 1 });
    await t.platform.db.withTenant(store.id, (trx) => reserveStock(trx, store.id, 'abandoned-checkout', [{ variantId, quantity: 1 }], new Date(Date.now() - 1000)));
    await t.platform.db.withTenant(store.id, (trx) => reserveStock(trx, store.id, 'live-checkout', [{ variantId, quantity: 1 }], new Date(Date.now() + 60_000)));
    await expect(t.platform.db.withTenant(store.id, (trx) => reserveStock(trx, store.id, 'third', [{ variantId, quantity: 1 }], new Date(Date.now() + 60_000)))).rejects.toMatchObject({ status: 409 });
    expect(await t.platform.db.withPlatform(releaseExpiredStock)).toBeGreaterThanOrEqual(1);
    expect(await activeHolds(t.platform.db, store.id, variantId)).toBe(1);
    const months = await t.platform.db.withPlatform(maintainWebhookPartitions);
    expect(months).toEqual([]);
    const owner = await ownerClient();
    const { rows } = await owner.query(`select count(*)::int as n from pg_inherits where inhparent = 'webhook_events'::regclass`);
    await owner.end();
    expect(rows[0].n).toBe(5);
  });

  it("merges the guest's cart into the customer's at sign-in and shows the customer only their own orders", async () => {
    const { variantId } = await seedProduct(t.platform.db, store.id, { price: 1200, stock: 5 });
    const buyer = await shopper();
    const email = `merge-${randomUUID().slice(0, 8)}@example.test`;
    const registered = await buyer.request('POST', '/account/register', { _csrf: buyer.csrf, display_name: 'Merge Me', email, password: 'a-long-enough-password' });
    expect(registered.statusCode).toBe(303);
    const ordered = await buyer.add(variantId, 1);
    expect(ordered.statusCode).toBe(200);
    const placed = (await buyer.commit({ email })).json();
    await buyer.request('POST', '/account/sign-out', { _csrf: buyer.csrf });

    await buyer.add(variantId, 2);
    const signedIn = await buyer.request('POST', '/account/sign-in', { _csrf: buyer.csrf, email, password: 'a-long-enough-password' });
    expect(signedIn.statusCode).toBe(303);
    expect((await buyer.request('GET', '/cart.json')).json()).toMatchObject({ count: 2 });
    const account = await buyer.request('GET', '/account', undefined, { accept: 'text/html' });
    expect(account.body).toContain(`#${placed.order_number}`);
    expect((await buyer.request('GET', `/account/orders/${placed.order_number}`, undefined, { accept: 'text/html' })).statusCode).toBe(200);
    const stranger = await shopper();
    expect((await stranger.request('GET', `/account/orders/${placed.order_number}`)).statusCode).toBe(303);
    expect((await stranger.request('GET', `/checkout/confirmation/${placed.order_id}`)).statusCode).toBe(404);
    const wrong = await stranger.request('POST', '/account/sign-in', { _csrf: stranger.csrf, email, password: 'wrong-password-here' }, { accept: 'text/html' });
    expect(wrong.statusCode).toBe(401);
    expect(wrong.body).toContain('The e-mail or password is wrong.');
  });

  it('gives back the money of a payment no order took (its checkout died after paying)', async () => {
    const payments = checkout(t.platform).payments;
    const request = { amountMinor: 2500, currency: 'USD', paymentMethod: 'tok_visa', description: 'orphan', metadata: {} };
    const held = await payments.authorise(store.id, 'test', { ...request, capture: 'manual', idempotencyKey: randomUUID() });
    const taken = await payments.authorise(store.id, 'test', { ...request, capture: 'automatic', idempotencyKey: randomUUID() });
    const fresh = await payments.authorise(store.id, 'test', { ...request, capture: 'manual', idempotencyKey: randomUUID() });
    const owner = await ownerClient();
    await owner.query(`update payments set created_at = now() - interval '1 hour' where id = any($1)`, [[held.payment.id, taken.payment.id]]);
    await owner.end();
    await t.platform.db.withPlatform((trx) => voidOrphanPayments(t.platform, trx));
    expect(payments.test.outstanding(held.payment.reference)).toBe(0);
    expect(payments.test.outstanding(taken.payment.reference)).toBe(0);
    expect(payments.test.outstanding(fresh.payment.reference)).toBe(2500);
    const rows = await t.platform.db.withTenant(store.id, (trx) =>
      trx.selectFrom('payments').select(['id', 'status', 'refunded_minor']).where('id', 'in', [held.payment.id, taken.payment.id]).orderBy('created_at').execute(),
    );
    expect(rows.map((row) => [row.status, Number(row.refunded_minor)]).sort()).toEqual([
      ['cancelled', 0],
      ['captured', 2500],
    ]);
  });
});
