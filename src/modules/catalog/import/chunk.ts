import { sql } from 'kysely';
import type { Tx } from '../../../platform/db/database.ts';
import { recordEvent } from '../events.ts';
import { bulkImportProducts, bulkImportRate, variantUpsertDuration } from '../telemetry.ts';
import { type ImportRow, type RowError, validateRow } from './rows.ts';
import { mergeErrors } from './staging.ts';
import { type BatchResult, upsertBatch } from './upsert.ts';

const BATCH_ROWS = 2_000;

/**
 * Imports one staged chunk in the caller's unit of work (the job's): validates its rows, upserts the valid ones
 * in batches, records `CatalogImported` when anything changed, adds its counts and row errors to the import,
 * and deletes the chunk. All of it commits together, so a retried job either finds the chunk or finds it done.
 * The chunk that completes the import marks it succeeded.
 */
export async function importChunk(trx: Tx, tenantId: string, importId: string, seq: number): Promise<void> {
  const chunk = await trx.deleteFrom('catalog_import_chunks').where('import_id', '=', importId).where('seq', '=', seq).returning('records').executeTakeFirst();
  if (!chunk) return;
  const { format } = await trx.selectFrom('catalog_imports').select('format').where('id', '=', importId).executeTakeFirstOrThrow();
  // The import's row is updated once, at the end: chunks of one import never hold its row lock while they work.
  const startedAt = new Date();

  const valid: ImportRow[] = [];
  const errors: RowError[] = [];
  let failed = 0;
  for (const line of chunk.records.split('\n')) {
    const [lineNumber, record] = JSON.parse(line) as [number, Record<string, unknown>];
    const validated = validateRow(record, lineNumber);
    if ('row' in validated) {
      valid.push(validated.row);
    } else {
      failed++;
      errors.push(...validated.errors);
    }
  }

  const outcome: BatchResult = { productsChanged: 0, variantsInserted: 0, variantsUpdated: 0 };
  for (let start = 0; start < valid.length; start += BATCH_ROWS) {
    const stop = variantUpsertDuration.startTimer({ operation: 'import_batch' });
    const written = await upsertBatch(trx, tenantId, valid.slice(start, start + BATCH_ROWS));
    stop();
    outcome.productsChanged += written.productsChanged;
    outcome.variantsInserted += written.variantsInserted;
    outcome.variantsUpdated += written.variantsUpdated;
  }
  if (outcome.productsChanged + outcome.variantsInserted + outcome.variantsUpdated > 0) {
    await recordEvent(trx, tenantId, { type: 'CatalogImported', aggregateType: 'catalog_import', aggregateId: importId, payload: { chunk: seq, ...outcome } });
  }

  const finished = await sql<{ status: string; products_total: number; seconds: number }>`
    update catalog_imports
       set rows_done = rows_done + ${valid.length + failed},
           rows_failed = rows_failed + ${failed},
           products_changed = products_changed + ${outcome.productsChanged},
           variants_inserted = variants_inserted + ${outcome.variantsInserted},
           variants_updated = variants_updated + ${outcome.variantsUpdated},
           errors = ${mergeErrors(errors)},
           chunks_done = chunks_done + 1,
           started_at = coalesce(started_at, ${startedAt}),
           status = case when chunks_done + 1 = chunks_total then 'succeeded' when status = 'failed' then 'failed' else 'running' end,
           finished_at = case when chunks_done + 1 = chunks_total then now() when status = 'failed' then finished_at end
     where id = ${importId}
     returning status, products_total, extract(epoch from (now() - created_at))::float8 as seconds`.execute(trx);
  bulkImportProducts.inc({ format }, outcome.productsChanged);
  const result = finished.rows[0];
  if (result?.status === 'succeeded' && result.seconds > 0) bulkImportRate.set({ format }, (result.products_total / result.seconds) * 60);
}

/**
 * A chunk that failed its last attempt ends its import as failed (not "running" for ever); the other chunks still
 * land. Requeueing the dead chunk completes the import, which then turns succeeded.
 */
export async function markImportFailed(trx: Tx, importId: string): Promise<void> {
  await trx
    .updateTable('catalog_imports')
    .set({ status: 'failed', finished_at: new Date() })
    .where('id', '=', importId)
    .where('status', 'in', ['queued', 'running'])
    .execute();
}
