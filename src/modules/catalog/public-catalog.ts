import { type Expression, type SqlBool, sql } from 'kysely';
import type { Tx } from '../../platform/db/database.ts';
import { HttpProblem } from '../../platform/http/problem.ts';
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

/** How many matches a search ranks at most: the first ones the store's GIN index gives, in the table's order. */
export const SEARCH_CANDIDATES = 500;

/**
 * How many of the store's products a page by tag reads in listing order before it takes the tag's products from
 * the GIN index (tenant_id, tags) instead: a tag on one product in 20 or more fills its page within them (ADR 0105).
 */
const TAG_SCAN_ROWS = 500;

/** Published and past its publication time. */
const visible = sql<SqlBool>`p.status = 'published' and p.published_at <= now()`;

/** Visible and with a variant to sell: the listing price is its first variant's, kept on the row by the database. */
const listed = sql<SqlBool>`${visible} and p.listing_price_minor is not null`;

/**
 * Where a page of a listing starts: after the last product of the page before it (`after`), or before the first
 * product of the page after it (`before`). Opaque to the shopper: base64url of the sort key of that product.
 */
export type PageCursor = { after: string } | { before: string };

/** A listing's order; each is served by an index that leads with the store (migration listing_indexes). */
type Order = 'newest' | 'position' | 'rank';

/** The sort key of each order, as text columns of a row, and its direction. */
const HANDLE = /^[a-z0-9]+(-[a-z0-9]+)*$/;
const INTEGER = /^-?\d{1,16}$/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/**
 * Each key as two text columns out and two typed values back in. Timestamps travel as whole microseconds since
 * the epoch (exact both ways, and any integer a cursor may carry is a timestamp PostgreSQL can hold).
 */
const KEYS = {
  // Newest first; products published at the same instant (an import) by handle, descending like the index.
  newest: {
    columns: [sql`p.published_at`, sql`p.handle`],
    text: sql`(extract(epoch from p.published_at) * 1000000)::bigint::text as key_1, p.handle as key_2`,
    values: (first: string, second: string) => [sql`timestamptz 'epoch' + ${first}::bigint * interval '1 microsecond'`, sql`${second}::text`],
    valid: (first: string, second: string) => INTEGER.test(first) && HANDLE.test(second) && second.length <= 120,
    descending: true,
  },
  position: {
    columns: [sql`cp.position`, sql`cp.product_id`],
    text: sql`cp.position::text as key_1, cp.product_id::text as key_2`,
    values: (first: string, second: string) => [sql`${first}::int`, sql`${second}::uuid`],
    valid: (first: string, second: string) => INTEGER.test(first) && Math.abs(Number(first)) < 2 ** 31 && UUID.test(second),
    descending: false,
  },
} as const;

function encodeCursor(key: [string, string]): string {
  return Buffer.from(JSON.stringify(key)).toString('base64url');
}

/** The sort key a cursor carries; a 400 for anything this code did not write for `order`. */
function decodeCursor(cursor: string, order: keyof typeof KEYS): [string, string] {
  let key: unknown;
  try {
    key = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    key = undefined;
  }
  if (!Array.isArray(key) || key.length !== 2 || typeof key[0] !== 'string' || typeof key[1] !== 'string' || !KEYS[order].valid(key[0], key[1])) {
    throw new HttpProblem(400, 'Bad Request', 'The page cursor is not one this store gave out.');
  }
  return key as [string, string];
}

interface SummaryRow {
  id: string;
  handle: string;
  title: string;
  price_minor: string;
  currency: string;
  image: Medium | null;
  key_1: string;
  key_2: string;
}

export interface ListingPage {
  products: PublicProductSummary[];
  /** A search's matches, counted up to SEARCH_CANDIDATES. */
  matches?: number;
  /** Cursor of the page after this one, when there is one. */
  next?: string;
  /** Cursor of the page before this one, when this is not the first. */
  previous?: string;
}

/**
 * One page of published products with their first variant's price and their first image, in one query: the
 * products in index order from the cursor on (never an offset). The price is the product row's listing price.
 */
