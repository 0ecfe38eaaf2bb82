import type { Readable } from 'node:stream';
import { sql } from 'kysely';
import type { Tx } from '../../../platform/db/database.ts';
import { HttpProblem } from '../../../platform/http/problem.ts';
import { type ImportFormat, parseRecords } from './parse.ts';
import type { RowError } from './rows.ts';

export const MAX_REPORTED_ERRORS = 1_000;
/** Rows one file may hold (100,000 products with 3 variants each is the documented size). */
export const MAX_IMPORT_ROWS = 300_000;
/** Imports of one store waiting or running at once. */
export const MAX_ACTIVE_IMPORTS = 3;

const tooMany = (detail: string) => new HttpProblem(429, 'Too many imports', detail, { headers: { 'retry-after': '60' } });

/** One upload of a store is staged at a time, and at most MAX_ACTIVE_IMPORTS imports of a store are in flight. */
async function claimImportSlot(trx: Tx): Promise<void> {
  const { rows } = await sql<{ acquired: boolean }>`
    select pg_try_advisory_xact_lock(hashtext('catalog_imports'), hashtext(app_current_tenant()::text)) as acquired`.execute(trx);
  if (!rows[0]?.acquired) throw tooMany('Another upload of this store is being staged; retry when it is done.');
  const active = await trx
    .selectFrom('catalog_imports')
    .select((eb) => eb.fn.countAll<string>().as('n'))
    .where('status', 'in', ['queued', 'running'])
    .executeTakeFirstOrThrow();
  if (Number(active.n) >= MAX_ACTIVE_IMPORTS) {
    throw tooMany(`This store has ${active.n} imports in progress (at most ${MAX_ACTIVE_IMPORTS}); retry when one has finished.`);
  }
}

/** Appends row errors to an import's report, keeping the first MAX_REPORTED_ERRORS by line. */
export const mergeErrors = (newErrors: RowError[]) => sql<unknown>`(
  select coalesce(jsonb_agg(e order by (e ->> 'line')::int), '[]'::jsonb)
    from (select e from jsonb_array_elements(errors || ${JSON.stringify(newErrors)}::jsonb) e
           order by (e ->> 'line')::int limit ${MAX_REPORTED_ERRORS}) kept)`;

const rawText = (value: unknown) => (typeof value === 'string' ? value.trim() : value === undefined || value === null ? '' : String(value));

export interface StagedImport {
  importId: string;
  /** Chunks to import, numbered 0 … chunks - 1; one job each. */
  chunks: number;
}

/**
 * Parses an uploaded file into an import and its chunks of `chunkRecords` rows, in the caller's unit of work:
 * rows that cannot be parsed, and SKUs repeated in the file (the first occurrence wins), are reported here;
 * everything else is validated and written by `importChunk`. Streams the file, so only the chunk being filled
 * is held in memory besides the set of SKUs seen.
 */
export async function stageImport(trx: Tx, tenantId: string, source: Readable, format: ImportFormat, chunkRecords = 20_000): Promise<StagedImport> {
  await claimImportSlot(trx);
  const { id: importId } = await trx
    .insertInto('catalog_imports')
    .values({ tenant_id: tenantId, format, rows_total: 0, chunks_total: 0, products_total: 0, errors: '[]' })
    .returning('id')
    .executeTakeFirstOrThrow();
  const errors: RowError[] = [];
  const skus = new Set<string>();
  const handles = new Set<string>();
  let rows = 0;
  let failed = 0;
  let chunks = 0;
  let pending: string[] = [];
  const flush = async () => {
    if (pending.length === 0) return;
    await trx.insertInto('catalog_import_chunks').values({ tenant_id: tenantId, import_id: importId, seq: chunks++, records: pending.join('\n') }).execute();
    pending = [];
  };
  const fail = (error: RowError) => {
    failed++;
    if (errors.length < MAX_REPORTED_ERRORS) errors.push(error);
  };

  for await (const parsed of parseRecords(source, format)) {
    rows++;
    if (rows > MAX_IMPORT_ROWS) {
      throw new HttpProblem(413, 'Import too large', `An import file may hold at most ${MAX_IMPORT_ROWS} rows; split the file.`, {
        extensions: { max_rows: MAX_IMPORT_ROWS },
      });
    }
    if ('error' in parsed) {
      fail({ line: parsed.line, field: '', message: parsed.error });
      continue;
    }
    const sku = rawText(parsed.record.sku);
    if (sku && skus.has(sku)) {
      fail({ line: parsed.line, field: 'sku', message: 'appears earlier in the file' });
      continue;
    }
    if (sku) skus.add(sku);
    handles.add(rawText(parsed.record.handle));
    pending.push(JSON.stringify([parsed.line, parsed.record]));
    if (pending.length >= chunkRecords) await flush();
  }
  await flush();
  if (rows === 0) throw new HttpProblem(400, 'Empty import', 'The file has no rows.');
  const done = chunks === 0;
  await trx
    .updateTable('catalog_imports')
    .set({
      rows_total: rows,
      rows_done: failed,
      rows_failed: failed,
      chunks_total: chunks,
      products_total: handles.size,
      errors: JSON.stringify(errors),
      ...(done ? { status: 'succeeded', finished_at: new Date() } : {}),
    })
    .where('id', '=', importId)
    .execute();
  return { importId, chunks };
}
