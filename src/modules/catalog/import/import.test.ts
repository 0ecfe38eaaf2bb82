import { Readable } from 'node:stream';
import { text } from 'node:stream/consumers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeTenant, testDb } from '../../../../test/support/platform.ts';
import type { Db } from '../../../platform/db/database.ts';
import type { Tenant } from '../../tenancy/service.ts';
import { exportCatalog } from './export.ts';
import { createImport, getImport, runStoredImport } from './imports.ts';
import { importCatalog } from './service.ts';

const HEADER = 'handle,title,description,status,tags,sku,variant_title,price_minor,currency,cost_minor,weight_grams,options';
const CSV = [
  HEADER,
  'linen-shirt,Linen Shirt,"Soft, washed linen",published,summer|gift,LS-S,Small,4800,USD,2000,250,size=S',
  'linen-shirt,Linen Shirt,"Soft, washed linen",published,summer|gift,LS-M,Medium,4800,USD,2000,260,size=M',
  'Bad Handle,,x,unknown,,LS-X,,-5,usd,,,',
  'wool-scarf,Wool Scarf,,draft,,WS-1,,3500,EUR,,,',
  'wool-scarf,Wool Scarf,,draft,,LS-S,,3500,EUR,,,',
  'mug,Mug,"A ""good"" mug",published,,MUG-1,,1200,USD,,,colour=oat;size=large',
].join('\n');

describe('catalog import and export', () => {
  let db: Db;
  let store: Tenant;
  let other: Tenant;
  const snapshot = () =>
    db.withTenant(store.id, (trx) =>
      trx.selectFrom('variants').innerJoin('products', 'products.id', 'variants.product_id')
        .select(['variants.sku', 'variants.updated_at as variant_updated', 'products.updated_at as product_updated', 'variants.price_minor', 'products.title'])
        .orderBy('variants.sku').execute(),
    );
  const eventCount = () =>
    db.withTenant(store.id, (trx) => trx.selectFrom('domain_events').select((eb) => eb.fn.countAll<string>().as('n')).executeTakeFirstOrThrow()).then((row) => Number(row.n));

  beforeAll(async () => {
    db = testDb();
    store = await makeTenant(db, 'Import Store');
    other = await makeTenant(db, 'Bystander');
  });
  afterAll(() => db.close());

  it('lands valid rows, reports each bad row by line and field, and reports progress', async () => {
    const progress: number[] = [];
    const result = await importCatalog(db, store.id, Readable.from([CSV]), { format: 'csv', batchSize: 2, onProgress: (p) => void progress.push(p.rowsDone) });
    expect(result).toMatchObject({ rowsDone: 4, rowsFailed: 2, products: 3, variantsInserted: 4, variantsUpdated: 0 });
    expect(progress).toEqual([2, 4]);
    const fields = result.errors.filter((error) => error.line === 4).map((error) => error.field);
    expect(fields).toEqual(expect.arrayContaining(['handle', 'title', 'status', 'price_minor', 'currency']));
    expect(result.errors).toContainEqual({ line: 6, field: 'sku', message: 'appears earlier in the file' });
    const rows = await snapshot();
    expect(rows.map((row) => row.sku)).toEqual(['LS-M', 'LS-S', 'MUG-1', 'WS-1']);
    const mug = await db.withTenant(store.id, (trx) =>
      trx.selectFrom('products').innerJoin('variants', 'variants.product_id', 'products.id').select(['products.description', 'products.status', 'products.published_at', 'variants.options']).where('handle', '=', 'mug').executeTakeFirstOrThrow(),
    );
    expect(mug).toMatchObject({ description: 'A "good" mug', status: 'published', options: { colour: 'oat', size: 'large' } });
    expect(mug.published_at).toBeInstanceOf(Date);
    expect(await db.withTenant(other.id, (trx) => trx.selectFrom('variants').selectAll().execute())).toEqual([]);
  });

  it('changes nothing when the same file runs again', async () => {
    const before = await snapshot();
    const events = await eventCount();
    const again = await importCatalog(db, store.id, Readable.from([CSV]), { format: 'csv' });
    expect(again).toMatchObject({ rowsDone: 4, productsChanged: 0, variantsInserted: 0, variantsUpdated: 0 });
    expect(await snapshot()).toEqual(before);
    expect(await eventCount()).toBe(events);
  });

  it('re-imports its own export unchanged, in CSV and JSONL', async () => {
    const before = await snapshot();
    for (const format of ['csv', 'jsonl'] as const) {
      const exported = await text(exportCatalog(db, store.id, format));
      expect(exported).toContain('LS-M');
      const result = await importCatalog(db, store.id, Readable.from([exported]), { format });
      expect(result).toMatchObject({ rowsFailed: 0, rowsDone: 4, productsChanged: 0, variantsInserted: 0, variantsUpdated: 0 });
    }
    expect(await snapshot()).toEqual(before);
  });

  it('updates changed rows from JSONL and reports lines that are not JSON objects', async () => {
    const jsonl = [
      JSON.stringify({ handle: 'mug', title: 'Oat Mug', description: 'A "good" mug', status: 'published', sku: 'MUG-1', price_minor: 1300, currency: 'USD', options: { colour: 'oat', size: 'large' } }),
      '',
      '{not json',
      '[1,2]',
    ].join('\n');
    const result = await importCatalog(db, store.id, Readable.from([jsonl]), { format: 'jsonl' });
    expect(result).toMatchObject({ rowsDone: 1, rowsFailed: 2, productsChanged: 1, variantsUpdated: 1 });
    expect(result.errors.map((error) => error.line)).toEqual([3, 4]);
    expect((await snapshot()).find((row) => row.sku === 'MUG-1')).toMatchObject({ title: 'Oat Mug', price_minor: '1300' });
  });

  it('reports a malformed CSV as an error instead of failing the import', async () => {
    const result = await importCatalog(db, store.id, Readable.from([`${HEADER}\nbroken,"unclosed,x,published,,B-1,,1,USD,,,\n`]), { format: 'csv' });
    expect(result.rowsDone).toBe(0);
    expect(result.rowsFailed).toBe(1);
    expect(result.errors[0]?.message).toMatch(/quote/i);
  });

  it('runs a stored import to the end: progress, row errors, outcome, and the file dropped', async () => {
    const created = await db.withTenant(store.id, (trx) => createImport(trx, store.id, 'csv', CSV.replaceAll('Linen Shirt', 'Linen Shirt II')));
    expect(created).toMatchObject({ status: 'queued', rows_done: 0, rows_total: null });
    await runStoredImport(db, store.id, created.id);
    const finished = await db.withTenant(store.id, (trx) => getImport(trx, created.id));
    expect(finished).toMatchObject({ status: 'succeeded', rows_total: 6, rows_done: 4, rows_failed: 2, products: 3, failure: null });
    expect(finished.errors).toContainEqual({ line: 6, field: 'sku', message: 'appears earlier in the file' });
    const source = await db.withTenant(store.id, (trx) => trx.selectFrom('catalog_imports').select('source').where('id', '=', created.id).executeTakeFirstOrThrow());
    expect(source.source).toBeNull();
    await runStoredImport(db, store.id, created.id);
    expect(await db.withTenant(store.id, (trx) => getImport(trx, created.id))).toEqual(finished);
    expect(await db.withTenant(other.id, (trx) => trx.selectFrom('catalog_imports').selectAll().execute())).toEqual([]);
  });
});