async function summaries(
  trx: Tx,
  where: Expression<SqlBool>,
  order: Order,
  options: { limit?: number; cursor?: PageCursor; collectionId?: string; query?: string; tag?: string } = {},
): Promise<ListingPage> {
  const limit = options.limit ?? PAGE_SIZE;
  const join = options.collectionId ? sql`join collection_products cp on cp.product_id = p.id and cp.collection_id = ${options.collectionId}` : sql``;
  const select = sql`select p.id, p.handle, p.title, p.listing_price_minor as price_minor, p.listing_currency as currency, p.media -> 0 as image`;
  if (order === 'rank') {
    // Only the first SEARCH_CANDIDATES matches are read and ranked, however many the store has. The matches are
    // planned as a whole (materialized), so the plan is the GIN index's bitmap of the store's matches, and read
    // lazily, so the heap scan stops after the candidates; a LIMIT on the scan itself lets the planner choose a
    // sequential scan from the table's start, through other stores' rows.
    const { rows } = await sql<SummaryRow & { matches: string }>`select c.id, c.handle, c.title, c.price_minor, c.currency, c.image, count(*) over () as matches
      from (with matching as materialized (
              select p.id, p.handle, p.title, p.listing_price_minor as price_minor, p.listing_currency as currency, p.media -> 0 as image, p.search
                from products p where ${listed} and ${where})
            select m.id, m.handle, m.title, m.price_minor, m.currency, m.image, ts_rank(m.search, websearch_to_tsquery('english', ${options.query ?? ''})) as rank
              from (select * from matching limit ${SEARCH_CANDIDATES}) m) c
     order by c.rank desc, c.handle
     limit ${limit}`.execute(trx);
    return { products: rows.map(summary), matches: Number(rows[0]?.matches ?? 0) };
  }
  const keys = KEYS[order];
  const backwards = options.cursor !== undefined && 'before' in options.cursor;
  let from = sql<SqlBool>`true`;
  if (options.cursor) {
    const [first, second] = decodeCursor('after' in options.cursor ? options.cursor.after : options.cursor.before, order);
    // Row comparison on the index's own columns: the scan starts at the cursor (descending keys reverse the sign).
    const comparison = keys.descending === backwards ? sql.raw('>') : sql.raw('<');
    const [firstValue, secondValue] = keys.values(first, second);
    from = sql<SqlBool>`(${keys.columns[0]}, ${keys.columns[1]}) ${comparison} (${firstValue}, ${secondValue})`;
  }
  const direction = sql.raw(keys.descending === backwards ? 'asc' : 'desc');
  const orderBy = sql`order by ${keys.columns[0]} ${direction}, ${keys.columns[1]} ${direction}`;
  const rows =
    options.tag === undefined
      ? (await sql<SummaryRow>`${select}, ${keys.text} from products p ${join} where ${listed} and ${where} and ${from} ${orderBy} limit ${limit + 1}`.execute(trx)).rows
      : await taggedRows(trx, options.tag, { select: sql`${select}, ${keys.text}`, where: sql`${listed} and ${where} and ${from}`, keys: keys.columns, direction, orderBy, limit: limit + 1 });
  const more = rows.length > limit;
  const page = rows.slice(0, limit);
  if (backwards) page.reverse();
  const cursorOf = (row: SummaryRow | undefined) => (row ? encodeCursor([row.key_1, row.key_2]) : undefined);
  const next = backwards || more ? cursorOf(page.at(-1)) : undefined;
  const previous = options.cursor && (!backwards || more) ? cursorOf(page[0]) : undefined;
  return { products: page.map(summary), ...(next ? { next } : {}), ...(previous ? { previous } : {}) };
}

/**
 * The first `limit` products with `tag` in listing order (`where` holds the cursor), whatever share of the store
 * has the tag. The planner is not left to choose between the listing index and the tag's bitmap: it takes a tag's
 * share of a store from its share of the whole table, so a tag most other stores put everywhere is planned as
 * common in a store that has it on one product in a thousand, and the ordered scan then reads the whole store.
 * Instead the store's next TAG_SCAN_ROWS products in order are read and those with the tag kept; only when they
 * do not fill the page, a second statement takes all the tag's products after the cursor from the GIN index
 * (materialized, so planned without the limit: a bitmap) and sorts them.
 */
