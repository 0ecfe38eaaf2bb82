import { sql } from 'kysely';
import type { Tx } from '../../../platform/db/database.ts';
import type { ImportRow } from './rows.ts';

export interface BatchResult {
  productsChanged: number;
  variantsInserted: number;
  variantsUpdated: number;
}

/**
 * Writes one batch with two statements whatever its size: products upserted by handle, then variants by SKU,
 * each a multi-row INSERT … SELECT FROM unnest(arrays) … ON CONFLICT DO UPDATE. The update only happens when a
 * value differs, so re-running an import changes nothing (no row versions, no updated_at bumps, no events).
 */
export async function upsertBatch(trx: Tx, tenantId: string, rows: ImportRow[]): Promise<BatchResult> {
  const products = new Map<string, ImportRow>();
  const firstVariants = new Map<string, ImportRow>();
  for (const row of rows) {
    products.set(row.handle, row);
    if (!firstVariants.has(row.handle)) firstVariants.set(row.handle, row);
  }
  const product = [...products.values()];
  const firstVariant = product.map((row) => firstVariants.get(row.handle)!);
  // Position of each variant among its product's rows in this batch (only used when the variant is new).
  const ordinal = new Map<string, number>();
  const positions = rows.map((row) => {
    const position = ordinal.get(row.handle) ?? 0;
    ordinal.set(row.handle, position + 1);
    return position;
  });
  // A new product is written with the listing price its first variant below gives it, so the variants' trigger,
  // which keeps every listing price right whatever the order, finds nothing to rewrite in the common case.
  const changedProducts = await sql<{ id: string }>`
    insert into products (tenant_id, handle, title, description, status, published_at, tags, listing_price_minor, listing_currency)
    select ${tenantId}, u.handle, u.title, u.description, u.status, case when u.status = 'published' then now() end,
           case when u.tags = '' then '{}'::text[] else string_to_array(u.tags, '|') end, u.price_minor, u.currency
      from unnest(${product.map((row) => row.handle)}::text[], ${product.map((row) => row.title)}::text[],
                  ${product.map((row) => row.description)}::text[], ${product.map((row) => row.status)}::text[],
                  ${product.map((row) => row.tags.join('|'))}::text[], ${firstVariant.map((row) => row.price_minor)}::bigint[],
                  ${firstVariant.map((row) => row.currency)}::text[]) as u(handle, title, description, status, tags, price_minor, currency)
    on conflict (tenant_id, handle) do update
       set title = excluded.title, description = excluded.description, status = excluded.status, tags = excluded.tags,
           published_at = case when excluded.status = 'published' then coalesce(products.published_at, now()) end
     where (products.title, products.description, products.status, products.tags)
           is distinct from (excluded.title, excluded.description, excluded.status, excluded.tags)
    returning id`.execute(trx);

  const variants = await sql<{ inserted: boolean }>`
    insert into variants (tenant_id, product_id, sku, title, price_minor, currency, cost_minor, weight_grams, options, position)
    select ${tenantId}, p.id, u.sku, u.title, u.price_minor, u.currency, u.cost_minor, u.weight_grams, u.options::jsonb, u.position
      from unnest(${rows.map((row) => row.handle)}::text[], ${rows.map((row) => row.sku)}::text[],
                  ${rows.map((row) => row.variant_title)}::text[], ${rows.map((row) => row.price_minor)}::bigint[],
                  ${rows.map((row) => row.currency)}::text[], ${rows.map((row) => row.cost_minor)}::bigint[],
                  ${rows.map((row) => row.weight_grams)}::int[], ${rows.map((row) => JSON.stringify(row.options))}::text[],
                  ${positions}::int[])
           as u(handle, sku, title, price_minor, currency, cost_minor, weight_grams, options, position)
      join products p on p.handle = u.handle
    on conflict (tenant_id, sku) do update
       set product_id = excluded.product_id, title = excluded.title, price_minor = excluded.price_minor,
           currency = excluded.currency, cost_minor = excluded.cost_minor, weight_grams = excluded.weight_grams,
           options = excluded.options
     where (variants.product_id, variants.title, variants.price_minor, variants.currency, variants.cost_minor,
            variants.weight_grams, variants.options)
           is distinct from (excluded.product_id, excluded.title, excluded.price_minor, excluded.currency,
                             excluded.cost_minor, excluded.weight_grams, excluded.options)
    returning (xmax = 0) as inserted`.execute(trx);

  const inserted = variants.rows.filter((row) => row.inserted).length;
  return { productsChanged: changedProducts.rows.length, variantsInserted: inserted, variantsUpdated: variants.rows.length - inserted };
}
