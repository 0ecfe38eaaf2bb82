import { Readable } from 'node:stream';
import { stringify } from 'csv-stringify';
import { sql } from 'kysely';
import type { Db } from '../../../platform/db/database.ts';
import type { ImportFormat } from './parse.ts';
import { IMPORT_COLUMNS, type ImportRow } from './rows.ts';

const PAGE = 2_000;

/**
 * The tenant's catalog in the import format, read in keyset pages of (handle, sku) so memory stays constant
 * whatever the catalog size. Each page is its own short transaction.
 */
async function* exportRows(db: Db, tenantId: string): AsyncGenerator<ImportRow> {
  let after: { handle: string; sku: string } | undefined;
  while (true) {
    const cursor = after;
    const { rows } = await db.withTenant(tenantId, (trx) =>
      sql<Omit<ImportRow, 'price_minor' | 'cost_minor'> & { price_minor: string; cost_minor: string | null }>`
        select p.handle, p.title, p.description, p.status,
               p.tags, v.sku, v.title as variant_title, v.price_minor, v.currency, v.cost_minor, v.weight_grams, v.options
          from variants v join products p on p.id = v.product_id
         where ${cursor ? sql`(p.handle, v.sku) > (${cursor.handle}, ${cursor.sku})` : sql`true`}
         order by p.handle, v.sku
         limit ${PAGE}`.execute(trx),
    );
    for (const row of rows) yield { ...row, price_minor: Number(row.price_minor), cost_minor: row.cost_minor === null ? null : Number(row.cost_minor) };
    const last = rows.at(-1);
    if (!last || rows.length < PAGE) return;
    after = { handle: last.handle, sku: last.sku };
  }
}

/**
 * A spreadsheet runs a cell that starts with = + - @ (or a tab or CR before one) as a formula: such text cells are
 * written with a leading apostrophe, which spreadsheets show as text and the CSV import strips again.
 */
export const FORMULA_START = /^[=+\-@\t\r]/;
const neutralised = (value: unknown) => (typeof value === 'string' && FORMULA_START.test(value) ? `'${value}` : value);

const csvRecord = (row: ImportRow) =>
  Object.fromEntries(
    Object.entries({
      ...row,
      tags: row.tags.join('|'),
      options: Object.entries(row.options)
        .map(([name, value]) => `${name}=${value}`)
        .join(';'),
    }).map(([column, value]) => [column, neutralised(value)]),
  );

/** A byte stream of the export, to pipe to a response or a file. */
export function exportCatalog(db: Db, tenantId: string, format: ImportFormat): Readable {
  const rows = Readable.from(exportRows(db, tenantId));
  if (format === 'jsonl') return rows.map((row: ImportRow) => `${JSON.stringify(row)}\n`);
  return rows.map(csvRecord).pipe(stringify({ header: true, columns: [...IMPORT_COLUMNS] }));
}
