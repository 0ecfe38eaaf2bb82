import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type TestSession, staffSession, storeHost } from '../../../test/support/auth.ts';
import { type TestApp, type Tenant, makeTenant, startTestApp } from '../../../test/support/platform.ts';
import { consignedItemsFor, splitFor } from './index.ts';

/** Intake through the admin API: batches, acceptance into the catalog, proposals, price tags, and the split of a sale. */
describe('consignment intake', () => {
  let t: TestApp;
  let store: Tenant;
  let manager: TestSession;
  let staff: TestSession;

  beforeAll(async () => {
    t = await startTestApp();
    store = await makeTenant(t.platform.db, 'Second Hand Rose');
    manager = await staffSession(t.platform, store.id, 'manager');
    staff = await staffSession(t.platform, store.id, 'staff');
  });
  afterAll(() => t?.close());

  const api = (method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE', url: string, payload?: unknown, session = manager, headers: Record<string, string> = {}) =>
    t.app.inject({ method, url: `/admin/api/v1${url}`, headers: { host: storeHost(store), ...session.headers, ...headers }, ...(payload === undefined ? {} : { payload: payload as object }) });

  const newConsignor = async (name: string) => {
    const response = await api('POST', '/consignment/consignors', { display_name: name, email: `${name.toLowerCase().replaceAll(' ', '.')}-${Date.now()}@example.test` });
    expect(response.statusCode, response.body).toBe(201);
    return response.json() as { id: string };
  };
  const items = (count: number, price = 4_500) =>
    Array.from({ length: count }, (_, index) => ({ title: `Silk scarf ${index + 1}`, description: 'Hermès-style print', price_minor: price + index, currency: 'USD' }));

  it('accepts a batch of items as one-of-a-kind published products with one piece in stock, linked to the consignor', async () => {
    const rose = await newConsignor('Rose Vintage');
    const created = await api('POST', '/consignment/batches', { consignor_id: rose.id, note: 'Spring drop-off', items: items(3) });
    expect(created.statusCode, created.body).toBe(201);
    const batch = created.json();
    expect(batch).toMatchObject({ source: 'staff', status: 'draft', consignor_id: rose.id });
    expect(batch.items.map((item: { status: string }) => item.status)).toEqual(['pending', 'pending', 'pending']);

    const accepted = await api('POST', `/consignment/batches/${batch.id}/accept`);
    expect(accepted.statusCode, accepted.body).toBe(200);
    const onFloor = accepted.json();
    expect(onFloor.status).toBe('accepted');
    for (const item of onFloor.items) {
      expect(item).toMatchObject({ status: 'on_floor', days_on_floor: 0, markdown_step: 0 });
      expect(item.sku).toMatch(/^CN-[0-9A-F]{12}-00[1-3]$/);
      const product = (await api('GET', `/products/${item.product_id}`)).json();
      expect(product).toMatchObject({ status: 'published', title: item.title });
      expect(product.variants).toEqual([expect.objectContaining({ sku: item.sku, price_minor: item.price_minor, currency: 'USD' })]);
      const stock = (await api('GET', `/variants/${item.variant_id}/inventory`)).json();
      expect(stock.items.map((level: { on_hand: number }) => level.on_hand)).toEqual([1]);
      // The period and grace of the store's default terms (90 + 7 days) run from today.
      expect(new Date(item.expires_at).getTime() - new Date(item.received_at).getTime()).toBe(90 * 86_400_000);
      expect(new Date(item.grace_ends_at).getTime() - new Date(item.expires_at).getTime()).toBe(7 * 86_400_000);
    }
    const history = (await api('GET', `/consignment/items/${onFloor.items[0].id}/price-history`)).json();
    expect(history.items).toEqual([expect.objectContaining({ price_minor: 4_500, reason: 'intake', markdown_step: 0 })]);

    const again = await api('POST', `/consignment/batches/${batch.id}/accept`);
    expect(again.statusCode).toBe(409);
    expect(again.headers['content-type']).toContain('application/problem+json');
    expect(again.json()).toMatchObject({ code: 'batch_closed', request_id: expect.any(String) });
  });

  it('creates the products once when the same batch is accepted twice at the same moment', async () => {
    const lily = await newConsignor('Lily Closet');
    const batch = (await api('POST', '/consignment/batches', { consignor_id: lily.id, items: items(5) })).json();
    const [first, second] = await Promise.all([api('POST', `/consignment/batches/${batch.id}/accept`), api('POST', `/consignment/batches/${batch.id}/accept`)]);
    expect([first.statusCode, second.statusCode].sort()).toEqual([200, 409]);
    const { rows } = await t.platform.db.withTenant(store.id, (trx) =>
      trx.selectFrom('consignment_items').select(['product_id']).where('batch_id', '=', batch.id).execute().then((found) => ({ rows: found })),
    );
    expect(new Set(rows.map((row) => row.product_id)).size).toBe(5);
    const listed = (await api('GET', `/products?q=${encodeURIComponent(`CN-${batch.id.replaceAll('-', '').slice(0, 12).toUpperCase()}`)}&limit=50`)).json();
    expect(listed.items).toHaveLength(5);
  });

  it('replays an accept sent again with its Idempotency-Key instead of refusing it', async () => {
    const ivy = await newConsignor('Ivy Thrift');
    const batch = (await api('POST', '/consignment/batches', { consignor_id: ivy.id, items: items(2) })).json();
    const key = { 'idempotency-key': `accept-${batch.id}` };
    const first = await api('POST', `/consignment/batches/${batch.id}/accept`, undefined, manager, key);
    const retry = await api('POST', `/consignment/batches/${batch.id}/accept`, undefined, manager, key);
    expect(first.statusCode).toBe(200);
    expect(retry.statusCode).toBe(200);
    expect(retry.headers['idempotent-replayed']).toBe('true');
    expect(retry.json()).toEqual(first.json());
  });

  it('takes a consignor proposal through staff acceptance', async () => {
    const { consignment } = await import('./index.ts');
    const fern = await newConsignor('Fern Finds');
    const proposal = await t.platform.db.withTenant(store.id, (trx) => consignment.proposeBatch(trx, store.id, fern.id, { note: 'From the portal', items: items(1) }));
    expect(proposal).toMatchObject({ source: 'consignor', status: 'proposed' });
    const added = await api('POST', `/consignment/batches/${proposal.id}/items`, { items: items(1, 9_900) });
    expect(added.json().items).toHaveLength(2);
    const accepted = await api('POST', `/consignment/batches/${proposal.id}/accept`);
    expect(accepted.json()).toMatchObject({ source: 'consignor', status: 'accepted' });
  });

  it('refuses what staff may not do and what is not valid, with problem details', async () => {
    const rose = await newConsignor('Scope Check');
    const refused = await api('POST', '/consignment/batches', { consignor_id: rose.id }, staff);
    expect(refused.statusCode).toBe(403);
    expect(refused.json().missing_scopes).toEqual(['consignment:write']);
    expect((await api('GET', `/consignment/consignors/${rose.id}`, undefined, staff)).statusCode).toBe(200);

    const unknownField = await api('POST', '/consignment/batches', { consignor_id: rose.id, items: [{ ...items(1)[0], colour: 'red' }] });
    expect(unknownField.statusCode).toBe(400);
    const stringPrice = await api('POST', '/consignment/batches', { consignor_id: rose.id, items: [{ ...items(1)[0], price_minor: '4500' }] });
    expect(stringPrice.statusCode).toBe(400);
    const threeDecimals = await api('POST', '/consignment/batches', { consignor_id: rose.id, items: [{ ...items(1)[0], commission_percent: 33.333 }] });
    expect(threeDecimals.statusCode).toBe(400);
    const empty = (await api('POST', '/consignment/batches', { consignor_id: rose.id })).json();
    const emptyAccept = await api('POST', `/consignment/batches/${empty.id}/accept`);
    expect(emptyAccept.statusCode).toBe(422);
    expect(emptyAccept.json().code).toBe('batch_empty');
    const nobody = await api('POST', '/consignment/batches', { consignor_id: '00000000-0000-4000-8000-000000000000' });
    expect(nobody.statusCode).toBe(404);
    expect(nobody.json().code).toBe('consignor_not_found');
  });

  it('prints one price tag per item, each with the SKU barcode, as a PDF', async () => {
    const rose = await newConsignor('Tag Printer');
    const batch = (await api('POST', '/consignment/batches', { consignor_id: rose.id, items: items(4) })).json();
    expect((await api('GET', `/consignment/batches/${batch.id}/price-tags`)).statusCode).toBe(409);
    await api('POST', `/consignment/batches/${batch.id}/accept`);
    const tags = await api('GET', `/consignment/batches/${batch.id}/price-tags`, undefined, staff);
    expect(tags.statusCode).toBe(200);
    expect(tags.headers['content-type']).toBe('application/pdf');
    const pdf = tags.rawPayload;
    expect(pdf.subarray(0, 5).toString('latin1')).toBe('%PDF-');
    expect(pdf.subarray(-6).toString('latin1')).toContain('%%EOF');
    const text = pdf.toString('latin1');
    expect(text.match(/\/Type \/Page\b/g)).toHaveLength(4);
    // One barcode image per page (each PNG with its transparency mask).
    expect(text.match(/\/SMask \d+ 0 R/g)).toHaveLength(4);
  });

  it('splits a sale by the most specific commission layer and names it', async () => {
    const rose = await newConsignor('Split Layers');
    await api('PATCH', '/consignment/terms', { commission_percent: 40, discount_absorption: 'shared' });
    const category = (await api('POST', '/categories', { handle: `bags-${Date.now()}`, name: 'Bags' })).json();
    const batch = (
      await api('POST', '/consignment/batches', {
        consignor_id: rose.id,
        items: [
          { title: 'Plain tee', price_minor: 10_000, currency: 'USD' },
          { title: 'Leather bag', price_minor: 10_000, currency: 'USD', category_id: category.id },
          { title: 'Designer coat', price_minor: 10_000, currency: 'USD', category_id: category.id, commission_percent: 25 },
        ],
      })
    ).json();
    const accepted = (await api('POST', `/consignment/batches/${batch.id}/accept`)).json();
    const [tee, bag, coat] = accepted.items as { product_id: string }[];
    const lookup = () => t.platform.db.withTenant(store.id, (trx) => consignedItemsFor(trx, store.id, [tee!.product_id, bag!.product_id, coat!.product_id, '00000000-0000-4000-8000-000000000000']));

    let found = await lookup();
    expect(found.size).toBe(3);
    expect(splitFor({ productId: tee!.product_id, priceMinor: 10_000, discountMinor: 0 }, found)).toMatchObject({
      consignorId: rose.id,
      consignorShareMinor: 6_000,
      storeShareMinor: 4_000,
      rule: { level: 'store', commissionPercent: 40, discountAbsorption: 'shared' },
    });
    expect(splitFor({ productId: '00000000-0000-4000-8000-000000000000', priceMinor: 10_000, discountMinor: 0 }, found)).toBeNull();

    await api('PUT', `/consignment/consignors/${rose.id}/terms`, { commission_percent: 30, discount_absorption: 'store' });
    await api('PUT', `/consignment/category-commissions/${category.id}`, { commission_percent: 50 });
    found = await lookup();
    expect(splitFor({ productId: tee!.product_id, priceMinor: 10_000, discountMinor: 2_000 }, found)).toMatchObject({
      consignorShareMinor: 7_000,
      storeShareMinor: 1_000,
      rule: { level: 'consignor', commissionPercent: 30, discountAbsorption: 'store' },
    });
    expect(splitFor({ productId: bag!.product_id, priceMinor: 10_000, discountMinor: 0 }, found)?.rule).toEqual({ level: 'category', commissionPercent: 50, discountAbsorption: 'store' });
    expect(splitFor({ productId: coat!.product_id, priceMinor: 10_000, discountMinor: 0 }, found)).toMatchObject({ consignorShareMinor: 7_500, rule: { level: 'item', commissionPercent: 25 } });
  });
});
