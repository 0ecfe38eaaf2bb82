import { sql } from 'kysely';
import type { Tx } from '../../platform/db/database.ts';
import { currentContext } from '../../platform/observability/context.ts';
import { clientErrorFrom } from './service.ts';

/** A unique item (a consigned dress, a vintage lamp): one product, one variant, one piece in stock. */
export interface OneOfAKindInput {
  sku: string;
  title: string;
  description: string;
  category_id: string | null;
  price_minor: number;
  currency: string;
}

export interface CreatedOneOfAKind {
  sku: string;
  product_id: string;
  variant_id: string;
}

const handleOf = (title: string, sku: string) => {
  const slug = (text: string) =>
    text
      .toLowerCase()
      .normalize('NFKD')
      .replaceAll(/[^a-z0-9]+/g, '-')
      .replaceAll(/^-+|-+$/g, '');
  return [slug(title).slice(0, 80).replace(/-+$/, ''), slug(sku)].filter(Boolean).join('-');
};

/** The store's receiving location: the first by code, or `main`, created on first use. */
async function receivingLocation(trx: Tx, tenantId: string): Promise<string> {
  const first = await trx.selectFrom('inventory_locations').select('id').orderBy('code').limit(1).executeTakeFirst();
  if (first) return first.id;
  const created = await trx
    .insertInto('inventory_locations')
    .values({ tenant_id: tenantId, code: 'main', name: 'Main' })
    .onConflict((oc) => oc.columns(['tenant_id', 'code']).doUpdateSet({ name: sql`inventory_locations.name` }))
    .returning('id')
    .executeTakeFirstOrThrow();
  return created.id;
}

/**
 * Creates published one-of-a-kind products in bulk, each with quantity 1 received at the store's receiving
 * location: a fixed number of statements whatever the count (products, variants, levels, adjustments, events),
 * each a multi-row INSERT … SELECT FROM unnest. Returns the ids in input order. A taken SKU is a 409.
 */
export async function createOneOfAKindProducts(trx: Tx, tenantId: string, items: readonly OneOfAKindInput[]): Promise<CreatedOneOfAKind[]> {
  if (items.length === 0) return [];
  const handles = items.map((item) => handleOf(item.title, item.sku));
  try {
    const products = await sql<{ id: string; handle: string }>`
      insert into products (tenant_id, handle, title, description, status, published_at, category_id, one_of_a_kind)
      select ${tenantId}, u.handle, u.title, u.description, 'published', now(), u.category_id, true
        from unnest(${handles}::text[], ${items.map((item) => item.title)}::text[], ${items.map((item) => item.description)}::text[],
                    ${items.map((item) => item.category_id)}::uuid[]) as u(handle, title, description, category_id)
      returning id, handle`.execute(trx);
    const productOf = new Map(products.rows.map((row) => [row.handle, row.id]));
    const productIds = handles.map((handle) => productOf.get(handle)!);
    const variants = await sql<{ id: string; sku: string }>`
      insert into variants (tenant_id, product_id, sku, price_minor, currency)
      select ${tenantId}, u.product_id, u.sku, u.price_minor, u.currency
        from unnest(${productIds}::uuid[], ${items.map((item) => item.sku)}::text[], ${items.map((item) => item.price_minor)}::bigint[],
                    ${items.map((item) => item.currency)}::text[]) as u(product_id, sku, price_minor, currency)
      returning id, sku`.execute(trx);
    const variantOf = new Map(variants.rows.map((row) => [row.sku, row.id]));
    const variantIds = items.map((item) => variantOf.get(item.sku)!);
    const location = await receivingLocation(trx, tenantId);
    await sql`
      insert into inventory_levels (tenant_id, variant_id, location_id, on_hand)
      select ${tenantId}, v, ${location}, 1 from unnest(${variantIds}::uuid[]) as v`.execute(trx);
    await sql`
      insert into inventory_adjustments (tenant_id, variant_id, location_id, delta, on_hand_after, reason)
      select ${tenantId}, v, ${location}, 1, 1, 'received' from unnest(${variantIds}::uuid[]) as v`.execute(trx);
    await sql`
      insert into domain_events (tenant_id, type, aggregate_type, aggregate_id, payload, correlation_id)
      select ${tenantId}, 'ProductCreated', 'product', u.id, jsonb_build_object('handle', u.handle, 'one_of_a_kind', true), ${currentContext()?.correlationId ?? null}
        from unnest(${productIds}::uuid[], ${handles}::text[]) as u(id, handle)`.execute(trx);
    return items.map((item, index) => ({ sku: item.sku, product_id: productIds[index]!, variant_id: variantIds[index]! }));
  } catch (error) {
    clientErrorFrom(error);
  }
}

/**
 * Sets the price of many variants in one statement (markdowns); a variant already at its new price is left alone,
 * so a repeated call changes nothing. Records `VariantUpdated` for each variant it changed; returns their ids.
 */
export async function setVariantPrices(trx: Tx, tenantId: string, changes: readonly { variant_id: string; price_minor: number }[]): Promise<string[]> {
  if (changes.length === 0) return [];
  const { rows } = await sql<{ id: string }>`
    with changed as (
      update variants v set price_minor = u.price_minor
        from unnest(${changes.map((change) => change.variant_id)}::uuid[], ${changes.map((change) => change.price_minor)}::bigint[]) as u(id, price_minor)
       where v.id = u.id and v.price_minor <> u.price_minor
      returning v.id, v.price_minor
    ), events as (
      insert into domain_events (tenant_id, type, aggregate_type, aggregate_id, payload, correlation_id)
      select ${tenantId}, 'VariantUpdated', 'variant', id, jsonb_build_object('price_minor', price_minor), ${currentContext()?.correlationId ?? null} from changed
    )
    select id from changed`.execute(trx);
  return rows.map((row) => row.id);
}

/** Takes products off sale (archived: off the storefront, kept for order history); records `ProductUpdated`. */
export async function archiveProducts(trx: Tx, tenantId: string, productIds: readonly string[]): Promise<void> {
  if (productIds.length === 0) return;
  await sql`
    with archived as (
      update products set status = 'archived' where id = any(${productIds}::uuid[]) and status <> 'archived' returning id
    )
    insert into domain_events (tenant_id, type, aggregate_type, aggregate_id, payload, correlation_id)
    select ${tenantId}, 'ProductUpdated', 'product', id, '{"fields":["status"]}'::jsonb, ${currentContext()?.correlationId ?? null} from archived`.execute(trx);
}
