import type { Readable } from 'node:stream';
import type { Db } from '../../../platform/db/database.ts';
import { recordEvent } from '../events.ts';
import { bulkImportProducts, bulkImportRate, variantUpsertDuration } from '../telemetry.ts';
import { type ImportFormat, parseRecords } from './parse.ts';
import { type ImportRow, type RowError, validateRow } from './rows.ts';
import { type BatchResult, upsertBatch } from './upsert.ts';

export interface ImportProgress {
  rowsDone: number;
  rowsFailed: number;
}

export interface ImportResult extends ImportProgress, BatchResult {
  products: number;
  /** The first `maxErrors` row errors; `rowsFailed` counts them all. */
  errors: RowError[];
  durationMs: number;
}

export interface ImportOptions {
  format: ImportFormat;
  /** Variant rows per transaction. */
  batchSize?: number;
  maxErrors?: number;
  /** Called after each committed batch (for the job's progress record). */
  onProgress?: (progress: ImportProgress) => Promise<void> | void;
}

/**
 * Imports a catalog file: streams and validates each row, upserts valid rows in batches (one transaction per
 * batch, so progress is visible and a bad row never holds back good ones), and reports row errors by line.
 * A SKU repeated within the file is an error on its second line: the first occurrence wins.
 */
export async function importCatalog(db: Db, tenantId: string, source: Readable, options: ImportOptions): Promise<ImportResult> {
  const batchSize = options.batchSize ?? 2_000;
  const maxErrors = options.maxErrors ?? 1_000;
  const started = performance.now();
  const result: ImportResult = { rowsDone: 0, rowsFailed: 0, products: 0, productsChanged: 0, variantsInserted: 0, variantsUpdated: 0, errors: [], durationMs: 0 };
  const seenSkus = new Set<string>();
  const handles = new Set<string>();
  let batch: ImportRow[] = [];

  const fail = (errors: RowError[]) => {
    result.rowsFailed++;
    for (const error of errors) if (result.errors.length < maxErrors) result.errors.push(error);
  };

  const flush = async () => {
    if (batch.length === 0) return;
    const rows = batch;
    batch = [];
    const stop = variantUpsertDuration.startTimer({ operation: 'import_batch' });
    const written = await db.withTenant(tenantId, async (trx) => {
      const outcome = await upsertBatch(trx, tenantId, rows);
      if (outcome.productsChanged + outcome.variantsInserted + outcome.variantsUpdated > 0) {
        await recordEvent(trx, tenantId, { type: 'CatalogImported', aggregateType: 'catalog_import', aggregateId: tenantId, payload: { ...outcome } });
      }
      return outcome;
    });
    stop();
    result.productsChanged += written.productsChanged;
    result.variantsInserted += written.variantsInserted;
    result.variantsUpdated += written.variantsUpdated;
    result.rowsDone += rows.length;
    bulkImportProducts.inc({ format: options.format }, written.productsChanged);
    await options.onProgress?.({ rowsDone: result.rowsDone, rowsFailed: result.rowsFailed });
  };

  for await (const parsed of parseRecords(source, options.format)) {
    if ('error' in parsed) {
      fail([{ line: parsed.line, field: '', message: parsed.error }]);
      continue;
    }
    const validated = validateRow(parsed.record, parsed.line);
    if ('errors' in validated) {
      fail(validated.errors);
      continue;
    }
    const { row } = validated;
    if (seenSkus.has(row.sku)) {
      fail([{ line: parsed.line, field: 'sku', message: 'appears earlier in the file' }]);
      continue;
    }
    seenSkus.add(row.sku);
    handles.add(row.handle);
    batch.push(row);
    if (batch.length >= batchSize) await flush();
  }
  await flush();
  result.products = handles.size;
  result.durationMs = performance.now() - started;
  if (result.durationMs > 0) bulkImportRate.set({ format: options.format }, (result.products / result.durationMs) * 60_000);
  return result;
}