async function taggedRows(trx: Tx, tag: string, query: { select: Expression<unknown>; where: Expression<SqlBool>; keys: readonly Expression<unknown>[]; direction: Expression<unknown>; orderBy: Expression<unknown>; limit: number }): Promise<SummaryRow[]> {
  const { select, where, keys, direction, orderBy, limit } = query;
  // `@>`, not `= any`: the operator the GIN index answers.
  const tagged = sql<SqlBool>`p.tags @> array[${tag}::text]`;
  const head = await sql<SummaryRow>`${select} from (select p.* from products p where ${where} ${orderBy} limit ${TAG_SCAN_ROWS}) p where ${tagged} ${orderBy} limit ${limit}`.execute(trx);
  if (head.rows.length === limit) return head.rows;
  const { rows } = await sql<SummaryRow>`with matching as materialized (${select}, ${keys[0]} as sort_1, ${keys[1]} as sort_2 from products p where ${where} and ${tagged})
    select * from matching order by sort_1 ${direction}, sort_2 ${direction} limit ${limit}`.execute(trx);
  return rows;
}

function summary(row: SummaryRow): PublicProductSummary {
  return { id: row.id, handle: row.handle, title: row.title, price_minor: Number(row.price_minor), currency: row.currency, image: row.image };
}

export async function newestProducts(trx: Tx, limit = PAGE_SIZE): Promise<PublicProductSummary[]> {
  return (await summaries(trx, sql<SqlBool>`true`, 'newest', { limit })).products;
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

/** A rule collection's conditions but its tag, which `summaries` checks itself. */
function ruleFilter(rules: CollectionRules): Expression<SqlBool> {
  const conditions = [sql<SqlBool>`true`];
  if (rules.category_id) conditions.push(sql<SqlBool>`p.category_id = ${rules.category_id}`);
  if (rules.max_price_minor !== undefined) conditions.push(sql<SqlBool>`p.listing_price_minor <= ${rules.max_price_minor}`);
  return sql<SqlBool>`${sql.join(conditions, sql` and `)}`;
}

/** A collection and one page of its published products (manual: in the merchant's order; rule: newest first). */
export async function collectionPage(trx: Tx, handle: string, cursor?: PageCursor): Promise<({ collection: PublicCollection } & ListingPage) | undefined> {
  const collection = await trx.selectFrom('collections').selectAll().where('handle', '=', handle).executeTakeFirst();
  if (!collection) return undefined;
  const page =
    collection.kind === 'manual'
      ? await summaries(trx, sql<SqlBool>`true`, 'position', { collectionId: collection.id, ...(cursor ? { cursor } : {}) })
      : await summaries(trx, ruleFilter(collection.rules), 'newest', { ...(cursor ? { cursor } : {}), ...(collection.rules.tag ? { tag: collection.rules.tag } : {}) });
  return { collection: { handle: collection.handle, title: collection.title, description: collection.description }, ...page };
}

export interface SearchResults {
  /** The best matches, best first (one page). */
  products: PublicProductSummary[];
  /** How many products match, counted up to SEARCH_CANDIDATES. */
  matches: number;
  /** SEARCH_CANDIDATES or more match: `products` are the best of the first SEARCH_CANDIDATES. */
  bounded: boolean;
}

/**
 * PostgreSQL full-text search over title (weight A) and description (weight B), every word matched
 * (websearch_to_tsquery), best matches first among the first SEARCH_CANDIDATES.
 */
export async function searchProducts(trx: Tx, query: string): Promise<SearchResults> {
  const page = await summaries(trx, sql<SqlBool>`p.search @@ websearch_to_tsquery('english', ${query})`, 'rank', { query });
  const matches = page.matches ?? 0;
  return { products: page.products, matches, bounded: matches >= SEARCH_CANDIDATES };
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
