import type { Tx } from '../../platform/db/database.ts';
import { HttpProblem } from '../../platform/http/problem.ts';
import { recordEvent } from './events.ts';
import type { CollectionRow } from './repository.ts';
import type { Collection, CollectionInput, CollectionPatch } from './schemas.ts';
import { clientErrorFrom } from './service.ts';

const notFound = () => new HttpProblem(404, 'Not Found', 'No such collection in this store.');

function toCollection(row: CollectionRow, productIds?: string[]): Collection {
  return {
    id: row.id,
    handle: row.handle,
    title: row.title,
    description: row.description,
    kind: row.kind,
    rules: row.rules,
    ...(productIds ? { product_ids: productIds } : {}),
  };
}

async function manualProductIds(trx: Tx, collectionId: string): Promise<string[]> {
  const rows = await trx.selectFrom('collection_products').select('product_id').where('collection_id', '=', collectionId).orderBy('position').execute();
  return rows.map((row) => row.product_id);
}

async function setManualProducts(trx: Tx, tenantId: string, collectionId: string, productIds: string[]): Promise<void> {
  await trx.deleteFrom('collection_products').where('collection_id', '=', collectionId).execute();
  const unique = [...new Set(productIds)];
  if (unique.length === 0) return;
  await trx
    .insertInto('collection_products')
    .values(unique.map((productId, position) => ({ tenant_id: tenantId, collection_id: collectionId, product_id: productId, position })))
    .execute();
}

export async function listCollections(trx: Tx): Promise<Collection[]> {
  const rows = await trx.selectFrom('collections').selectAll().orderBy('title').execute();
  return rows.map((row) => toCollection(row));
}

export async function getCollection(trx: Tx, id: string): Promise<Collection> {
  const row = await trx.selectFrom('collections').selectAll().where('id', '=', id).executeTakeFirst();
  if (!row) throw notFound();
  return toCollection(row, row.kind === 'manual' ? await manualProductIds(trx, id) : undefined);
}

export async function createCollection(trx: Tx, tenantId: string, input: CollectionInput): Promise<Collection> {
  if (input.kind === 'rule' && (!input.rules || input.product_ids)) {
    throw new HttpProblem(422, 'Invalid rule collection', 'A rule collection needs rules and takes no product_ids.');
  }
  if (input.kind === 'manual' && input.rules) throw new HttpProblem(422, 'Invalid manual collection', 'A manual collection takes no rules.');
  try {
    const row = await trx
      .insertInto('collections')
      .values({
        tenant_id: tenantId,
        handle: input.handle,
        title: input.title,
        description: input.description ?? '',
        kind: input.kind,
        rules: JSON.stringify(input.rules ?? {}),
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    if (input.kind === 'manual') await setManualProducts(trx, tenantId, row.id, input.product_ids ?? []);
    await recordEvent(trx, tenantId, { type: 'CollectionChanged', aggregateType: 'collection', aggregateId: row.id, payload: { change: 'created' } });
    return await getCollection(trx, row.id);
  } catch (error) {
    clientErrorFrom(error);
  }
}

export async function updateCollection(trx: Tx, tenantId: string, id: string, patch: CollectionPatch): Promise<Collection> {
  const current = await trx.selectFrom('collections').select('kind').where('id', '=', id).executeTakeFirst();
  if (!current) throw notFound();
  if (patch.rules && current.kind !== 'rule') throw new HttpProblem(422, 'Not a rule collection', 'Only rule collections have rules.');
  if (patch.product_ids && current.kind !== 'manual') throw new HttpProblem(422, 'Not a manual collection', 'Rule collections choose their own products.');
  const { rules, product_ids: productIds, ...fields } = patch;
  try {
    const changes = { ...fields, ...(rules ? { rules: JSON.stringify(rules) } : {}) };
    if (Object.keys(changes).length > 0) await trx.updateTable('collections').set(changes).where('id', '=', id).execute();
    if (productIds) await setManualProducts(trx, tenantId, id, productIds);
  } catch (error) {
    clientErrorFrom(error);
  }
  await recordEvent(trx, tenantId, { type: 'CollectionChanged', aggregateType: 'collection', aggregateId: id, payload: { change: 'updated' } });
  return getCollection(trx, id);
}

export async function deleteCollection(trx: Tx, tenantId: string, id: string): Promise<void> {
  const row = await trx.deleteFrom('collections').where('id', '=', id).returning('id').executeTakeFirst();
  if (!row) throw notFound();
  await recordEvent(trx, tenantId, { type: 'CollectionChanged', aggregateType: 'collection', aggregateId: id, payload: { change: 'deleted' } });
}
