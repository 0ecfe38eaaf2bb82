import { sql } from 'kysely';
import type { Tx } from '../../platform/db/database.ts';
import { constraintOf, isForeignKeyViolation, isUniqueViolation } from '../../platform/db/errors.ts';
import { HttpProblem } from '../../platform/http/problem.ts';
import { decodeCursor, type Page, toPage } from '../../platform/http/pagination.ts';
import { recordEvent } from './events.ts';
import type { ProductRow, VariantRow } from './repository.ts';
import type { Product, ProductInput, ProductListQuery, ProductPatch, PublishInput, Variant, VariantInput, VariantPatch } from './schemas.ts';
import { variantUpsertDuration } from './telemetry.ts';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

function toVariant(row: VariantRow): Variant {
  return {
    id: row.id,
    product_id: row.product_id,
    sku: row.sku,
    title: row.title,
    price_minor: Number(row.price_minor),
    currency: row.currency,
    cost_minor: row.cost_minor === null ? null : Number(row.cost_minor),
    options: row.options,
    weight_grams: row.weight_grams,
    position: row.position,
  };
}

function toProduct(row: ProductRow, variants: VariantRow[]): Product {
  return {
    id: row.id,
    handle: row.handle,
    title: row.title,
    description: row.description,
    status: row.status,
    published_at: row.published_at?.toISOString() ?? null,
    category_id: row.category_id,
    tags: row.tags,
    media: row.media,
    variants: variants.map(toVariant),
    created_at: row.created_at.toISOString(),
    updated_at: row.updated_at.toISOString(),
  };
}

/** Turns constraint violations into the client errors they are; anything else is rethrown. */
export function clientErrorFrom(error: unknown): never {
  if (isUniqueViolation(error)) {
    const constraint = constraintOf(error) ?? '';
    const field = constraint.includes('sku') ? 'sku' : constraint.includes('code') ? 'code' : 'handle';
    throw new HttpProblem(409, 'Conflict', `Another record already has this ${field}.`, { extensions: { field } });
  }
  if (isForeignKeyViolation(error)) {
    // The field, never the constraint's name: schema names are not part of the API.
    const columns = /Key \(([^)]*)\)/.exec(String((error as { detail?: unknown }).detail ?? ''))?.[1] ?? '';
    const field = columns.split(',').map((column) => column.trim()).find((column) => column !== 'tenant_id');
    throw new HttpProblem(422, 'Unknown reference', 'A referenced record does not exist in this store.', {
      extensions: field ? { field } : {},
    });
  }
  throw error;
}

const notFound = (what: string) => new HttpProblem(404, 'Not Found', `No such ${what} in this store.`);

function variantValues(tenantId: string, productId: string, input: VariantInput, position: number) {
  return {
    tenant_id: tenantId,
    product_id: productId,
    sku: input.sku,
    title: input.title ?? '',
    price_minor: input.price_minor,
    currency: input.currency,
    cost_minor: input.cost_minor ?? null,
    options: JSON.stringify(input.options ?? {}),
    weight_grams: input.weight_grams ?? null,
    position: input.position ?? position,
  };
}

async function variantsOf(trx: Tx, productIds: string[]): Promise<Map<string, VariantRow[]>> {
  const byProduct = new Map<string, VariantRow[]>(productIds.map((id) => [id, []]));
  if (productIds.length === 0) return byProduct;
  const rows = await trx.selectFrom('variants').selectAll().where('product_id', 'in', productIds).orderBy('position').orderBy('sku').execute();
  for (const row of rows) byProduct.get(row.product_id)?.push(row);
  return byProduct;
}

export async function getProduct(trx: Tx, id: string): Promise<Product> {
  const row = await trx.selectFrom('products').selectAll().where('id', '=', id).executeTakeFirst();
  if (!row) throw notFound('product');
  return toProduct(row, (await variantsOf(trx, [id])).get(id) ?? []);
}

