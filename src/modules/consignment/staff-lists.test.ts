import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type TestSession, staffSession, storeHost } from '../../../test/support/auth.ts';
import { consignorView } from './index.ts';
import { type TestApp, type Tenant, makeTenant, startTestApp } from '../../../test/support/platform.ts';

const DAY = 86_400_000;

/** The lists the back office's screens read: consignors by name with search, agreement and balance; items expiring. */
describe('consignment staff lists', () => {
  let t: TestApp;
  let store: Tenant;
  let other: Tenant;
  let manager: TestSession;
  let otherManager: TestSession;

  beforeAll(async () => {
    t = await startTestApp();
    store = await makeTenant(t.platform.db, 'Second Hand Rose');
    other = await makeTenant(t.platform.db, 'Other Boutique');
    manager = await staffSession(t.platform, store.id, 'manager');
    otherManager = await staffSession(t.platform, other.id, 'manager');
  });
  afterAll(() => t?.close());

  const api = (method: 'GET' | 'POST', url: string, payload?: object, session = manager, tenant = store) =>
    t.app.inject({ method, url: `/admin/api/v1/consignment${url}`, headers: { host: storeHost(tenant), ...session.headers }, ...(payload ? { payload } : {}) });
  const newConsignor = async (display_name: string, extra: object = {}, session = manager, tenant = store) => {
    const response = await api('POST', '/consignors', { display_name, email: `${randomUUID().slice(0, 8)}@example.test`, ...extra }, session, tenant);
    expect(response.statusCode, response.body).toBe(201);
    return response.json() as { id: string; display_name: string };
  };

  it('lists consignors by name across pages, finds them by part of name, e-mail or phone, with agreement and balance', async () => {
    const names = ['delia Moss', 'Anna Byrne', 'Carla Diaz', 'Bea Quinn', 'Edith Hale'];
    const created = new Map<string, string>();
    for (const name of names) created.set(name, (await newConsignor(name, name === 'Carla Diaz' ? { phone: '+1 415 555 0199' } : {})).id);
    await newConsignor('Anna Byrne elsewhere', {}, otherManager, other);

    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const page = await api('GET', `/consignors?limit=2${cursor ? `&cursor=${cursor}` : ''}`);
      expect(page.statusCode, page.body).toBe(200);
      const body = page.json() as { items: { display_name: string }[]; next_cursor: string | null };
      seen.push(...body.items.map((item) => item.display_name));
      cursor = body.next_cursor;
    } while (cursor);
    expect(seen).toEqual(['Anna Byrne', 'Bea Quinn', 'Carla Diaz', 'delia Moss', 'Edith Hale']);

    const byName = (await api('GET', '/consignors?q=ANNA')).json();
    expect(byName.items.map((item: { display_name: string }) => item.display_name)).toEqual(['Anna Byrne']);
    const byPhone = (await api('GET', `/consignors?q=${encodeURIComponent('555 0199')}`)).json();
    expect(byPhone.items.map((item: { id: string }) => item.id)).toEqual([created.get('Carla Diaz')]);
    // A wildcard in the search is a character, not a pattern.
    expect((await api('GET', '/consignors?q=%25')).json().items).toEqual([]);
    expect((await api('GET', '/consignors?q=')).statusCode).toBe(400);

    const bea = created.get('Bea Quinn')!;
    const version = (await api('GET', '/terms')).json().agreement_version as number;
    expect((await api('POST', `/consignors/${bea}/agreement-acceptances`, { agreement_version: version })).statusCode).toBe(201);
    await t.platform.db.withTenant(store.id, (trx) =>
      trx
        .insertInto('consignment_ledger_entries')
        .values(
          [
            { kind: 'sale_credit' as const, amount_minor: 10_000, days: -20 },
            { kind: 'commission' as const, amount_minor: -4_000, days: -20 },
            { kind: 'sale_credit' as const, amount_minor: 5_000, days: 10 },
          ].map((entry, index) => ({
            tenant_id: store.id,
            consignor_id: bea,
            kind: entry.kind,
            amount_minor: entry.amount_minor,
            currency: 'USD',
            posting_key: `test:${bea}:${index}`,
            available_at: new Date(Date.now() + entry.days * DAY),
          })),
        )
        .execute(),
    );
    // Not `bea`: the consignors' e-mail addresses are random hex, which can hold it.
    const listed = (await api('GET', '/consignors?q=quinn')).json().items;
    expect(listed).toEqual([
      expect.objectContaining({ id: bea, accepted_agreement_version: version, accepted_agreement_at: expect.any(String), currency: 'USD', balance_minor: 11_000, payable_minor: 6_000 }),
    ]);
    const anna = (await api('GET', '/consignors?q=anna')).json().items[0];
    expect(anna).toMatchObject({ accepted_agreement_version: null, accepted_agreement_at: null, balance_minor: 0, payable_minor: 0 });
  });

  it('lists the items on the floor whose period ends within the window, soonest first, and only this store’s', async () => {
    const rose = await newConsignor('Rose Expiring');
    const batch = (await api('POST', '/batches', { consignor_id: rose.id, items: ['Wool coat', 'Silk scarf', 'Brass lamp', 'Oak stool'].map((title) => ({ title, price_minor: 4_500, currency: 'USD' })) })).json();
    const accepted = await api('POST', `/batches/${batch.id}/accept`);
    expect(accepted.statusCode, accepted.body).toBe(200);
    const [coat, scarf, lamp, stool] = accepted.json().items as { id: string; sku: string; product_id: string }[];
    const expiresIn = { [coat!.id]: 6, [scarf!.id]: 2, [lamp!.id]: 9, [stool!.id]: -1 };
    await t.platform.db.withTenant(store.id, async (trx) => {
      for (const [id, days] of Object.entries(expiresIn)) await trx.updateTable('consignment_items').set({ expires_at: new Date(Date.now() + days * DAY) }).where('id', '=', id).execute();
    });
    // Another store's item expiring tomorrow stays in that store.
    const elsewhere = await newConsignor('Elsewhere', {}, otherManager, other);
    const otherBatch = (await api('POST', '/batches', { consignor_id: elsewhere.id, items: [{ title: 'Other coat', price_minor: 100, currency: 'USD' }] }, otherManager, other)).json();
    const otherItem = (await api('POST', `/batches/${otherBatch.id}/accept`, undefined, otherManager, other)).json().items[0];
    await t.platform.db.withTenant(other.id, (trx) => trx.updateTable('consignment_items').set({ expires_at: new Date(Date.now() + DAY) }).where('id', '=', otherItem.id).execute());

    const week = await api('GET', '/items/expiring');
    expect(week.statusCode, week.body).toBe(200);
    expect(week.json()).toEqual({
      total: 2,
      items: [
        expect.objectContaining({ id: scarf!.id, title: 'Silk scarf', sku: scarf!.sku, product_id: scarf!.product_id, consignor_id: rose.id, consignor_name: 'Rose Expiring', price_minor: 4_500 }),
        expect.objectContaining({ id: coat!.id, title: 'Wool coat' }),
      ],
    });
    const limited = (await api('GET', '/items/expiring?within_days=10&limit=1')).json();
    expect(limited).toMatchObject({ total: 3, items: [{ id: scarf!.id }] });

    // A sold item is no longer on the floor, so no longer expiring.
    await t.platform.db.withTenant(store.id, (trx) => trx.updateTable('consignment_items').set({ status: 'sold', sold_at: new Date() }).where('id', '=', scarf!.id).execute());
    expect((await api('GET', '/items/expiring')).json()).toMatchObject({ total: 1, items: [{ id: coat!.id }] });

    expect((await api('GET', '/items/expiring?within_days=0')).statusCode).toBe(400);
  });

  it('lists intake batches newest first across pages, open ones on their own, with consignor, count and total', async () => {
    const lily = await newConsignor('Lily Intake');
    const ids: string[] = [];
    for (const count of [1, 2, 3]) {
      const created = await api('POST', '/batches', { consignor_id: lily.id, items: Array.from({ length: count }, (_, index) => ({ title: `Item ${index}`, price_minor: 1_000, currency: 'USD' })) });
      ids.push(created.json().id);
    }
    await t.platform.db.withTenant(store.id, (trx) => consignorView.propose(trx, store.id, lily.id, { items: [{ title: 'Proposed lamp', price_minor: 2_500 }] }));
    expect((await api('POST', `/batches/${ids[0]}/accept`)).statusCode).toBe(200);
    expect((await api('POST', `/batches/${ids[1]}/reject`)).statusCode).toBe(200);

    const seen: { id: string; status: string; source: string; items: number; total_minor: number; consignor_name: string }[] = [];
    let cursor: string | null = null;
    do {
      const page = await api('GET', `/batches?consignor_id=${lily.id}&limit=2${cursor ? `&cursor=${cursor}` : ''}`);
      expect(page.statusCode, page.body).toBe(200);
      seen.push(...page.json().items);
      cursor = page.json().next_cursor;
    } while (cursor);
    expect(seen.map((batch) => [batch.source, batch.status, batch.items, batch.total_minor])).toEqual([
      ['consignor', 'proposed', 1, 2_500],
      ['staff', 'draft', 3, 3_000],
      ['staff', 'rejected', 2, 2_000],
      ['staff', 'accepted', 1, 1_000],
    ]);
    expect(seen.every((batch) => batch.consignor_name === 'Lily Intake')).toBe(true);
    const open = (await api('GET', `/batches?consignor_id=${lily.id}&status=open`)).json().items;
    expect(open.map((batch: { status: string }) => batch.status)).toEqual(['proposed', 'draft']);
    expect((await api('GET', `/batches?consignor_id=${lily.id}`, undefined, otherManager, other)).json().items).toEqual([]);
  });
});
