import type { Readable } from 'node:stream';
import type { Db, Tx } from '../../../platform/db/database.ts';
import { HttpProblem } from '../../../platform/http/problem.ts';
import type { CatalogImport } from '../schemas.ts';
import { importChunk } from './chunk.ts';
import type { ImportFormat } from './parse.ts';
import { stageImport } from './staging.ts';

const VIEW_COLUMNS = [
  'id',
  'format',
  'status',
  'rows_total',
  'rows_done',
  'rows_failed',
  'chunks_total',
  'chunks_done',
  'products_total',
  'products_changed',
  'variants_inserted',
  'variants_updated',
  'errors',
  'created_at',
  'started_at',
  'finished_at',
] as const;

/** An import as the admin API shows it: progress, outcome and row errors. */
export async function getImport(trx: Tx, id: string): Promise<CatalogImport> {
  const row = await trx.selectFrom('catalog_imports').select(VIEW_COLUMNS).where('id', '=', id).executeTakeFirst();
  if (!row) throw new HttpProblem(404, 'Not Found', 'No such import in this store.');
  return {
    ...row,
    created_at: row.created_at.toISOString(),
    started_at: row.started_at?.toISOString() ?? null,
    finished_at: row.finished_at?.toISOString() ?? null,
  };
}

/**
 * Stages and imports a file in this process, chunk after chunk, without the job queue: the same code the jobs
 * run, for benchmarks, seeding and tests. Each chunk is its own unit of work.
 */
export async function importNow(db: Db, tenantId: string, source: Readable, format: ImportFormat, chunkRecords?: number): Promise<CatalogImport> {
  const staged = await db.withTenant(tenantId, (trx) => stageImport(trx, tenantId, source, format, chunkRecords));
  for (let seq = 0; seq < staged.chunks; seq++) await db.withTenant(tenantId, (trx) => importChunk(trx, tenantId, staged.importId, seq));
  return db.withTenant(tenantId, (trx) => getImport(trx, staged.importId));
}
