import { CompiledQuery } from 'kysely';
import type pg from 'pg';
import { type MockInstance, afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { makeTenant, ownerClient, testDb } from '../../../test/support/platform.ts';
import type { Db } from '../../platform/db/database.ts';
import type { Tenant } from '../tenancy/service.ts';
import { createCollection } from './collections.ts';
import { type PageCursor, collectionPage } from './public-catalog.ts';

const PRODUCTS = 30_000;
/** One product in 500 (below the share the ordered scan serves) and one in 10 (above it). */
const isRare = (n: number) => n % 500 === 7;
const isCommon = (n: number) => n % 10 === 0;

/** Rule collections by tag through the application role (row-level security on), against products written in bulk. */
describe('rule collections by tag', () => {
  let db: Db;
  let owner: pg.Client;
  let store: Tenant;
  let other: Tenant;

  /**
   * Published products `${prefix}-00000`…, a hundred per publication instant, newest first; `tags(n)` of each. Newest
   * first is then by n ascending in steps of a hundred, and by handle descending within one instant.
   */
  async function addProducts(tenant: Tenant, prefix: string, count: number, tags: (n: number) => string[]) {
    const numbers = Array.from({ length: count }, (_, n) => n);
    await owner.query(
      `insert into products (tenant_id, handle, title, status, published_at, tags, listing_price_minor, listing_currency)
       select $1, $2 || '-' || lpad(n::text, 5, '0'), 'Product ' || n, 'published',
              timestamptz '2026-01-01' - (n / 100) * interval '1 minute', string_to_array(tags, ','), 1000, 'USD'
         from unnest($3::int[], $4::text[]) as p (n, tags)`,
      [tenant.id, prefix, numbers, numbers.map((n) => tags(n).join(','))],
    );
  }

  const tagsOf = (n: number) => [...(isRare(n) ? ['rare'] : []), ...(isCommon(n) ? ['common'] : []), 'tee'];
  const newestFirst = (prefix: string, keep: (n: number) => boolean) =>
    Array.from({ length: PRODUCTS }, (_, n) => n)
      .filter(keep)
      .sort((a, b) => Math.floor(a / 100) - Math.floor(b / 100) || b - a)
      .map((n) => `${prefix}-${String(n).padStart(5, '0')}`);

  const page = (tenant: Tenant, handle: string, cursor?: PageCursor) => db.withTenant(tenant.id, (trx) => collectionPage(trx, handle, cursor));

  /** Every page of a collection by `next`, then back to the first by `previous`: the handles shown each way. */
  async function walk(tenant: Tenant, handle: string): Promise<{ forwards: string[]; backwards: string[] }> {
    const handles = (shown: { products: { handle: string }[] }) => shown.products.map((product) => product.handle);
    let shown = (await page(tenant, handle))!;
    const forwards = [handles(shown)];
    while (shown.next) {
      shown = (await page(tenant, handle, { after: shown.next }))!;
      forwards.push(handles(shown));
    }
    const backwards = [handles(shown)];
    while (shown.previous) {
      shown = (await page(tenant, handle, { before: shown.previous }))!;
      backwards.unshift(handles(shown));
    }
    return { forwards: forwards.flat(), backwards: backwards.flat() };
  }

  beforeAll(async () => {
    db = testDb();
    owner = await ownerClient();
    store = await makeTenant(db, 'Tag Store');
    other = await makeTenant(db, 'Other Tag Store');
    await addProducts(store, 'tee', PRODUCTS, tagsOf);
    // Another store with both tags on each of its products, and a draft of this store with the rare tag.
    await addProducts(other, 'other', 30, () => ['rare', 'common']);
    await owner.query(`update products set status = 'draft' where tenant_id = $1 and handle = 'tee-00507'`, [store.id]);
    await owner.query('analyze products');
    for (const tenant of [store, other]) {
      await db.withTenant(tenant.id, async (trx) => {
        await createCollection(trx, tenant.id, { handle: 'rare', title: 'Rare', kind: 'rule', rules: { tag: 'rare' } });
        await createCollection(trx, tenant.id, { handle: 'common', title: 'Common', kind: 'rule', rules: { tag: 'common' } });
        await createCollection(trx, tenant.id, { handle: 'unsold', title: 'Unsold', kind: 'rule', rules: { tag: 'no-product-has-it' } });
      });
    }
  });
  afterAll(async () => {
    await owner.end();
    await db.close();
  });

  it("lists a rare tag's published products of this store only, newest first, across pages both ways", async () => {
    const expected = newestFirst('tee', (n) => isRare(n) && n !== 507);
    expect(expected.length).toBeGreaterThan(48);
    const { forwards, backwards } = await walk(store, 'rare');
    expect(forwards).toEqual(expected);
    expect(backwards).toEqual(expected);
  });

  it("lists a common tag's products newest first across pages both ways, and none for a tag no product has", async () => {
    const { forwards, backwards } = await walk(store, 'common');
    expect(forwards).toEqual(newestFirst('tee', isCommon));
    expect(backwards).toEqual(forwards);
    expect((await page(store, 'unsold'))!.products).toEqual([]);
  });

  it("never shows another store's tagged products, and that store lists its own", async () => {
    const { forwards } = await walk(other, 'rare');
    expect(forwards).toHaveLength(30);
    expect(forwards.every((handle) => handle.startsWith('other-'))).toBe(true);
  });

  it('lets the tag into the index condition under row-level security: `@>` is leakproof', async () => {
    const { rows } = await owner.query<{ proleakproof: boolean }>(`select proleakproof from pg_proc where oid = 'arraycontains(anyarray, anyarray)'::regprocedure`);
    expect(rows[0]?.proleakproof).toBe(true);
  });

  it("reads a rare tag's products from the GIN index (tenant_id, tags), after the products in order did not fill the page", async () => {
    // The statements the page sends, as the pool's clients receive them.
    const spies: MockInstance[] = [];
    const onAcquire = (client: pg.PoolClient) => spies.push(vi.spyOn(client, 'query'));
    db.pool.on('acquire', onAcquire);
    await page(store, 'rare');
    db.pool.off('acquire', onAcquire);
    const sent = spies.flatMap((spy) => spy.mock.calls as unknown[][]);
    for (const spy of spies) spy.mockRestore();
    const reads = sent.filter(([statement]) => typeof statement === 'string' && statement.includes('from products p')) as [string, unknown[]][];
    expect(reads).toHaveLength(2);
    const [text, values] = reads[1]!;
    const plan = await db.withTenant(store.id, (trx) => trx.executeQuery<{ 'QUERY PLAN': string }>(CompiledQuery.raw(`explain ${text}`, values)));
    expect(plan.rows.map((row) => row['QUERY PLAN']).join('\n')).toMatch(/Bitmap Index Scan on products_tenant_tags_idx/);
  });
});