export async function listProducts(trx: Tx, query: ProductListQuery): Promise<Page<Product>> {
  const limit = query.limit ?? 50;
  const after = decodeCursor(query.cursor, (key) => UUID.test(key));
  let select = trx.selectFrom('products').selectAll().orderBy('id').limit(limit + 1);
  if (after) select = select.where('id', '>', after);
  if (query.status) select = select.where('status', '=', query.status);
  if (query.q) {
    const pattern = `%${query.q.replace(/[\\%_]/g, (c: string) => `\\${c}`)}%`;
    select = select.where((eb) =>
      eb.or([
        eb('title', 'ilike', pattern),
        eb('handle', 'ilike', pattern),
        eb.exists(eb.selectFrom('variants').whereRef('variants.product_id', '=', 'products.id').where('sku', 'ilike', pattern).select(eb.lit(1).as('one'))),
      ]),
    );
  }
  const page = toPage(await select.execute(), limit, (row) => row.id);
  const variants = await variantsOf(trx, page.items.map((row) => row.id));
  return { items: page.items.map((row) => toProduct(row, variants.get(row.id) ?? [])), next_cursor: page.next_cursor };
}

export async function createProduct(trx: Tx, tenantId: string, input: ProductInput): Promise<Product> {
  try {
    const product = await trx
      .insertInto('products')
      .values({
        tenant_id: tenantId,
        handle: input.handle,
        title: input.title,
        description: input.description ?? '',
        category_id: input.category_id ?? null,
        tags: input.tags ?? [],
        media: JSON.stringify(input.media ?? []),
        published_at: null,
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    await trx
      .insertInto('variants')
      .values(input.variants.map((variant, index) => variantValues(tenantId, product.id, variant, index)))
      .execute();
    await recordEvent(trx, tenantId, { type: 'ProductCreated', aggregateType: 'product', aggregateId: product.id, payload: { handle: input.handle } });
    return await getProduct(trx, product.id);
  } catch (error) {
    clientErrorFrom(error);
  }
}

export async function updateProduct(trx: Tx, tenantId: string, id: string, patch: ProductPatch): Promise<Product> {
  const { media, ...fields } = patch;
  try {
    const updated = await trx
      .updateTable('products')
      .set({ ...fields, ...(media ? { media: JSON.stringify(media) } : {}) })
      .where('id', '=', id)
      .returning('id')
      .executeTakeFirst();
    if (!updated) throw notFound('product');
  } catch (error) {
    clientErrorFrom(error);
  }
  await recordEvent(trx, tenantId, { type: 'ProductUpdated', aggregateType: 'product', aggregateId: id, payload: { fields: Object.keys(patch) } });
  return getProduct(trx, id);
}

export async function deleteProduct(trx: Tx, tenantId: string, id: string): Promise<void> {
  const deleted = await trx.deleteFrom('products').where('id', '=', id).returning('handle').executeTakeFirst();
  if (!deleted) throw notFound('product');
  await recordEvent(trx, tenantId, { type: 'ProductDeleted', aggregateType: 'product', aggregateId: id, payload: { handle: deleted.handle } });
}

/** Publishes now, or schedules: the storefront shows a product once `published_at` has passed. */
export async function publishProduct(trx: Tx, tenantId: string, id: string, input: PublishInput, now = new Date()): Promise<Product> {
  const at = input.publish_at ? new Date(input.publish_at) : now;
  const updated = await trx
    .updateTable('products')
    .set({ status: 'published', published_at: at })
    .where('id', '=', id)
    .returning('id')
    .executeTakeFirst();
  if (!updated) throw notFound('product');
  const scheduled = at.getTime() > now.getTime();
  await recordEvent(trx, tenantId, {
    type: scheduled ? 'ProductScheduled' : 'ProductPublished',
    aggregateType: 'product',
    aggregateId: id,
    payload: { published_at: at.toISOString() },
  });
  return getProduct(trx, id);
}

/** The scheduled time has come: `ProductPublished`, unless the product was rescheduled or unpublished since. */
export async function announceScheduledPublication(trx: Tx, tenantId: string, id: string, publishedAt: Date): Promise<void> {
  const due = await trx.selectFrom('products').select('id').where('id', '=', id).where('status', '=', 'published').where('published_at', '=', publishedAt).executeTakeFirst();
  if (!due) return;
  await recordEvent(trx, tenantId, { type: 'ProductPublished', aggregateType: 'product', aggregateId: id, payload: { published_at: publishedAt.toISOString(), scheduled: true } });
}

export async function unpublishProduct(trx: Tx, tenantId: string, id: string): Promise<Product> {
  const updated = await trx
    .updateTable('products')
    .set({ status: 'draft', published_at: null })
    .where('id', '=', id)
    .returning('id')
    .executeTakeFirst();
  if (!updated) throw notFound('product');
  await recordEvent(trx, tenantId, { type: 'ProductUnpublished', aggregateType: 'product', aggregateId: id });
  return getProduct(trx, id);
}

export async function addVariant(trx: Tx, tenantId: string, productId: string, input: VariantInput): Promise<Variant> {
  const stop = variantUpsertDuration.startTimer({ operation: 'create' });
  try {
    const row = await trx.insertInto('variants').values(variantValues(tenantId, productId, input, 0)).returningAll().executeTakeFirstOrThrow();
    await recordEvent(trx, tenantId, { type: 'VariantCreated', aggregateType: 'variant', aggregateId: row.id, payload: { sku: row.sku, product_id: productId } });
    return toVariant(row);
  } catch (error) {
    if (isForeignKeyViolation(error)) throw notFound('product');
    clientErrorFrom(error);
  } finally {
    stop();
  }
}

export async function updateVariant(trx: Tx, tenantId: string, id: string, patch: VariantPatch): Promise<Variant> {
  const stop = variantUpsertDuration.startTimer({ operation: 'update' });
  const { options, ...fields } = patch;
  try {
    const row = await trx
      .updateTable('variants')
      .set({ ...fields, ...(options ? { options: JSON.stringify(options) } : {}) })
      .where('id', '=', id)
      .returningAll()
      .executeTakeFirst();
    if (!row) throw notFound('variant');
    await recordEvent(trx, tenantId, { type: 'VariantUpdated', aggregateType: 'variant', aggregateId: id, payload: { fields: Object.keys(patch) } });
    return toVariant(row);
  } catch (error) {
    clientErrorFrom(error);
  } finally {
    stop();
  }
}

export async function deleteVariant(trx: Tx, tenantId: string, id: string): Promise<void> {
  const row = await trx.selectFrom('variants').select(['product_id', 'sku']).where('id', '=', id).executeTakeFirst();
  if (!row) throw notFound('variant');
  const siblings = await trx.selectFrom('variants').select((eb) => eb.fn.countAll<string>().as('n')).where('product_id', '=', row.product_id).executeTakeFirstOrThrow();
  if (Number(siblings.n) <= 1) throw new HttpProblem(409, 'Conflict', 'A product keeps at least one variant; delete the product instead.');
  await trx.deleteFrom('variants').where('id', '=', id).execute();
  await recordEvent(trx, tenantId, { type: 'VariantDeleted', aggregateType: 'variant', aggregateId: id, payload: { sku: row.sku } });
}

/** Appends a media asset to a product's media (the media module calls this once the asset is ready). */
export async function attachProductMedium(trx: Tx, tenantId: string, productId: string, medium: { asset_id: string; alt: string }): Promise<Product> {
  const updated = await sql<{ id: string }>`
    update products set media = media || ${JSON.stringify([medium])}::jsonb
     where id = ${productId} and jsonb_array_length(media) < 20 and not media @> ${JSON.stringify([{ asset_id: medium.asset_id }])}::jsonb
     returning id`.execute(trx);
  if (updated.rows.length === 0) {
    const exists = await trx.selectFrom('products').select('id').where('id', '=', productId).executeTakeFirst();
    if (!exists) throw notFound('product');
    return getProduct(trx, productId);
  }
  await recordEvent(trx, tenantId, { type: 'ProductUpdated', aggregateType: 'product', aggregateId: productId, payload: { fields: ['media'] } });
  return getProduct(trx, productId);
}
