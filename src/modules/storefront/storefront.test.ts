import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type TestApp, makeTenant, startTestApp } from '../../../test/support/platform.ts';
import { createCollection } from '../catalog/collections.ts';
import { createProduct, publishProduct, updateProduct } from '../catalog/service.ts';
import type { Tenant } from '../tenancy/service.ts';
import { cartScript } from './assets.ts';

const INTERNAL = { cost: 777, actor: 'internal-actor-marker' };

describe('storefront', () => {
  let t: TestApp;
  let store: Tenant;
  let other: Tenant;
  let host: string;
  const ids: Record<string, { product: string; variant: string }> = {};

  const get = (url: string, headers: Record<string, string> = {}) => t.app.inject({ url, headers: { host, ...headers } });

  async function addProduct(tenant: Tenant, handle: string, title: string, options: { publish?: boolean; tags?: string[]; description?: string } = {}) {
    const product = await t.platform.db.withTenant(tenant.id, async (trx) => {
      await trx.selectNoFrom((eb) => eb.fn('set_config', [eb.val('app.user_id'), eb.val(INTERNAL.actor), eb.val(true)]).as('actor')).execute();
      const created = await createProduct(trx, tenant.id, {
        handle,
        title,
        description: options.description ?? `All about ${title}`,
        tags: options.tags ?? [],
        variants: [{ sku: `${handle}-1`.toUpperCase(), title: 'One size', price_minor: 1999, currency: 'USD', cost_minor: INTERNAL.cost }],
      });
      if (options.publish !== false) await publishProduct(trx, tenant.id, created.id, {});
      return created;
    });
    ids[handle] = { product: product.id, variant: product.variants[0]!.id };
    return product;
  }

  beforeAll(async () => {
    t = await startTestApp();
    store = await makeTenant(t.platform.db, 'Maple & <Thread>');
    other = await makeTenant(t.platform.db, 'Elsewhere');
    host = `${store.subdomain}.localhost`;
    await addProduct(store, 'linen-shirts', 'Linen Shirt', { tags: ['gift'], description: 'Washed linen for hot days' });
    await addProduct(store, 'xss-mug', '<script>alert("pwned")</script> Mug', { tags: ['gift'] });
    await addProduct(store, 'draft-hat', 'Draft Hat', { publish: false });
    await addProduct(other, 'foreign-lamp', 'Foreign Lamp');
    await t.platform.db.withTenant(store.id, async (trx) => {
      await createCollection(trx, store.id, { handle: 'picks', title: 'Picks', kind: 'manual', product_ids: [ids['xss-mug']!.product, ids['draft-hat']!.product] });
      await createCollection(trx, store.id, { handle: 'gifts', title: 'Gifts', kind: 'rule', rules: { tag: 'gift' } });
    });
  });
  afterAll(() => t.close());

  it('renders the home page with escaped store data, published products only, and CDN caching headers', async () => {
    const response = await get('/');
    expect(response.statusCode).toBe(200);
    expect(response.headers['content-type']).toContain('text/html');
    expect(response.body).toContain('<h1>Maple &amp; &lt;Thread&gt;</h1>');
    expect(response.body).toContain('Linen Shirt');
    expect(response.body).not.toContain('Draft Hat');
    expect(response.body).not.toContain('Foreign Lamp');
    expect(response.body).toContain('--vs-color-primary:#1f3a5f');
    expect(response.headers['cache-control']).toBe('public, max-age=60, stale-while-revalidate=600');
    expect(response.headers['set-cookie']).toBeUndefined();
    const etag = response.headers.etag as string;
    expect(etag).toMatch(/^"[\w-]+"$/);
    const revalidated = await get('/', { 'if-none-match': etag });
    expect(revalidated.statusCode).toBe(304);
    expect(revalidated.body).toBe('');
    // Asked from the store's own origin, the page carries CORS's answer, so a shared cache must key it on the
    // Origin too: the page's own Vary adds to CORS's, it does not replace it.
    const fromOrigin = await get('/', { origin: `http://${host}` });
    expect(fromOrigin.headers['access-control-allow-origin']).toBe(`http://${host}`);
    expect(String(fromOrigin.headers.vary).split(', ')).toEqual(expect.arrayContaining(['Origin', 'Accept-Encoding', 'Host']));
  });

  it("renders the store's branding as design tokens, and never a script URL as its logo", async () => {
    const branded = await makeTenant(t.platform.db, 'Branded');
    await t.platform.db.withTenant(branded.id, (trx) =>
      trx.updateTable('store_settings').set({ primary_color: '#112233', accent_color: '#abcdef', logo_url: 'javascript:alert(1)' }).execute(),
    );
    const page = (await t.app.inject({ url: '/', headers: { host: `${branded.subdomain}.localhost` } })).body;
    expect(page).toContain(':root{--vs-color-primary:#112233;--vs-color-accent:#abcdef;');
    expect(page).not.toContain('javascript:');
    expect(page).not.toContain('<img src=');
  });

  it('escapes a <script> stored in a product name everywhere it appears', async () => {
    for (const url of ['/', '/products/xss-mug', '/collections/gifts', '/search?q=mug']) {
      const body = (await get(url)).body;
      expect(body, url).toContain('&lt;script&gt;alert(&quot;pwned&quot;)&lt;/script&gt; Mug');
      expect(body, url).not.toContain('<script>alert');
    }
  });

  it('never shows internal fields (cost basis, audit metadata)', async () => {
    const pages = await Promise.all(['/', '/products/linen-shirts', '/collections/picks', '/search?q=linen'].map((url) => get(url)));
    for (const page of pages) {
      expect(page.body).not.toContain(INTERNAL.actor);
      expect(page.body).not.toMatch(/7\.77|777|cost/);
    }
    const cart = await get('/cart.json');
    const cookies = cart.cookies.map((cookie) => `${cookie.name}=${cookie.value}`).join('; ');
    const added = await t.app.inject({
      method: 'POST',
      url: '/cart/items',
      headers: { host, cookie: cookies, accept: 'application/json' },
      payload: { _csrf: cart.json().csrf_token, variant_id: ids['linen-shirts']!.variant },
    });
    expect(added.statusCode).toBe(200);
    expect(added.body).not.toMatch(/cost|created_by|updated_by|777|internal-actor/);
  });

  it('shows a product with its stock state and an add-to-cart form; drafts and other stores are 404', async () => {
    const page = await get('/products/linen-shirts');
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('$19.99');
    expect(page.body).toContain('<strong>Sold out</strong>');
    expect(page.body).toContain(`<script src="${cartScript.path}" defer></script>`);
    expect((await get('/products/draft-hat')).statusCode).toBe(404);
    const foreign = await get('/products/foreign-lamp');
    expect(foreign.statusCode).toBe(404);
    expect(foreign.headers['content-type']).toContain('application/problem+json');
  });

  it('lists manual and rule collections', async () => {
    const picks = (await get('/collections/picks')).body;
    expect(picks).toContain('Mug');
    expect(picks).not.toContain('Draft Hat');
    const gifts = (await get('/collections/gifts')).body;
    expect(gifts).toContain('Linen Shirt');
    expect(gifts).toContain('Mug');
    await t.platform.db.withTenant(store.id, async (trx) => {
      await createCollection(trx, store.id, { handle: 'under-20', title: 'Under $20', kind: 'rule', rules: { tag: 'gift', max_price_minor: 1999 } });
      await createCollection(trx, store.id, { handle: 'under-10', title: 'Under $10', kind: 'rule', rules: { tag: 'gift', max_price_minor: 999 } });
    });
    expect((await get('/collections/under-20')).body).toContain('Linen Shirt');
    expect((await get('/collections/under-10')).body).not.toContain('Linen Shirt');
    expect((await get('/collections/nope')).statusCode).toBe(404);
    const forged = Buffer.from(JSON.stringify(['2026-13-45', "x'; drop table products"])).toString('base64url');
    for (const query of ['?after=not%20a%20cursor', `?after=${forged}`, `?before=${forged}`, '?after=e30&before=e30']) {
      const refused = await get(`/collections/gifts${query}`);
      expect(refused.statusCode).toBe(400);
      expect(refused.headers['content-type']).toContain('application/problem+json');
    }
  });

  it('pages through a collection by keyset, forwards and back, rule and manual alike', async () => {
    const handles = Array.from({ length: 26 }, (_, index) => `paged-${String(index).padStart(2, '0')}`);
    for (const handle of handles) await addProduct(store, handle, `Paged ${handle}`, { tags: ['paged'] });
    await t.platform.db.withTenant(store.id, async (trx) => {
      await createCollection(trx, store.id, { handle: 'paged', title: 'Paged', kind: 'rule', rules: { tag: 'paged' } });
      await createCollection(trx, store.id, { handle: 'paged-manual', title: 'Paged by hand', kind: 'manual', product_ids: handles.map((handle) => ids[handle]!.product) });
    });
    const shown = (body: string) => [...body.matchAll(/href="\/products\/(paged-\d\d)"/g)].map((match) => match[1]!);
    const link = (body: string, rel: 'next' | 'prev') => [...body.matchAll(/<a href="(\?[^"]+)" rel="(next|prev)"/g)].find((match) => match[2] === rel)?.[1];
    for (const collection of ['paged', 'paged-manual']) {
      const first = (await get(`/collections/${collection}`)).body;
      expect(shown(first)).toHaveLength(24);
      expect(link(first, 'prev')).toBeUndefined();
      const second = (await get(`/collections/${collection}${link(first, 'next')!}`)).body;
      expect(shown(second)).toHaveLength(2);
      expect(link(second, 'next')).toBeUndefined();
      expect(new Set([...shown(first), ...shown(second)])).toEqual(new Set(handles));
      const back = (await get(`/collections/${collection}${link(second, 'prev')!}`)).body;
      expect(shown(back)).toEqual(shown(first));
      expect(link(back, 'prev')).toBeUndefined();
      expect(link(back, 'next')).toBeDefined();
    }
    // The merchant's order, and newest first with ties broken by handle (these were published one after another).
    expect(shown((await get('/collections/paged-manual')).body)).toEqual(handles.slice(0, 24));
    expect(shown((await get('/collections/paged')).body)).toEqual([...handles].reverse().slice(0, 24));
  });

  it('searches with PostgreSQL full-text (stemming, description)', async () => {
    expect((await get('/search?q=shirts')).body).toContain('Linen Shirt');
    expect((await get('/search?q=hot%20days')).body).toContain('Linen Shirt');
    const none = await get('/search?q=spaceship');
    expect(none.body).toContain('Nothing found');
    const tooLong = await get(`/search?q=${'a'.repeat(201)}`);
    expect(tooLong.statusCode).toBe(400);
    expect(tooLong.json()).toMatchObject({ title: 'Validation failed', request_id: expect.any(String) });
  });

  it('ranks title matches above description matches, each shown with its first price', async () => {
    await addProduct(store, 'zephyr-note', 'Pocket Notebook', { description: 'Light as a zephyr' });
    await addProduct(store, 'zephyr-scarf', 'Zephyr Scarf', { description: 'A scarf for windy days' });
    const body = (await get('/search?q=zephyr')).body;
    const order = [...body.matchAll(/href="\/products\/(zephyr-[a-z]+)"/g)].map((match) => match[1]);
    expect(order).toEqual(['zephyr-scarf', 'zephyr-note']);
    expect(body).toContain('Results for “zephyr”: 2 matches.');
    expect([...body.matchAll(/<span class="price">\$19\.99<\/span>/g)]).toHaveLength(2);
  });

  it('re-renders cached pages when the catalog changes', async () => {
    expect((await get('/products/linen-shirts')).body).toContain('<h1>Linen Shirt</h1>');
    await t.platform.db.withTenant(store.id, (trx) => updateProduct(trx, store.id, ids['linen-shirts']!.product, { title: 'Linen Shirt, Washed' }));
    // The change notification reaches the page cache right after the commit, not within it.
    await expect.poll(async () => (await get('/products/linen-shirts')).body, { timeout: 5_000 }).toContain('<h1>Linen Shirt, Washed</h1>');
  });

  it('keeps the cart personal: no-store, CSRF-checked forms, only purchasable variants', async () => {
    const cart = await get('/cart.json');
    expect(cart.headers['cache-control']).toBe('private, no-store');
    const token = cart.json().csrf_token as string;
    const cookies = cart.cookies.map((cookie) => `${cookie.name}=${cookie.value}`).join('; ');
    const post = (payload: Record<string, string>, cookie = cookies) =>
      t.app.inject({ method: 'POST', url: '/cart/items', headers: { host, cookie, 'content-type': 'application/x-www-form-urlencoded' }, payload: new URLSearchParams(payload).toString() });

    const forged = await post({ _csrf: 'x'.repeat(32), variant_id: ids['xss-mug']!.variant });
    expect(forged.statusCode).toBe(403);
    expect(forged.headers['content-type']).toContain('application/problem+json');
    expect(forged.cookies.find((cookie) => cookie.name === 'vs_cart')).toBeUndefined();
    expect((await post({ _csrf: token, variant_id: ids['draft-hat']!.variant })).statusCode).toBe(422);
    expect((await post({ _csrf: token, variant_id: ids['foreign-lamp']!.variant })).statusCode).toBe(422);

    const added = await post({ _csrf: token, variant_id: ids['xss-mug']!.variant, quantity: '2' });
    expect(added.statusCode).toBe(303);
    expect(added.headers.location).toBe('/cart');
    const cartCookie = added.cookies.find((cookie) => cookie.name === 'vs_cart')!;
    const page = await get('/cart', { cookie: `${cookies}; vs_cart=${cartCookie.value}` });
    expect(page.headers['cache-control']).toBe('private, no-store');
    expect(page.body).toContain('× 2');
    expect(page.body).toContain('$39.98');
    expect(page.body).toContain(`name="_csrf" value="${token}"`);
  });

  it('reports render duration by page and cache state, and the bundle size, at /q/metrics', async () => {
    await get('/search?q=metrics-probe');
    await get('/search?q=metrics-probe');
    const metrics = (await t.app.inject({ url: '/q/metrics' })).body;
    expect(metrics).toMatch(/villagecompute_storefront_storefront_render_duration_seconds_count\{page="search",cold="true"\} [1-9]/);
    expect(metrics).toMatch(/villagecompute_storefront_storefront_render_duration_seconds_count\{page="search",cold="false"\} [1-9]/);
    expect(metrics).toContain(`villagecompute_storefront_storefront_bundle_size_bytes{type="hydration"} ${cartScript.gzipped.length}`);
  });

  it('serves the cart script gzipped, immutable, and small', async () => {
    const script = await get(cartScript.path, { 'accept-encoding': 'gzip' });
    expect(script.statusCode).toBe(200);
    expect(script.headers['content-encoding']).toBe('gzip');
    expect(script.headers['cache-control']).toContain('immutable');
    expect(cartScript.gzipped.length).toBeLessThan(30 * 1024);
  });
});
