import { Readable } from 'node:stream';
import type { Updateable } from 'kysely';
import type { Db, Tx } from '../../../platform/db/database.ts';
import { HttpProblem } from '../../../platform/http/problem.ts';
import { logger } from '../../../platform/observability/logger.ts';
import type { CatalogImportRow, CatalogImportsTable } from '../repository.ts';
import type { CatalogImport } from '../schemas.ts';
import { type ImportFormat, parseRecords } from './parse.ts';
import { importCatalog } from './service.ts';

const VIEW_COLUMNS = [
  'id',
  'format',
  'status',
  'rows_total',
  'rows_done',
  'rows_failed',
  'products',
  'errors',
  'failure',
  'created_at',
  'started_at',
  'finished_at',
] as const;

/** An import as the admin API shows it: progress and row errors, never the stored file. */
function toView(row: Pick<CatalogImportRow, (typeof VIEW_COLUMNS)[number]>): CatalogImport {
  return {
    id: row.id,
    format: row.format,
    status: row.status,
    rows_total: row.rows_total,
    rows_done: row.rows_done,
    rows_failed: row.rows_failed,
    products: row.products,
    errors: row.errors,
    failure: row.failure,
    created_at: row.created_at.toISOString(),
    started_at: row.started_at?.toISOString() ?? null,
    finished_at: row.finished_at?.toISOString() ?? null,
  };
}


export async function createImport(trx: Tx, tenantId: string, format: ImportFormat, source: string): Promise<CatalogImport> {
  if (source.trim() === '') throw new HttpProblem(400, 'Empty import', 'The uploaded file is empty.');
  const row = await trx.insertInto('catalog_imports').values({ tenant_id: tenantId, format, source, rows_total: null, products: null, errors: '[]', failure: null, started_at: null, finished_at: null }).returning('id').executeTakeFirstOrThrow();
  return getImport(trx, row.id);
}

export async function getImport(trx: Tx, id: string): Promise<CatalogImport> {
  const row = await trx.selectFrom('catalog_imports').select(VIEW_COLUMNS).where('id', '=', id).executeTakeFirst();
  if (!row) throw new HttpProblem(404, 'Not Found', 'No such import in this store.');
  return toView(row);
}

async function countRecords(source: string, format: ImportFormat): Promise<number> {
  let count = 0;
  for await (const _ of parseRecords(Readable.from([source]), format)) count++;
  return count;
}

/**
 * Runs a stored import (the job's work): counts rows for progress, imports in batches while recording rows
 * done, then stores the outcome and drops the file. A finished import is not run twice.
 */
export async function runStoredImport(db: Db, tenantId: string, importId: string): Promise<void> {
  const log = logger('catalog.import');
  const claimed = await db.withTenant(tenantId, (trx) =>
    trx
      .updateTable('catalog_imports')
      .set({ status: 'running', started_at: new Date(), rows_done: 0, rows_failed: 0 })
      .where('id', '=', importId)
      .where('status', 'in', ['queued', 'running', 'failed'])
      .returning(['format', 'source'])
      .executeTakeFirst(),
  );
  if (!claimed || claimed.source === null) return;
  const update = (fields: Updateable<CatalogImportsTable>) =>
    db.withTenant(tenantId, (trx) => trx.updateTable('catalog_imports').set(fields).where('id', '=', importId).execute());
  try {
    await update({ rows_total: await countRecords(claimed.source, claimed.format) });
    const result = await importCatalog(db, tenantId, Readable.from([claimed.source]), {
      format: claimed.format,
      onProgress: (progress) => update({ rows_done: progress.rowsDone, rows_failed: progress.rowsFailed }).then(() => undefined),
    });
    await update({
      status: 'succeeded',
      rows_done: result.rowsDone,
      rows_failed: result.rowsFailed,
      products: result.products,
      errors: JSON.stringify(result.errors),
      finished_at: new Date(),
      source: null,
    });
    log.info({ import_id: importId, rows_done: result.rowsDone, rows_failed: result.rowsFailed, duration_ms: Math.round(result.durationMs) }, 'catalog import finished');
  } catch (error) {
    await update({ status: 'failed', failure: error instanceof Error ? error.message : String(error), finished_at: new Date() });
    throw error;
  }
}
