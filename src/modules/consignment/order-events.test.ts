import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type TestSession, staffSession, storeHost } from '../../../test/support/auth.ts';
import { type TestApp, type Tenant, makeTenant, ownerClient, startTestApp } from '../../../test/support/platform.ts';
import { Shopper } from '../../../test/support/shop.ts';
import { postOrderEvent } from './ledger-jobs.ts';
import { sweepOrderEvents } from './order-events.ts';

/** From a storefront sale to the consignor's ledger: OrderPaid credits by the split, OrderRefunded claws back. */
describe('order events on the consignment ledger', () => {
  let t: TestApp;
  let store: Tenant;
  let manager: TestSession;
  const api = (method: 'GET' | 'POST' | 'PUT', url: string, payload?: object) =>
    t.app.inject({ method, url: `/admin/api/v1${url}`, headers: { host: storeHost(store), ...manager.headers }, ...(payload ? { payload } : {}) });
  const entriesOf = async (orderId: string) => (await api('GET', `/consignment/ledger?order_id=${orderId}`)).json().items as { kind: string; amount_minor: number; rule: string | null; available_at: string; consignor_id: string }[];
  const buy = async (variantId: string) => {
    const shopper = await new Shopper(t.app, storeHost(store)).start();
    expect((await shopper.add(variantId)).statusCode).toBeLessThan(300);
    const placed = await shopper.commit();
    expect(placed.statusCode, placed.body).toBe(201);
    return placed.json() as { order_id: string; total_minor: number; status: string };
  };

  let consignor: { id: string; email: string };
  let variants: string[];

  beforeAll(async () => {
    t = await startTestApp();
    store = await makeTenant(t.platform.db, 'Sale Store');
    manager = await staffSession(t.platform, store.id, 'manager');
    const email = `rose-${Date.now()}@example.test`;
    consignor = { ...(await api('POST', '/consignment/consignors', { display_name: 'Rose Vintage', email })).json(), email };
    const batch = (await api('POST', '/consignment/batches', { consignor_id: consignor.id, items: [1, 2].map((n) => ({ title: `Silk scarf ${n}`, description: 'print', price_minor: 4_500, currency: 'USD' })) })).json();
    const accepted = await api('POST', `/consignment/batches/${batch.id}/accept`);
    expect(accepted.statusCode, accepted.body).toBe(200);
    variants = accepted.json().items.map((item: { variant_id: string }) => item.variant_id);
  });
  afterAll(() => t?.close());

  it('credits the sale by the split with its rule, payable after the return window, and tells the consignor', async () => {
    const order = await buy(variants[0]!);
    expect(order.status).toBe('paid');
    await expect.poll(async () => (await entriesOf(order.order_id)).length, { timeout: 10_000 }).toBe(2);
    const entries = await entriesOf(order.order_id);
    expect(entries.map((entry) => [entry.kind, entry.amount_minor])).toEqual([
      ['commission', -1_800],
      ['sale_credit', 4_500],
    ]);
    expect(entries[1]!.rule).toBe('store commission 40%, discount borne by shared');
    const days = (Date.parse(entries[1]!.available_at) - Date.now()) / 86_400_000;
    expect(days).toBeGreaterThan(13.9);
    expect(days).toBeLessThan(14.1);
    expect((await api('GET', `/consignment/consignors/${consignor.id}/balance`)).json()).toMatchObject({ balance_minor: 2_700, payable_minor: 0, pending_minor: 2_700 });
    await expect.poll(async () => (await t.platform.mail.recent({ to: consignor.email })).map((mail) => mail.subject), { timeout: 5_000 }).toContain('One of your items sold');

    // A second delivery of the same event posts nothing.
    const [event] = await t.platform.db.withTenant(store.id, (trx) => trx.selectFrom('domain_events').select('id').where('type', '=', 'OrderPaid').where('aggregate_id', '=', order.order_id).execute());
    await t.platform.jobs.enqueue(postOrderEvent, { event_id: String(event!.id) }, { tenantId: store.id });
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    expect(await entriesOf(order.order_id)).toHaveLength(2);

    // A refund of half the order takes back half of the consignor's share.
    const refund = await api('POST', `/orders/${order.order_id}/refunds`, { amount_minor: Math.round(order.total_minor / 2), reason: 'stain' });
    expect(refund.statusCode, refund.body).toBe(200);
    await expect.poll(async () => (await entriesOf(order.order_id)).filter((entry) => entry.kind === 'refund_clawback').map((entry) => entry.amount_minor), { timeout: 10_000 }).toEqual([
      -Math.round((2_700 * Math.round(order.total_minor / 2)) / order.total_minor),
    ]);
  });

  it('posts an event whose enqueue was lost, from the event log', async () => {
    await t.platform.jobs.pausing.pauseTask(postOrderEvent.name, 'test: lose the bus enqueue');
    let orderId: string;
    const owner = await ownerClient();
    try {
      orderId = (await buy(variants[1]!)).order_id;
      await expect
        .poll(async () => {
          const { rowCount } = await owner.query(
            `delete from graphile_worker._private_jobs j using graphile_worker._private_tasks k where k.id = j.task_id and k.identifier = $1 and j.payload->>'tenant_id' = $2`,
            [postOrderEvent.name, store.id],
          );
          return rowCount;
        }, { timeout: 10_000 })
        .toBeGreaterThan(0);
    } finally {
      await owner.end();
      await t.platform.jobs.pausing.resumeTask(postOrderEvent.name);
    }
    expect(await entriesOf(orderId)).toEqual([]);
    expect(await sweepOrderEvents(t.platform, postOrderEvent)).toBeGreaterThan(0);
    await expect.poll(async () => (await entriesOf(orderId)).length, { timeout: 10_000 }).toBe(2);
  });
});
