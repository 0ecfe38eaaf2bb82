import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { staffSession, storeHost } from '../../../test/support/auth.ts';
import { type TestApp, makeTenant, startTestApp } from '../../../test/support/platform.ts';
import { ADDRESS, Shopper, seedProduct } from '../../../test/support/shop.ts';
import type { Tenant } from '../tenancy/service.ts';

const US_AND_WORLD = {
  shipping: {
    zones: [
      {
        name: 'United States',
        countries: ['US'],
        rest_of_world: false,
        rates: [
          { name: 'Flat rate', amount_minor: 450, free_over_minor: 4000 },
          { name: 'Express', amount_minor: 1500, free_over_minor: null },
        ],
      },
      { name: 'Everywhere else', countries: [], rest_of_world: true, rates: [{ name: 'International', amount_minor: 2500, free_over_minor: null }] },
    ],
  },
  tax: {
    prices_include_tax: false,
    rates: [
      { country: 'US', region: null, rate_basis_points: 0 },
      { country: 'US', region: 'CA', rate_basis_points: 1000 },
    ],
  },
};

describe('shipping and tax settings', () => {
  let t: TestApp;
  let store: Tenant;
  let owner: Record<string, string>;
  let manager: Record<string, string>;
  const settings = (headers: Record<string, string>, method: 'GET' | 'PUT' = 'GET', payload?: object, key?: string) =>
    t.app.inject({ method, url: '/admin/api/v1/shipping-tax-settings', headers: { ...headers, ...(key ? { 'idempotency-key': key } : {}) }, ...(payload ? { payload } : {}) });

  beforeAll(async () => {
    t = await startTestApp();
    store = await makeTenant(t.platform.db, 'Rates Store');
    owner = { host: storeHost(store), ...(await staffSession(t.platform, store.id, 'owner')).headers };
    manager = { host: storeHost(store), ...(await staffSession(t.platform, store.id, 'manager')).headers };
  });
  afterAll(() => t.close());

  it("shows the built-in rates until the store saves its own, and the next quote and order use the store's", async () => {
    const { variantId } = await seedProduct(t.platform.db, store.id, { price: 2500, stock: 10 });
    const buyer = await new Shopper(t.app, storeHost(store)).start();
    await buyer.add(variantId, 2);
    const quote = async (address = ADDRESS) => {
      const response = await buyer.request('POST', '/checkout/shipping-rates', { _csrf: buyer.csrf, shipping_address: address });
      expect(response.statusCode, response.body).toBe(200);
      return (response.json().rates as { id: string; amount_minor: number; tax_minor: number; total_minor: number }[]).map(({ id, amount_minor, tax_minor, total_minor }) => ({ id, amount_minor, tax_minor, total_minor }));
    };

    const before = await settings(manager);
    expect(before.statusCode).toBe(200);
    expect(before.json()).toMatchObject({ shipping: { zones: [] }, tax: { prices_include_tax: false }, updated_at: null });
    expect(before.json().tax.rates).toContainEqual({ country: 'US', region: 'CA', rate_basis_points: 725 });
    // Built-in table: 600 g is the 2 kg band (9.00), CA tax 7.25 % on 50.00 and on shipping.
    expect((await quote())[0]).toEqual({ id: 'domestic:standard', amount_minor: 900, tax_minor: 363 + 65, total_minor: 5000 + 900 + 428 });

    const saved = await settings(owner, 'PUT', US_AND_WORLD);
    expect(saved.statusCode, saved.body).toBe(200);
    expect(saved.json()).toMatchObject({ ...US_AND_WORLD, updated_at: expect.any(String) });
    // 50.00 reaches the 40.00 free-shipping threshold; CA is now 10 %.
    expect(await quote()).toEqual([
      { id: 'united-states:flat-rate', amount_minor: 0, tax_minor: 500, total_minor: 5500 },
      { id: 'united-states:express', amount_minor: 1500, tax_minor: 650, total_minor: 7150 },
    ]);
    // GB falls in the rest of the world, and has no tax row: untaxed.
    expect(await quote({ ...ADDRESS, region: '', postal_code: 'SW1A 1AA', country: 'GB' })).toEqual([{ id: 'everywhere-else:international', amount_minor: 2500, tax_minor: 0, total_minor: 7500 }]);

    const committed = await buyer.commit({ shipping_method: 'united-states:express', expected_total_minor: 7150 });
    expect(committed.statusCode, committed.body).toBe(201);
    const order = await t.platform.db.withTenant(store.id, (trx) => trx.selectFrom('orders').select(['shipping_minor', 'tax_minor', 'total_minor']).where('id', '=', committed.json().order_id).executeTakeFirstOrThrow());
    // bigint columns, read as text.
    expect(order).toEqual({ shipping_minor: '1500', tax_minor: '650', total_minor: '7150' });

    // Prices that include tax: the same cart costs its listed price, the tax is inside it (50.00 × 10/110).
    expect((await settings(owner, 'PUT', { ...US_AND_WORLD, tax: { ...US_AND_WORLD.tax, prices_include_tax: true } })).statusCode).toBe(200);
    await buyer.add(variantId, 2);
    expect((await quote())[0]).toEqual({ id: 'united-states:flat-rate', amount_minor: 0, tax_minor: 455, total_minor: 5000 });
    const checkoutSettings = await t.app.inject({ url: '/admin/api/v1/checkout-settings', headers: manager });
    expect(checkoutSettings.json().prices_include_tax).toBe(true);
  });

  it("taxes a region by its own row where its country has none, and quotes the built-in table when the store lists no zone", async () => {
    const saved = await settings(owner, 'PUT', { shipping: { zones: [] }, tax: { prices_include_tax: false, rates: [{ country: 'CA', region: 'ON', rate_basis_points: 1300 }] } });
    expect(saved.statusCode, saved.body).toBe(200);
    const { variantId } = await seedProduct(t.platform.db, store.id, { price: 2500, stock: 10 });
    const buyer = await new Shopper(t.app, storeHost(store)).start();
    await buyer.add(variantId, 2);
    const quote = async (region: string) =>
      (await buyer.request('POST', '/checkout/shipping-rates', { _csrf: buyer.csrf, shipping_address: { ...ADDRESS, region, postal_code: 'M5V 3L9', country: 'CA' } })).json().rates[0];
    // Built-in international rate for 600 g (35.00); Ontario 13 % on 50.00 and on shipping; British Columbia untaxed.
    expect(await quote('ON')).toMatchObject({ id: 'international:international', amount_minor: 3500, tax_minor: 650 + 455, total_minor: 5000 + 3500 + 1105 });
    expect(await quote('BC')).toMatchObject({ amount_minor: 3500, tax_minor: 0, total_minor: 8500 });
  });

  it('refuses bad settings beside the field, and needs settings:write', async () => {
    const unknown = await settings(owner, 'PUT', { ...US_AND_WORLD, shipping: { ...US_AND_WORLD.shipping, carrier: 'ups' } });
    expect(unknown.statusCode).toBe(400);
    expect(unknown.json().errors).toEqual([{ field: 'body/shipping/carrier', message: 'is not a known field' }]);
    const text = await settings(owner, 'PUT', { ...US_AND_WORLD, tax: { ...US_AND_WORLD.tax, rates: [{ country: 'US', region: null, rate_basis_points: '5' }] } });
    expect(text.statusCode).toBe(400);
    expect(text.json().errors[0].field).toBe('body/tax/rates/0/rate_basis_points');

    const [domestic, world] = US_AND_WORLD.shipping.zones;
    const clashing = {
      shipping: { zones: [domestic, { ...domestic, name: 'Neighbours', countries: ['CA', 'US'] }, world, { ...world, name: 'Far away' }, { ...domestic, name: 'Nowhere', countries: [] }] },
      tax: { prices_include_tax: false, rates: [...US_AND_WORLD.tax.rates, { country: 'US', region: 'CA', rate_basis_points: 800 }] },
    };
    const refused = await settings(owner, 'PUT', clashing);
    expect(refused.statusCode).toBe(422);
    expect(refused.headers['content-type']).toContain('application/problem+json');
    expect(refused.json()).toMatchObject({ code: 'invalid_shipping_tax_settings', request_id: expect.any(String) });
    expect(refused.json().errors).toEqual([
      { field: 'body/shipping/zones/1/countries', message: 'Each country belongs to one zone only: US is listed twice.' },
      { field: 'body/shipping/zones/3/rest_of_world', message: 'Only one zone can cover the rest of the world.' },
      { field: 'body/shipping/zones/4/countries', message: 'Add at least one country.' },
      { field: 'body/tax/rates/2/region', message: 'US-CA already has a rate.' },
    ]);

    const forbidden = await settings(manager, 'PUT', US_AND_WORLD);
    expect(forbidden.statusCode).toBe(403);
    expect(forbidden.json().missing_scopes).toEqual(['settings:write']);
  });

  it('replays a retried save with the same Idempotency-Key and refuses the key with another body', async () => {
    const key = randomUUID();
    const revision = async () =>
      (await t.platform.db.withTenant(store.id, (trx) => trx.selectFrom('shipping_tax_settings').select('revision').executeTakeFirst()))?.revision ?? 0;
    const start = await revision();
    const first = await settings(owner, 'PUT', US_AND_WORLD, key);
    const again = await settings(owner, 'PUT', US_AND_WORLD, key);
    expect(first.statusCode).toBe(200);
    expect(again.statusCode).toBe(200);
    expect(again.headers['idempotent-replayed']).toBe('true');
    expect(again.json()).toEqual(first.json());
    expect(await revision()).toBe(start + 1);
    const other = await settings(owner, 'PUT', { ...US_AND_WORLD, shipping: { zones: [] } }, key);
    expect(other.statusCode).toBe(422);
  });

  it("keeps stores apart: another store sees only its own (built-in) settings, and RLS hides this store's row", async () => {
    const other = await makeTenant(t.platform.db, 'Other Rates Store');
    const otherOwner = { host: storeHost(other), ...(await staffSession(t.platform, other.id, 'owner')).headers };
    expect((await settings(otherOwner)).json()).toMatchObject({ shipping: { zones: [] }, updated_at: null });
    const rows = await t.platform.db.withTenant(other.id, (trx) => sql<{ n: number }>`select count(*)::int as n from shipping_tax_settings`.execute(trx));
    expect(rows.rows[0]!.n).toBe(0);
    const forged = t.platform.db.withTenant(other.id, (trx) => sql`insert into shipping_tax_settings (tenant_id) values (${store.id})`.execute(trx));
    await expect(forged).rejects.toThrow(/row-level security/);
    // A token of this store is refused on the other store's host.
    expect((await settings({ ...owner, host: storeHost(other) })).statusCode).toBe(401);
  });
});
