import { type Static, Type } from 'typebox';
import type { Tx } from '../../platform/db/database.ts';

/** Stock at or below this, summed over locations, counts as low (until stores set their own thresholds). */
export const LOW_STOCK_AT = 5;
const LOW_STOCK_SHOWN = 10;

export const CatalogSummary = Type.Object({
  products: Type.Object({ draft: Type.Integer(), published: Type.Integer(), archived: Type.Integer(), scheduled: Type.Integer() }),
  low_stock_threshold: Type.Integer(),
  low_stock: Type.Array(
    Type.Object({ variant_id: Type.String(), product_id: Type.String(), product_title: Type.String(), sku: Type.String(), on_hand: Type.Integer() }),
  ),
  imports_running: Type.Array(Type.Object({ id: Type.String(), status: Type.String(), rows_total: Type.Integer(), rows_done: Type.Integer(), rows_failed: Type.Integer() })),
});
export type CatalogSummary = Static<typeof CatalogSummary>;

/** The back office dashboard's catalog figures, in three small queries. */
export async function catalogSummary(trx: Tx): Promise<CatalogSummary> {
  const counts = await trx
    .selectFrom('products')
    .select((eb) => [
      eb.fn.countAll<string>().filterWhere('status', '=', 'draft').as('draft'),
      eb.fn.countAll<string>().filterWhere('status', '=', 'published').as('published'),
      eb.fn.countAll<string>().filterWhere('status', '=', 'archived').as('archived'),
      eb.fn.countAll<string>().filterWhere((w) => w.and([w('status', '=', 'published'), w('published_at', '>', new Date())])).as('scheduled'),
    ])
    .executeTakeFirstOrThrow();
  const lowStock = await trx
    .selectFrom('inventory_levels as l')
    .innerJoin('variants as v', 'v.id', 'l.variant_id')
    .innerJoin('products as p', 'p.id', 'v.product_id')
    .where('p.status', '<>', 'archived')
    .where('p.one_of_a_kind', '=', false)
    .groupBy(['v.id', 'p.id', 'p.title', 'v.sku'])
    .having((eb) => eb.fn.sum('l.on_hand'), '<=', LOW_STOCK_AT)
    .select((eb) => ['v.id as variant_id', 'p.id as product_id', 'p.title as product_title', 'v.sku', eb.fn.sum<string>('l.on_hand').as('on_hand')])
    .orderBy('on_hand')
    .limit(LOW_STOCK_SHOWN)
    .execute();
  const imports = await trx
    .selectFrom('catalog_imports')
    .where('status', 'in', ['queued', 'running'])
    .select(['id', 'status', 'rows_total', 'rows_done', 'rows_failed'])
    .orderBy('created_at', 'desc')
    .limit(10)
    .execute();
  return {
    products: { draft: Number(counts.draft), published: Number(counts.published), archived: Number(counts.archived), scheduled: Number(counts.scheduled) },
    low_stock_threshold: LOW_STOCK_AT,
    low_stock: lowStock.map((row) => ({ ...row, on_hand: Number(row.on_hand) })),
    imports_running: imports,
  };
}
