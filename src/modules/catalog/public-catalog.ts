import { type Expression, type SqlBool, sql } from 'kysely';
import type { Tx } from '../../platform/db/database.ts';
import type { CollectionRules, Medium } from './repository.ts';

/**
 * The catalog as the storefront may see it: published products only, and only public fields. Cost basis and
 * audit metadata are never selected here, so no template can leak them.
 */
export interface PublicVariant {
  id: string;
  title: string;
  price_minor: number;
  currency: string;
  options: Record<string, string>;
  in_stock: boolean;
}

export interface PublicProductSummary {
  id: string;
  handle: string;
  title: string;
  price_minor: number;
  currency: string;
  image: Medium | null;
}

export interface PublicProduct extends Omit<PublicProductSummary, 'price_minor' | 'currency' | 'image'> {
  description: string;
  media: Medium[];
  variants: PublicVariant[];
}

export interface PublicCollection {
  handle: string;
  title: string;
  description: string;
}

const PAGE_SIZE = 24;

/** Published and past its publication time. */
const visible = sql<SqlBool>`p.status = 'published' and p.published_at <= now()`;

function summaries(trx: Tx, where: Expression<SqlBool>, order: 'newest' | 'position' | 'rank', limit: number, offset: number, extra?: { collectionId?: string; query?: string }) {
  const orderBy =
    order === 'position'
      ? sql`cp.position, p.handle`
      : order === 'rank'
        ? sql`ts_rank(p.search, websearch_to_tsquery('english', ${extra?.query ?? ''})) desc, p.handle`
        : sql`p.published_at desc, p.handle`;
  const join = extra?.collectionId ? sql`join collection_products cp on cp.product_id = p.id and cp.collection_id = ${extra.collectionId}` : sql``;
  return sql<{ id: string; handle: string; title: string; price_minor: string; currency: string; image: Medium | null }>`
    select p.id, p.handle, p.title, v.price_minor, v.currency, p.media -> 0 as image
      from products p ${join}
      cross join lateral (select price_minor, currency from variants where product_id = p.id order by price_minor limit 1) v
     where ${visible} and ${where}
     order by ${orderBy}
     limit ${limit} offset ${offset}`
    .execute(trx)
    .then(({ rows }) => rows.map((row): PublicProductSummary => ({ ...row, price_minor: Number(row.price_minor) })));
}

export function newestProducts(trx: Tx, limit = PAGE_SIZE): Promise<PublicProductSummary[]> {
  return summaries(trx, sql<SqlBool>`true`, 'newest', limit, 0);
}

export function listPublicCollections(trx: Tx): Promise<PublicCollection[]> {
  return trx.selectFrom('collections').select(['handle', 'title', 'description']).orderBy('title').execute();
}

export async function publishedProduct(trx: Tx, handle: string): Promise<PublicProduct | undefined> {
  const { rows } = await sql<{ id: string; handle: string; title: string; description: string; media: Medium[] }>`
    select p.id, p.handle, p.title, p.description, p.media from products p where p.handle = ${handle} and ${visible}`.execute(trx);
  const product = rows[0];
  if (!product) return undefined;
  const variants = await sql<{ id: string; title: string; price_minor: string; currency: string; options: Record<string, string>; on_hand: number }>`
    select v.id, v.title, v.price_minor, v.currency, v.options,
           coalesce((select sum(on_hand) from inventory_levels l where l.variant_id = v.id), 0)::int as on_hand
      from variants v where v.product_id = ${product.id} order by v.position, v.sku`.execute(trx);
  return {
    ...product,
    variants: variants.rows.map((row) => ({
      id: row.id,
      title: row.title,
      price_minor: Number(row.price_minor),
      currency: row.currency,
      options: row.options,
      in_stock: row.on_hand > 0,
    })),
  };
}

function ruleFilter(rules: CollectionRules): Expression<SqlBool> {
  const conditions = [sql<SqlBool>`true`];
  if (rules.tag) conditions.push(sql<SqlBool>`${rules.tag} = any(p.tags)`);
  if (rules.category_id) conditions.push(sql<SqlBool>`p.category_id = ${rules.category_id}`);
  if (rules.max_price_minor !== undefined) conditions.push(sql<SqlBool>`v.price_minor <= ${rules.max_price_minor}`);
  return sql<SqlBool>`${sql.join(conditions, sql` and `)}`;
}

/** A collection and one page of its published products (manual: in the merchant's order; rule: newest first). */
export async function collectionPage(
  trx: Tx,
  handle: string,
  page: number,
): Promise<{ collection: PublicCollection; products: PublicProductSummary[]; hasMore: boolean } | undefined> {
  const collection = await trx.selectFrom('collections').selectAll().where('handle', '=', handle).executeTakeFirst();
  if (!collection) return undefined;
  const offset = (page - 1) * PAGE_SIZE;
  const rows =
    collection.kind === 'manual'
      ? await summaries(trx, sql<SqlBool>`true`, 'position', PAGE_SIZE + 1, offset, { collectionId: collection.id })
      : await summaries(trx, ruleFilter(collection.rules), 'newest', PAGE_SIZE + 1, offset);
  return {
    collection: { handle: collection.handle, title: collection.title, description: collection.description },
    products: rows.slice(0, PAGE_SIZE),
    hasMore: rows.length > PAGE_SIZE,
  };
}

/** PostgreSQL full-text search over title (weight A) and description (weight B), best matches first. */
export function searchProducts(trx: Tx, query: string): Promise<PublicProductSummary[]> {
  return summaries(trx, sql<SqlBool>`p.search @@ websearch_to_tsquery('english', ${query})`, 'rank', PAGE_SIZE, 0, { query });
}

export interface PublicCartVariant {
  id: string;
  product_handle: string;
  product_title: string;
  title: string;
  price_minor: number;
  currency: string;
}

/** The purchasable variants among `ids` (published products only), for pricing a cart. */
export async function cartVariants(trx: Tx, ids: string[]): Promise<PublicCartVariant[]> {
  if (ids.length === 0) return [];
  const { rows } = await sql<Omit<PublicCartVariant, 'price_minor'> & { price_minor: string }>`
    select v.id, p.handle as product_handle, p.title as product_title, v.title, v.price_minor, v.currency
      from variants v join products p on p.id = v.product_id
     where v.id = any(${ids}::uuid[]) and ${visible}`.execute(trx);
  return rows.map((row) => ({ ...row, price_minor: Number(row.price_minor) }));
}

export interface CheckoutVariant extends PublicCartVariant {
  sku: string;
  weight_grams: number;
}

/** What an order line needs of a purchasable variant: the cart's fields plus SKU and shipping weight. */
export async function checkoutVariants(trx: Tx, ids: string[]): Promise<CheckoutVariant[]> {
  if (ids.length === 0) return [];
  const { rows } = await sql<Omit<CheckoutVariant, 'price_minor'> & { price_minor: string }>`
    select v.id, p.handle as product_handle, p.title as product_title, v.title, v.price_minor, v.currency, v.sku,
           coalesce(v.weight_grams, 0) as weight_grams
      from variants v join products p on p.id = v.product_id
     where v.id = any(${ids}::uuid[]) and ${visible}`.execute(trx);
  return rows.map((row) => ({ ...row, price_minor: Number(row.price_minor) }));
}
