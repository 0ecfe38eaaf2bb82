import { randomUUID } from 'node:crypto';
import { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { makeTenant, ownerClient, startTestApp } from '../../../test/support/platform.ts';
import { staffSession, storeHost } from '../../../test/support/auth.ts';
import type { TestApp } from '../../../test/support/platform.ts';
import type { StaffRole } from '../identity/rbac.ts';
import type { Tenant } from '../tenancy/service.ts';
import { stageImport } from './import/staging.ts';
import { createOneOfAKindProducts, setVariantPrices } from './one-of-a-kind.ts';
import { ADMIN_PREFIX } from './routes.ts';

const productBody = (handle: string, sku = `SKU-${handle}`) => ({
  handle,
  title: `Product ${handle}`,
  description: 'Nice',
  tags: ['gift'],
  variants: [{ sku, title: 'Default', price_minor: 1999, currency: 'USD', cost_minor: 800, options: { size: 'M' }, weight_grams: 250 }],
});

describe('catalog admin API', () => {
  let t: TestApp;
  let store: Tenant;
  let other: Tenant;
  let headers: Record<string, string>;
  let otherHeaders: Record<string, string>;

  /** Real tokens: a staff member of `tenant` with `role`, on that store's host. */
  const staffHeaders = async (tenant: Tenant, role: StaffRole) => ({ host: storeHost(tenant), ...(await staffSession(t.platform, tenant.id, role)).headers });

  const api = (method: 'GET' | 'POST' | 'PATCH' | 'DELETE', path: string, payload?: unknown, extra: Record<string, string> = {}) =>
    t.app.inject({ method, url: `${ADMIN_PREFIX}${path}`, headers: { ...headers, ...extra }, ...(payload === undefined ? {} : { payload: payload as object }) });
  const events = (type: string, aggregateId: string) =>
    t.platform.db.withTenant(store.id, (trx) => trx.selectFrom('domain_events').selectAll().where('type', '=', type).where('aggregate_id', '=', aggregateId).execute());
  const productCount = () =>
    t.platform.db.withTenant(store.id, (trx) => trx.selectFrom('products').select((eb) => eb.fn.countAll<string>().as('n')).executeTakeFirstOrThrow()).then((row) => Number(row.n));

  beforeAll(async () => {
    t = await startTestApp();
    store = await makeTenant(t.platform.db, 'Catalog Store');
    other = await makeTenant(t.platform.db, 'Other Store');
    headers = await staffHeaders(store, 'manager');
    otherHeaders = await staffHeaders(other, 'manager');
  });
  afterAll(() => t.close());

  it('creates a product with variants, records ProductCreated in the same transaction, and reads it back', async () => {
    const created = await api('POST', '/products', productBody('linen-shirt'));
    expect(created.statusCode).toBe(201);
    const product = created.json();
    expect(product).toMatchObject({ handle: 'linen-shirt', status: 'draft', variants: [{ sku: 'SKU-linen-shirt', price_minor: 1999, cost_minor: 800 }] });
    expect(await events('ProductCreated', product.id)).toHaveLength(1);
    expect((await api('GET', `/products/${product.id}`)).json()).toEqual(product);
  });

  it('pages through products with an opaque cursor', async () => {
    for (const handle of ['page-a', 'page-b', 'page-c']) expect((await api('POST', '/products', productBody(handle))).statusCode).toBe(201);
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const page: { items: { handle: string }[]; next_cursor: string | null } = (await api('GET', `/products?limit=2${cursor ? `&cursor=${cursor}` : ''}`)).json();
      expect(page.items.length).toBeLessThanOrEqual(2);
      seen.push(...page.items.map((item) => item.handle));
      cursor = page.next_cursor;
    } while (cursor);
    expect(new Set(seen).size).toBe(seen.length);
    expect(seen).toEqual(expect.arrayContaining(['page-a', 'page-b', 'page-c', 'linen-shirt']));
    const bad = await api('GET', '/products?cursor=not-a-cursor');
    expect(bad.statusCode).toBe(400);
    expect(bad.json()).toMatchObject({ title: 'Invalid cursor', request_id: expect.any(String) });
  });

  it('replays a write sent again with the same Idempotency-Key, and refuses the key for another body', async () => {
    const key = randomUUID();
    const first = await api('POST', '/products', productBody('idem-one'), { 'idempotency-key': key });
    const again = await api('POST', '/products', productBody('idem-one'), { 'idempotency-key': key });
    expect(first.statusCode).toBe(201);
    expect(again.statusCode).toBe(201);
    expect(again.headers['idempotent-replayed']).toBe('true');
    expect(again.json()).toEqual(first.json());
    expect(await events('ProductCreated', first.json().id)).toHaveLength(1);
    const misuse = await api('POST', '/products', productBody('idem-two'), { 'idempotency-key': key });
    expect(misuse.statusCode).toBe(422);
    expect(misuse.headers['content-type']).toContain('application/problem+json');
  });

  it('runs concurrent retries with one Idempotency-Key once (a duplicate in flight gets 409, a later one the replay)', async () => {
    const key = randomUUID();
    const responses = await Promise.all([1, 2, 3].map(() => api('POST', '/products', productBody('idem-race'), { 'idempotency-key': key })));
    const created = responses.filter((response) => response.statusCode === 201);
    expect(responses.every((response) => [201, 409].includes(response.statusCode))).toBe(true);
    expect(new Set(created.map((response) => response.json().id)).size).toBe(1);
    expect(created.filter((response) => response.headers['idempotent-replayed'] !== 'true')).toHaveLength(1);
    const retry = await api('POST', '/products', productBody('idem-race'), { 'idempotency-key': key });
    expect(retry.headers['idempotent-replayed']).toBe('true');
  });

  it('answers bad input with a problem listing the fields, and changes nothing', async () => {
    const before = await productCount();
    const invalid = await api('POST', '/products', { handle: 'Not A Handle', title: '', variants: [{ sku: 'x', price_minor: -1, currency: 'usd' }] });
    expect(invalid.statusCode).toBe(400);
    expect(invalid.headers['content-type']).toContain('application/problem+json');
    const body = invalid.json();
    expect(body.request_id).toEqual(expect.any(String));
    expect(body.errors.map((error: { field: string }) => error.field)).toEqual(expect.arrayContaining(['body/handle']));
    const duplicateSku = await api('POST', '/products', productBody('dup-sku', 'SKU-linen-shirt'));
    expect(duplicateSku.statusCode).toBe(409);
    expect(duplicateSku.json()).toMatchObject({ field: 'sku' });
    const unknownCategory = await api('POST', '/products', { ...productBody('bad-cat'), category_id: randomUUID() });
    expect(unknownCategory.statusCode).toBe(422);
    expect(await productCount()).toBe(before);
  });

  it('needs a principal with the right scopes, from this store', async () => {
    const anonymous = await t.app.inject({ url: `${ADMIN_PREFIX}/products`, headers: { host: headers.host! } });
    expect(anonymous.statusCode).toBe(401);
    const readOnly = await t.app.inject({ method: 'POST', url: `${ADMIN_PREFIX}/products`, headers: await staffHeaders(store, 'staff'), payload: productBody('ro') });
    expect(readOnly.statusCode).toBe(403);
    // A token minted for another store is not a credential here at all.
    const foreignToken = { ...otherHeaders, host: headers.host! };
    expect((await t.app.inject({ url: `${ADMIN_PREFIX}/products`, headers: foreignToken })).statusCode).toBe(401);
  });

  it("never shows one store's products to another", async () => {
    const product = (await api('POST', '/products', productBody('secret-item'))).json();
    expect((await t.app.inject({ url: `${ADMIN_PREFIX}/products/${product.id}`, headers: otherHeaders })).statusCode).toBe(404);
    const patch = await t.app.inject({ method: 'PATCH', url: `${ADMIN_PREFIX}/products/${product.id}`, headers: otherHeaders, payload: { title: 'Stolen' } });
    expect(patch.statusCode).toBe(404);
    const list = (await t.app.inject({ url: `${ADMIN_PREFIX}/products`, headers: otherHeaders })).json();
    expect(list.items).toEqual([]);
    const rows = await t.platform.db.withTenant(other.id, (trx) => trx.selectFrom('variants').selectAll().execute());
    expect(rows).toEqual([]);
    // Writing a row for another tenant is refused by the policy's WITH CHECK.
    await expect(
      t.platform.db.withTenant(other.id, (trx) => trx.insertInto('domain_events').values({ tenant_id: store.id, type: 'ProductCreated', aggregate_type: 'product', aggregate_id: product.id, payload: '{}', correlation_id: null }).execute()),
    ).rejects.toThrow(/row-level security/);
  });

  it('publishes now or schedules for later, with the matching event', async () => {
    const product = (await api('POST', '/products', productBody('to-publish'))).json();
    const published = await api('POST', `/products/${product.id}/publish`, {});
    expect(published.json()).toMatchObject({ status: 'published', published_at: expect.any(String) });
    expect(await events('ProductPublished', product.id)).toHaveLength(1);
    const later = (await api('POST', '/products', productBody('to-schedule'))).json();
    const when = new Date(Date.now() + 86_400_000).toISOString();
    expect((await api('POST', `/products/${later.id}/publish`, { publish_at: when })).json().published_at).toBe(when);
    expect(await events('ProductScheduled', later.id)).toHaveLength(1);
  });

  it('announces a scheduled product with ProductPublished when its time comes (a job), once', async () => {
    const product = (await api('POST', '/products', productBody('soon'))).json();
    const soon = new Date(Date.now() + 1_500).toISOString();
    expect((await api('POST', `/products/${product.id}/publish`, { publish_at: new Date(Date.now() + 60_000).toISOString() })).statusCode).toBe(200);
    expect((await api('POST', `/products/${product.id}/publish`, { publish_at: soon })).statusCode).toBe(200);
    expect(await events('ProductScheduled', product.id)).toHaveLength(2);
    await expect.poll(async () => (await events('ProductPublished', product.id)).length, { timeout: 20_000, interval: 200 }).toBe(1);
    const [published] = await events('ProductPublished', product.id);
    expect(published!.payload).toEqual({ published_at: soon, scheduled: true });
  });

  it('updates and deletes variants, keeping at least one', async () => {
    const product = (await api('POST', '/products', productBody('variants'))).json();
    const added = await api('POST', `/products/${product.id}/variants`, { sku: 'VAR-2', price_minor: 500, currency: 'USD' });
    expect(added.statusCode).toBe(201);
    const updated = await api('PATCH', `/variants/${added.json().id}`, { price_minor: 650 });
    expect(updated.json()).toMatchObject({ price_minor: 650 });
    expect((await api('DELETE', `/variants/${added.json().id}`)).statusCode).toBe(204);
    expect((await api('DELETE', `/variants/${product.variants[0].id}`)).statusCode).toBe(409);
  });

  it("keeps each product's listing price at its first variant's (position, then SKU), whatever writes the variants", async () => {
    const listing = (productId: string, tenant = store) =>
      t.platform.db.withTenant(tenant.id, (trx) =>
        trx.selectFrom('products').select(['listing_price_minor as price', 'listing_currency as currency']).where('id', '=', productId).executeTakeFirst(),
      );
    const body = { ...productBody('listed'), variants: [{ sku: 'LISTED-1', price_minor: 2000, currency: 'USD' }, { sku: 'LISTED-2', price_minor: 3000, currency: 'USD' }] };
    const product = (await api('POST', '/products', body)).json();
    const [first, second] = product.variants;
    expect(await listing(product.id)).toEqual({ price: '2000', currency: 'USD' });
    await api('PATCH', `/variants/${first.id}`, { price_minor: 2100 });
    expect(await listing(product.id)).toEqual({ price: '2100', currency: 'USD' });
    await api('PATCH', `/variants/${first.id}`, { position: 5 });
    expect(await listing(product.id)).toEqual({ price: '3000', currency: 'USD' });
    const cheaper = (await api('POST', `/products/${product.id}/variants`, { sku: 'LISTED-0', price_minor: 900, currency: 'USD', position: 0 })).json();
    expect(await listing(product.id)).toEqual({ price: '900', currency: 'USD' });
    await api('PATCH', `/variants/${cheaper.id}`, { currency: 'EUR' });
    expect(await listing(product.id)).toEqual({ price: '900', currency: 'EUR' });
    expect((await api('DELETE', `/variants/${cheaper.id}`)).statusCode).toBe(204);
    expect(await listing(product.id)).toEqual({ price: '3000', currency: 'USD' });
    await t.platform.db.withTenant(store.id, (trx) => setVariantPrices(trx, store.id, [{ variant_id: second.id, price_minor: 2500 }]));
    expect(await listing(product.id)).toEqual({ price: '2500', currency: 'USD' });

    // Another store can neither read the listing price nor move it through the variants it cannot see.
    expect(await listing(product.id, other)).toBeUndefined();
    const moved = await t.platform.db.withTenant(other.id, (trx) => trx.updateTable('variants').set({ price_minor: 1 }).where('id', '=', second.id).executeTakeFirst());
    expect(moved.numUpdatedRows).toBe(0n);
    expect(await listing(product.id)).toEqual({ price: '2500', currency: 'USD' });
  });

  it('keeps the listing price right when two transactions write variants of one product at once', async () => {
    const body = { ...productBody('raced'), variants: [{ sku: 'RACED-1', price_minor: 2000, currency: 'USD' }] };
    const product = (await api('POST', '/products', body)).json();
    const first = product.variants[0].id as string;
    let commitCheaper!: () => void;
    const cheaperMayCommit = new Promise<void>((resolve) => {
      commitCheaper = resolve;
    });
    let cheaperWritten!: () => void;
    const cheaperInserted = new Promise<void>((resolve) => {
      cheaperWritten = resolve;
    });
    // A: a cheaper variant becomes first, and its transaction stays open.
    const cheaper = t.platform.db.withTenant(store.id, async (trx) => {
      await trx.insertInto('variants').values({ tenant_id: store.id, product_id: product.id, sku: 'RACED-0', price_minor: 900, currency: 'USD', position: -1, options: '{}' }).execute();
      cheaperWritten();
      await cheaperMayCommit;
    });
    await cheaperInserted;
    // B: meanwhile the old first variant's price changes; its snapshot cannot see A's variant.
    const repriced = t.platform.db.withTenant(store.id, (trx) => trx.updateTable('variants').set({ price_minor: 2500 }).where('id', '=', first).execute());
    const watcher = await ownerClient();
    try {
      await vi.waitFor(async () => {
        const { rows } = await watcher.query(`select wait_event_type from pg_stat_activity where datname = current_database()`);
        expect(rows.some((row) => row.wait_event_type === 'Lock')).toBe(true);
      }, { timeout: 5000, interval: 20 });
    } finally {
      await watcher.end();
    }
    commitCheaper();
    await Promise.all([cheaper, repriced]);
    const listed = await t.platform.db.withTenant(store.id, (trx) =>
      trx.selectFrom('products').select(['listing_price_minor as price']).where('id', '=', product.id).executeTakeFirstOrThrow(),
    );
    expect(listed.price).toBe('900');
  });

  it('keeps categories a tree', async () => {
    const root = (await api('POST', '/categories', { handle: 'clothing', name: 'Clothing' })).json();
    const child = (await api('POST', '/categories', { handle: 'shirts', name: 'Shirts', parent_id: root.id })).json();
    const tree = (await api('GET', '/categories')).json().items.map((c: { handle: string }) => c.handle);
    expect(tree.indexOf('clothing')).toBeLessThan(tree.indexOf('shirts'));
    const cycle = await api('PATCH', `/categories/${root.id}`, { parent_id: child.id });
    expect(cycle.statusCode).toBe(422);
    expect((await api('DELETE', `/categories/${root.id}`)).statusCode).toBe(409);
  });

  it('keeps manual and rule collections', async () => {
    const product = (await api('POST', '/products', productBody('in-collection'))).json();
    const manual = await api('POST', '/collections', { handle: 'picks', title: 'Picks', kind: 'manual', product_ids: [product.id] });
    expect(manual.json()).toMatchObject({ kind: 'manual', product_ids: [product.id] });
    const rule = await api('POST', '/collections', { handle: 'gifts', title: 'Gifts', kind: 'rule', rules: { tag: 'gift' } });
    expect(rule.json()).toMatchObject({ kind: 'rule', rules: { tag: 'gift' } });
    const wrong = await api('PATCH', `/collections/${rule.json().id}`, { product_ids: [product.id] });
    expect(wrong.statusCode).toBe(422);
  });

  it('adjusts inventory with a reason, records InventoryAdjusted, and never goes below zero', async () => {
    const product = (await api('POST', '/products', productBody('stocked'))).json();
    const variantId = product.variants[0].id;
    const location = (await api('POST', '/inventory/locations', { code: 'back-room', name: 'Back room' })).json();
    const received = await api('POST', '/inventory/adjustments', { variant_id: variantId, location_id: location.id, delta: 5, reason: 'received' });
    expect(received.json()).toMatchObject({ on_hand_after: 5, reason: 'received' });
    const oversold = await api('POST', '/inventory/adjustments', { variant_id: variantId, location_id: location.id, delta: -6, reason: 'sold' });
    expect(oversold.statusCode).toBe(409);
    expect((await api('GET', `/variants/${variantId}/inventory`)).json().items).toEqual([{ location_id: location.id, location_code: 'back-room', on_hand: 5 }]);
    expect(await events('InventoryAdjusted', variantId)).toHaveLength(1);
    expect(await events('InventoryLocationCreated', location.id)).toHaveLength(1);
    const badReason = await api('POST', '/inventory/adjustments', { variant_id: variantId, location_id: location.id, delta: 1, reason: 'magic' });
    expect(badReason.statusCode).toBe(400);
    const zero = await api('POST', '/inventory/adjustments', { variant_id: variantId, location_id: location.id, delta: 0, reason: 'count' });
    expect(zero.json()).toMatchObject({ status: 400, errors: [{ field: 'body/delta' }] });
  });

  it('searches products by title, handle or SKU (wildcards taken literally), and sums up the catalog for the dashboard', async () => {
    const shop = await makeTenant(t.platform.db, 'Summary Store');
    const shopHeaders = await staffHeaders(shop, 'manager');
    const call = (method: 'GET' | 'POST', path: string, payload?: unknown) =>
      t.app.inject({ method, url: `${ADMIN_PREFIX}${path}`, headers: shopHeaders, ...(payload === undefined ? {} : { payload: payload as object }) });
    const scarf = (await call('POST', '/products', { ...productBody('wool-scarf', 'WS-RED'), title: 'Wool Scarf' })).json();
    await call('POST', '/products', { ...productBody('linen-100', 'LN-1'), title: 'Linen 100% flax' });
    await call('POST', `/products/${scarf.id}/publish`, {});
    const found = async (q: string) => (await call('GET', `/products?q=${encodeURIComponent(q)}`)).json().items.map((p: { handle: string }) => p.handle);
    expect(await found('scarf')).toEqual(['wool-scarf']);
    expect(await found('ws-red')).toEqual(['wool-scarf']);
    expect(await found('100%')).toEqual(['linen-100']);
    expect(await found('%')).toEqual(['linen-100']);
    expect(await found('_')).toEqual([]);
    const location = (await call('POST', '/inventory/locations', { code: 'shop', name: 'Shop' })).json();
    await call('POST', '/inventory/adjustments', { variant_id: scarf.variants[0].id, location_id: location.id, delta: 2, reason: 'received' });
    // A unique piece has one in stock by nature: not "running low".
    await t.platform.db.withTenant(shop.id, (trx) =>
      createOneOfAKindProducts(trx, shop.id, [{ sku: 'OOAK-LAMP', title: 'Vintage lamp', description: '', category_id: null, price_minor: 4500, currency: 'USD' }]),
    );
    const summary = (await call('GET', '/catalog/summary')).json();
    expect(summary).toMatchObject({
      products: { draft: 1, published: 2, archived: 0, scheduled: 0 },
      low_stock: [{ sku: 'WS-RED', on_hand: 2, product_title: 'Wool Scarf' }],
      imports_running: [],
    });
    expect((await t.app.inject({ url: `${ADMIN_PREFIX}/catalog/summary`, headers: headers })).json().low_stock).not.toContainEqual(expect.objectContaining({ sku: 'WS-RED' }));
  });

  it('streams the catalog as CSV for this store only', async () => {
    const foreign = await t.app.inject({ method: 'POST', url: `${ADMIN_PREFIX}/products`, headers: otherHeaders, payload: productBody('other-only', 'OTHER-ONLY') });
    expect(foreign.statusCode).toBe(201);
    const response = await api('GET', '/catalog/export?format=csv');
    expect(response.statusCode).toBe(200);
    expect(response.headers['content-type']).toContain('text/csv');
    const lines = response.body.trim().split('\n');
    expect(lines[0]).toBe('handle,title,description,status,tags,sku,variant_title,price_minor,currency,cost_minor,weight_grams,options');
    expect(response.body).toContain('linen-shirt,Product linen-shirt,Nice,draft,gift,SKU-linen-shirt,Default,1999,USD,800,250,size=M');
    expect(response.body).not.toContain('OTHER-ONLY');
    expect((await api('GET', '/catalog/export?format=xml')).statusCode).toBe(400);
  });

  it('keeps every catalog table invisible and unwritable across stores', async () => {
    const tables = [
      'products', 'variants', 'categories', 'collections', 'collection_products', 'inventory_locations',
      'inventory_levels', 'inventory_adjustments', 'domain_events', 'idempotency_keys', 'catalog_imports', 'catalog_import_chunks',
    ] as const;
    const counts = (tenant: Tenant) =>
      t.platform.db.withTenant(tenant.id, async (trx) => {
        const result: Record<string, number> = {};
        for (const table of tables) {
          const row = await trx.selectFrom(table).select((eb) => eb.fn.countAll<string>().as('n')).where('tenant_id', '=', store.id).executeTakeFirstOrThrow();
          result[table] = Number(row.n);
        }
        return result;
      });
    await api('POST', '/products', productBody('sweep'), { 'idempotency-key': 'sweep-key' });
    await t.platform.db.withTenant(store.id, (trx) =>
      stageImport(trx, store.id, Readable.from(['handle,sku\nsweep-import,SWEEP-1\n']), 'csv'),
    );
    const own = await counts(store);
    for (const table of tables) expect(own[table], table).toBeGreaterThan(0);
    expect(Object.values(await counts(other)).every((n) => n === 0)).toBe(true);
    const moved = await t.platform.db.withTenant(other.id, (trx) => trx.updateTable('products').set({ title: 'taken' }).where('tenant_id', '=', store.id).executeTakeFirst());
    expect(moved.numUpdatedRows).toBe(0n);
  });

  it('imports an uploaded CSV in background jobs, with progress and row errors', async () => {
    const csv = [
      'handle,title,description,status,tags,sku,variant_title,price_minor,currency,cost_minor,weight_grams,options',
      'bulk-tee,Bulk Tee,,published,,BULK-1,Small,1500,USD,,,size=S',
      'bulk-tee,Bulk Tee,,published,,BULK-2,Large,1500,USD,,,size=L',
      'Bad Handle,,,,,,,,,,,',
    ].join('\n');
    const upload = (payload: string, contentType = 'text/csv', format = 'csv') =>
      t.app.inject({ method: 'POST', url: `${ADMIN_PREFIX}/imports?format=${format}`, headers: { ...headers, 'content-type': contentType }, payload });
    const accepted = await upload(csv);
    expect(accepted.statusCode).toBe(202);
    expect(accepted.json()).toMatchObject({ status: 'queued', rows_total: 3, chunks_total: 1 });
    const id = accepted.json().id as string;
    await expect.poll(async () => (await api('GET', `/imports/${id}`)).json().status, { timeout: 20_000, interval: 100 }).toBe('succeeded');
    const done = (await api('GET', `/imports/${id}`)).json();
    expect(done).toMatchObject({ rows_done: 3, rows_failed: 1, variants_inserted: 2, chunks_done: 1 });
    expect(done.errors.map((error: { line: number; field: string }) => `${error.line}:${error.field}`)).toEqual(expect.arrayContaining(['4:handle', '4:sku']));
    const products = (await api('GET', '/products?limit=200')).json().items.map((item: { handle: string }) => item.handle);
    expect(products).toContain('bulk-tee');
    expect(await t.platform.db.withTenant(other.id, (trx) => trx.selectFrom('catalog_imports').selectAll().execute())).toEqual([]);

    expect((await upload(csv, 'text/csv', 'xml')).statusCode).toBe(400);
    expect((await upload(csv, 'application/pdf')).statusCode).toBe(415);
    const empty = await upload('');
    expect(empty.statusCode).toBe(400);
    expect(empty.headers['content-type']).toContain('application/problem+json');
  });
});
