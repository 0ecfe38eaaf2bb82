import { randomUUID } from 'node:crypto';
import fc from 'fast-check';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Tenant, makeTenant, testDb } from '../../../test/support/platform.ts';
import type { Db } from '../../platform/db/database.ts';
import type { Order } from '../checkout/index.ts';
import { consignment } from './index.ts';
import { balanceOf, LedgerRefused, postAdjustment, releasePayout, reservePayout, reservePayouts } from './ledger.ts';
import { clawBackRefunds, creditPaidOrder } from './sales.ts';

const DAY_MS = 86_400_000;

/** An order of one consigned line, as the checkout returns it. */
function orderOf(totalMinor: number, refundedMinor = 0): Order {
  return {
    id: randomUUID(),
    number: 1,
    customer_id: null,
    email: 'shopper@example.test',
    status: 'paid',
    currency: 'USD',
    prices_include_tax: false,
    subtotal_minor: totalMinor,
    discount_minor: 0,
    shipping_minor: 0,
    tax_minor: 0,
    total_minor: totalMinor,
    refunded_minor: refundedMinor,
    shipping_address: { name: 'A', line1: '1 Main', city: 'X', postal_code: '1', country: 'US' },
    shipping_method: { id: 'standard', name: 'Standard', amount_minor: 0 },
    placed_at: new Date().toISOString(),
    lines: [{ id: randomUUID(), variant_id: randomUUID(), sku: 'SKU', title: 'Coat', quantity: 1, unit_price_minor: totalMinor, discount_minor: 0, tax_minor: 0, total_minor: totalMinor, fulfilled_quantity: 0, refunded_quantity: 0 }],
  };
}

