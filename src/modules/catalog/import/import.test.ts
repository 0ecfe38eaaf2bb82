import { Readable } from 'node:stream';
import { text } from 'node:stream/consumers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeTenant, testDb } from '../../../../test/support/platform.ts';
import type { Db } from '../../../platform/db/database.ts';
import type { Tenant } from '../../tenancy/service.ts';
import { importChunk } from './chunk.ts';
import { exportCatalog } from './export.ts';
import { getImport, importNow } from './service.ts';
import { stageImport } from './staging.ts';

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
const csv = (content = CSV) => Readable.from([content]);

describe('catalog import and export', () => {
  let db: Db;
  let store: Tenant;
  let other: Tenant;
  const snapshot = () =>
    db.withTenant(store.id, (trx) =>
      trx
        .selectFrom('variants')
        .innerJoin('products', 'products.id', 'variants.product_id')
        .select(['variants.sku', 'variants.updated_at as variant_updated', 'products.updated_at as product_updated', 'variants.price_minor', 'products.title'])
        .orderBy('variants.sku')
        .execute(),
    );
  /** Each product's listing price, as the database keeps it from its first variant. */
  const listings = () =>
    db
      .withTenant(store.id, (trx) => trx.selectFrom('products').select(['handle', 'listing_price_minor', 'listing_currency']).execute())
      .then((rows) => Object.fromEntries(rows.map((row) => [row.handle, `${row.listing_price_minor} ${row.listing_currency}`])));
  const eventCount = () =>
    db.withTenant(store.id, (trx) => trx.selectFrom('domain_events').select((eb) => eb.fn.countAll<string>().as('n')).executeTakeFirstOrThrow()).then((row) => Number(row.n));

  beforeAll(async () => {
    db = testDb();
    store = await makeTenant(db, 'Import Store');
    other = await makeTenant(db, 'Bystander');
  });
  afterAll(() => db.close());

  it('lands valid rows across chunks and reports each bad row by line and field', async () => {
    const result = await importNow(db, store.id, csv(), 'csv', 2);
    expect(result).toMatchObject({ status: 'succeeded', rows_total: 6, rows_done: 6, rows_failed: 2, chunks_total: 3, chunks_done: 3, products_total: 4, variants_inserted: 4 });
    expect(result.errors.filter((error) => error.line === 4).map((error) => error.field)).toEqual(
      expect.arrayContaining(['handle', 'title', 'status', 'price_minor', 'currency']),
    );
    expect(result.errors).toContainEqual({ line: 6, field: 'sku', message: 'appears earlier in the file' });
    expect(result.errors.map((error) => error.line)).toEqual([...result.errors.map((error) => error.line)].sort((a, b) => a - b));
    expect((await snapshot()).map((row) => row.sku)).toEqual(['LS-M', 'LS-S', 'MUG-1', 'WS-1']);
    expect(await listings()).toEqual({ 'linen-shirt': '4800 USD', mug: '1200 USD', 'wool-scarf': '3500 EUR' });
    const mug = await db.withTenant(store.id, (trx) =>
      trx
        .selectFrom('products')
        .innerJoin('variants', 'variants.product_id', 'products.id')
        .select(['products.description', 'products.status', 'products.published_at', 'variants.options'])
        .where('handle', '=', 'mug')
        .executeTakeFirstOrThrow(),
    );
    expect(mug).toMatchObject({ description: 'A "good" mug', status: 'published', options: { colour: 'oat', size: 'large' } });
    expect(mug.published_at).toBeInstanceOf(Date);
    expect(await db.withTenant(other.id, (trx) => trx.selectFrom('variants').selectAll().execute())).toEqual([]);
    expect(await db.withTenant(other.id, (trx) => trx.selectFrom('catalog_imports').selectAll().execute())).toEqual([]);
  });

  it('changes nothing when the same file runs again', async () => {
    const before = await snapshot();
    const events = await eventCount();
    const again = await importNow(db, store.id, csv(), 'csv');
    expect(again).toMatchObject({ status: 'succeeded', rows_done: 6, rows_failed: 2, products_changed: 0, variants_inserted: 0, variants_updated: 0 });
    expect(await snapshot()).toEqual(before);
    expect(await eventCount()).toBe(events);
  });

  it('shows progress chunk by chunk, and a retried chunk changes nothing', async () => {
    const staged = await db.withTenant(store.id, (trx) => stageImport(trx, store.id, csv(CSV.replaceAll('Linen Shirt', 'Linen Shirt II')), 'csv', 2));
    const view = () => db.withTenant(store.id, (trx) => getImport(trx, staged.importId));
    expect(staged.chunks).toBe(3);
    expect(await view()).toMatchObject({ status: 'queued', rows_total: 6, rows_done: 1, chunks_done: 0 });
    await db.withTenant(store.id, (trx) => importChunk(trx, store.id, staged.importId, 0));
    const first = await view();
    expect(first).toMatchObject({ status: 'running', rows_done: 3, chunks_done: 1, products_changed: 1, started_at: expect.any(String) });
    await db.withTenant(store.id, (trx) => importChunk(trx, store.id, staged.importId, 0));
    expect(await view()).toEqual(first);
    for (const seq of [2, 1]) await db.withTenant(store.id, (trx) => importChunk(trx, store.id, staged.importId, seq));
    expect(await view()).toMatchObject({ status: 'succeeded', rows_done: 6, chunks_done: 3, finished_at: expect.any(String) });
  });

  it('re-imports its own export unchanged, in CSV and JSONL', async () => {
    const before = await snapshot();
    for (const format of ['csv', 'jsonl'] as const) {
      const exported = await text(exportCatalog(db, store.id, format));
      expect(exported).toContain('LS-M');
      const result = await importNow(db, store.id, Readable.from([exported]), format);
      expect(result).toMatchObject({ rows_failed: 0, rows_done: 4, products_changed: 0, variants_inserted: 0, variants_updated: 0 });
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
    const result = await importNow(db, store.id, Readable.from([jsonl]), 'jsonl');
    expect(result).toMatchObject({ rows_total: 3, rows_failed: 2, products_changed: 1, variants_updated: 1 });
    expect(result.errors.map((error) => error.line)).toEqual([3, 4]);
    expect((await snapshot()).find((row) => row.sku === 'MUG-1')).toMatchObject({ title: 'Oat Mug', price_minor: '1300' });
    expect(await listings()).toMatchObject({ 'linen-shirt': '4800 USD', mug: '1300 USD', 'wool-scarf': '3500 EUR' });
  });

  it('reports a malformed CSV as a row error, and refuses an empty file', async () => {
    const result = await importNow(db, store.id, csv(`${HEADER}\nbroken,"unclosed,x,published,,B-1,,1,USD,,,\n`), 'csv');
    expect(result).toMatchObject({ status: 'succeeded', rows_failed: 1, chunks_total: 0 });
    expect(result.errors[0]?.message).toMatch(/quote/i);
    await expect(importNow(db, store.id, csv(`${HEADER}\n`), 'csv')).rejects.toMatchObject({ status: 400 });
  });
});
