import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeTenant, ownerClient, testDb } from '../../../test/support/platform.ts';
import type { Db } from '../../platform/db/database.ts';
import type { Tenant } from '../tenancy/service.ts';
import { SEARCH_CANDIDATES, searchProducts } from './public-catalog.ts';

/** Store search through the application role (row-level security on), against products written in bulk. */
describe('store search', () => {
  let db: Db;
  let owner: pg.Client;
  let store: Tenant;
  let other: Tenant;

  /** Published products with one variant each, `[handle, title, description]`. */
  async function addProducts(tenant: Tenant, products: [string, string, string][]) {
    await owner.query(
      `with added as (
         insert into products (tenant_id, handle, title, description, status, published_at)
         select $1, handle, title, description, 'published', now() - interval '1 minute'
           from unnest($2::text[], $3::text[], $4::text[]) as p (handle, title, description)
         returning id, handle)
       insert into variants (tenant_id, product_id, sku, title, price_minor, currency, position)
       select $1, id, upper(handle), 'One size', 1000, 'USD', 0 from added`,
      [tenant.id, products.map((p) => p[0]), products.map((p) => p[1]), products.map((p) => p[2])],
    );
  }

  const search = (tenant: Tenant, query: string) => db.withTenant(tenant.id, (trx) => searchProducts(trx, query));
  const handles = (results: { products: { handle: string }[] }) => results.products.map((product) => product.handle);

  beforeAll(async () => {
    db = testDb();
    owner = await ownerClient();
    store = await makeTenant(db, 'Search Store');
    other = await makeTenant(db, 'Other Search Store');
    await addProducts(store, [
      ['oak-table', 'Oak Table', 'Pairs well with a walnut desk'],
      ['walnut-desk', 'Walnut Desk', 'Solid wood'],
      ['walnut-chair', 'Walnut Chair', 'Solid wood'],
    ]);
    await addProducts(other, [['walnut-desk-deluxe', 'Walnut Desk Deluxe', 'Solid wood']]);
    // More matches of one word than a search ranks, and one of them with a rarer second word.
    const pebbles = Array.from({ length: SEARCH_CANDIDATES + 20 }, (_, index): [string, string, string] => [`pebble-${index}`, `Pebble ${index}`, 'A smooth stone']);
    pebbles[SEARCH_CANDIDATES + 10] = ['pebble-granite', 'Pebble', 'Granite, from the far end of the beach'];
    await addProducts(store, pebbles);
  });
  afterAll(async () => {
    await owner.end();
    await db.close();
  });

  it('matches every word, ranks a title match above a description match, and counts the matches', async () => {
    const results = await search(store, 'walnut desk');
    expect(handles(results)).toEqual(['walnut-desk', 'oak-table']);
    expect(results).toMatchObject({ matches: 2, bounded: false });
    expect(handles(await search(store, 'walnut -desk'))).toEqual(['walnut-chair']);
    expect(await search(store, 'spaceship')).toEqual({ products: [], matches: 0, bounded: false });
  });

  it("stays in its store: another store's matches never appear, and that store finds its own", async () => {
    expect(handles(await search(store, 'deluxe'))).toEqual([]);
    expect(handles(await search(other, 'walnut desk'))).toEqual(['walnut-desk-deluxe']);
  });

  it('ranks only the first matches when there are more, and still finds a rare word among them', async () => {
    const common = await search(store, 'pebble');
    expect(common).toMatchObject({ matches: SEARCH_CANDIDATES, bounded: true });
    expect(common.products).toHaveLength(24);
    const rare = await search(store, 'granite pebble');
    expect(handles(rare)).toEqual(['pebble-granite']);
    expect(rare).toMatchObject({ matches: 1, bounded: false });
  });
});