describe('consignment ledger', () => {
  let db: Db;
  let store: Tenant;
  let other: Tenant;
  const newConsignor = (tenant = store) => db.withTenant(tenant.id, (trx) => consignment.createConsignor(trx, tenant.id, { display_name: `C ${randomUUID().slice(0, 6)}` }));
  const sell = (consignorId: string, order: Order, share: number, paidAt: Date, tenant = store) =>
    db.withTenant(tenant.id, (trx) =>
      creditPaidOrder(trx, tenant.id, order, [{ orderLineId: order.lines[0]!.id, consignorId, title: 'Coat', saleMinor: order.total_minor, consignorMinor: share, rule: 'store-default 60%' }], paidAt, 14),
    );
  const balance = (consignorId: string, tenant = store) => db.withTenant(tenant.id, (trx) => balanceOf(trx, consignorId, 'USD'));

  beforeAll(async () => {
    db = testDb();
    store = await makeTenant(db, 'Ledger Store');
    other = await makeTenant(db, 'Other Ledger Store');
  });
  afterAll(() => db?.close());

  it('credits a sale and its commission once, however often the event is posted, payable after the return window', async () => {
    const consignor = await newConsignor();
    const order = orderOf(10_000);
    const paidAt = new Date(Date.now() - 20 * DAY_MS);
    const first = await sell(consignor.id, order, 6_000, paidAt);
    const again = await sell(consignor.id, order, 6_000, paidAt);
    expect(first).toHaveLength(1);
    expect(again).toHaveLength(0);
    expect(await balance(consignor.id)).toEqual({ consignor_id: consignor.id, currency: 'USD', balance_minor: 6_000, payable_minor: 6_000, pending_minor: 0 });

    const recent = await newConsignor();
    await sell(recent.id, orderOf(5_000), 2_500, new Date());
    expect(await balance(recent.id)).toMatchObject({ balance_minor: 2_500, payable_minor: 0, pending_minor: 2_500 });
  });

  it('claws back refunds in proportion, to the same total whatever order or repetition the refunds come in', async () => {
    const consignor = await newConsignor();
    const order = orderOf(10_000);
    await sell(consignor.id, order, 6_000, new Date(Date.now() - 20 * DAY_MS));
    await db.withTenant(store.id, (trx) => clawBackRefunds(trx, store.id, { ...order, refunded_minor: 5_000 }, '2'));
    await db.withTenant(store.id, (trx) => clawBackRefunds(trx, store.id, { ...order, refunded_minor: 2_500 }, '1'));
    await db.withTenant(store.id, (trx) => clawBackRefunds(trx, store.id, { ...order, refunded_minor: 5_000 }, '2'));
    expect(await balance(consignor.id)).toMatchObject({ balance_minor: 3_000, payable_minor: 3_000 });
    const refundedLine = { ...order, refunded_minor: 10_000, lines: [{ ...order.lines[0]!, refunded_quantity: 1 }] };
    await db.withTenant(store.id, (trx) => clawBackRefunds(trx, store.id, refundedLine, '3'));
    expect(await balance(consignor.id)).toMatchObject({ balance_minor: 0, payable_minor: 0 });
  });

  it('refuses to change or delete an entry, for the application and through the view', async () => {
    const consignor = await newConsignor();
    await sell(consignor.id, orderOf(1_000), 500, new Date());
    await expect(db.withTenant(store.id, (trx) => sql`update consignment_ledger_entries set amount_minor = 1 where consignor_id = ${consignor.id}`.execute(trx))).rejects.toThrow(
      /permission denied|append-only/,
    );
    await expect(db.withTenant(store.id, (trx) => sql`delete from consignment_ledger_entries where consignor_id = ${consignor.id}`.execute(trx))).rejects.toThrow(/permission denied|append-only/);
    await expect(db.withTenant(store.id, (trx) => sql`update consignment_balances set balance_minor = 1`.execute(trx))).rejects.toThrow();
    expect(await balance(consignor.id)).toMatchObject({ balance_minor: 500 });
  });

  it('records adjustments with reason and ticket, once per key, never debiting beyond payable', async () => {
    const consignor = await newConsignor();
    const adjust = (amountMinor: number, key: string) =>
      db.withTenant(store.id, (trx) => postAdjustment(trx, store.id, { consignorId: consignor.id, amountMinor, currency: 'USD', reason: 'goodwill', ticket: 'SUP-1', key }));
    const credit = await adjust(1_500, 'k1');
    expect(await adjust(1_500, 'k1')).toEqual(credit);
    await expect(adjust(-2_000, 'k2')).rejects.toBeInstanceOf(LedgerRefused);
    await adjust(-1_000, 'k3');
    expect(await balance(consignor.id)).toMatchObject({ balance_minor: 500, payable_minor: 500 });
  });

  it('lets two payouts at once take no more than is payable', async () => {
    const consignor = await newConsignor();
    await sell(consignor.id, orderOf(2_000), 1_000, new Date(Date.now() - 30 * DAY_MS));
    const attempt = () =>
      db.withTenant(store.id, async (trx) => {
        const entry = await reservePayout(trx, store.id, { id: randomUUID(), consignorId: consignor.id, attempt: 1, amountMinor: 700, currency: 'USD', description: 'payout' });
        await sql`select pg_sleep(0.05)`.execute(trx);
        return entry;
      });
    const outcomes = await Promise.allSettled([attempt(), attempt(), attempt()]);
    expect(outcomes.filter((outcome) => outcome.status === 'fulfilled')).toHaveLength(1);
    expect(outcomes.filter((outcome) => outcome.status === 'rejected').map((outcome) => (outcome as PromiseRejectedResult).reason)).toEqual([expect.any(LedgerRefused), expect.any(LedgerRefused)]);
    expect(await balance(consignor.id)).toMatchObject({ balance_minor: 300, payable_minor: 300 });
  });

  it('lets a bulk reservation and a single one at once take no more than is payable', async () => {
    const consignor = await newConsignor();
    await sell(consignor.id, orderOf(2_000), 1_000, new Date(Date.now() - 30 * DAY_MS));
    const payout = () => ({ id: randomUUID(), consignorId: consignor.id, attempt: 1, amountMinor: 600, currency: 'USD', description: 'payout' });
    const [bulk, single] = await Promise.allSettled([
      db.withTenant(store.id, async (trx) => {
        const refused = await reservePayouts(trx, store.id, [payout()]);
        await sql`select pg_sleep(0.05)`.execute(trx);
        return refused.size;
      }),
      db.withTenant(store.id, (trx) => reservePayout(trx, store.id, payout())),
    ]);
    const reserved = (bulk.status === 'fulfilled' && bulk.value === 0 ? 1 : 0) + (single.status === 'fulfilled' ? 1 : 0);
    expect(reserved).toBe(1);
    expect(await balance(consignor.id)).toMatchObject({ balance_minor: 400, payable_minor: 400 });
  });

  it('keeps each store to its own entries', async () => {
    const consignor = await newConsignor();
    await sell(consignor.id, orderOf(1_000), 600, new Date());
    expect(await balance(consignor.id, other)).toMatchObject({ balance_minor: 0 });
    const rows = await db.withTenant(other.id, (trx) => trx.selectFrom('consignment_ledger_entries').select('id').where('consignor_id', '=', consignor.id).execute());
    expect(rows).toEqual([]);
    await expect(sell(consignor.id, orderOf(1_000), 600, new Date(), other)).rejects.toThrow(/row-level security|foreign key/);
    const foreign = await newConsignor(other);
    await expect(
      db.withTenant(other.id, (trx) =>
        trx.insertInto('consignment_ledger_entries').values({ tenant_id: store.id, consignor_id: foreign.id, kind: 'fee', amount_minor: -1, currency: 'USD', posting_key: randomUUID() }).execute(),
      ),
    ).rejects.toThrow(/row-level security/);
  });

  type Op = { kind: 'sale'; price: number; sharePercent: number; daysAgo: number } | { kind: 'refund'; sale: number; percent: number } | { kind: 'payout'; amount: number; releaseAfter: boolean };
  const op: fc.Arbitrary<Op> = fc.oneof(
    fc.record({ kind: fc.constant('sale' as const), price: fc.integer({ min: 1, max: 50_000 }), sharePercent: fc.integer({ min: 0, max: 100 }), daysAgo: fc.integer({ min: 0, max: 30 }) }),
    fc.record({ kind: fc.constant('refund' as const), sale: fc.nat(), percent: fc.integer({ min: 1, max: 100 }) }),
    fc.record({ kind: fc.constant('payout' as const), amount: fc.integer({ min: 1, max: 60_000 }), releaseAfter: fc.boolean() }),
  );

  it('for any sequence of sales, refunds and payouts: balances equal the sum of entries, and no payout exceeds what was payable', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(op, { minLength: 1, maxLength: 12 }), async (ops) => {
        const consignor = await newConsignor();
        const sales: { order: Order; refunded: number }[] = [];
        // The model: every entry the ledger should hold, with the time it becomes payable.
        const model: { amount: number; availableAt: number }[] = [];
        const payableNow = () => model.filter((entry) => entry.availableAt <= Date.now()).reduce((sum, entry) => sum + entry.amount, 0);
        for (const step of ops) {
          if (step.kind === 'sale') {
            const order = orderOf(step.price);
            const share = Math.round((step.price * step.sharePercent) / 100);
            const paidAt = new Date(Date.now() - step.daysAgo * DAY_MS);
            await sell(consignor.id, order, share, paidAt);
            if (share !== 0) model.push({ amount: share, availableAt: paidAt.getTime() + 14 * DAY_MS });
            sales.push({ order, refunded: 0 });
          } else if (step.kind === 'refund' && sales.length > 0) {
            const sale = sales[step.sale % sales.length]!;
            sale.refunded = Math.min(sale.order.total_minor, sale.refunded + Math.ceil((sale.order.total_minor * step.percent) / 100));
            const posted = await db.withTenant(store.id, (trx) => clawBackRefunds(trx, store.id, { ...sale.order, refunded_minor: sale.refunded }, randomUUID()));
            for (const entry of posted) model.push({ amount: entry.amount_minor, availableAt: Date.parse(entry.available_at) });
          } else if (step.kind === 'payout') {
            const payableBefore = payableNow();
            const payout = { id: randomUUID(), consignorId: consignor.id, attempt: 1, amountMinor: step.amount, currency: 'USD', description: 'payout' };
            const reserved = await db.withTenant(store.id, (trx) => reservePayout(trx, store.id, payout)).catch((error: unknown) => {
              if (error instanceof LedgerRefused) return undefined;
              throw error;
            });
            expect(reserved !== undefined).toBe(step.amount <= payableBefore);
            if (reserved) {
              model.push({ amount: -step.amount, availableAt: 0 });
              if (step.releaseAfter) {
                await db.withTenant(store.id, (trx) => releasePayout(trx, store.id, payout, 'transfer failed'));
                model.push({ amount: step.amount, availableAt: 0 });
              }
            }
          }
          const { rows } = await db.withTenant(store.id, (trx) =>
            sql<{ sum: string | null; n: string }>`select sum(amount_minor) as sum, count(*) as n from consignment_ledger_entries where consignor_id = ${consignor.id}`.execute(trx),
          );
          const derived = await balance(consignor.id);
          expect(derived.balance_minor).toBe(Number(rows[0]!.sum ?? 0));
          expect(derived.balance_minor).toBe(model.reduce((sum, entry) => sum + entry.amount, 0));
          expect(derived.payable_minor).toBe(payableNow());
        }
      }),
      { numRuns: 40 },
    );
  });
});
