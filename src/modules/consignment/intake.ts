import { sql } from 'kysely';
import type { Tx } from '../../platform/db/database.ts';
import { currentContext } from '../../platform/observability/context.ts';
import { createOneOfAKindProducts } from '../catalog/index.ts';
import { requireConsignor } from './consignors.ts';
import { ConsignmentError } from './errors.ts';
import { postIntakeFee } from './fees.ts';
import { itemsOfBatch } from './items.ts';
import { checkedPercent } from './percent.ts';
import type { BatchesTable } from './repository.ts';
import type { Batch, BatchInput, ItemInput } from './schemas.ts';
import { intakeDuration } from './telemetry.ts';
import { termsFor } from './terms.ts';

async function batchView(trx: Tx, tenantId: string, row: Pick<BatchesTable, 'consignor_id' | 'source' | 'status' | 'note' | 'accepted_at'> & { id: string; created_at: Date }): Promise<Batch> {
  return {
    id: row.id,
    consignor_id: row.consignor_id,
    source: row.source,
    status: row.status,
    note: row.note,
    accepted_at: row.accepted_at?.toISOString() ?? null,
    created_at: row.created_at.toISOString(),
    items: await itemsOfBatch(trx, tenantId, row.id),
  };
}

export async function getBatch(trx: Tx, tenantId: string, batchId: string): Promise<Batch> {
  const row = await trx.selectFrom('consignment_batches').selectAll().where('tenant_id', '=', tenantId).where('id', '=', batchId).executeTakeFirst();
  if (!row) throw new ConsignmentError('batch_not_found', 'No intake batch with this id in this store.');
  return batchView(trx, tenantId, row);
}

/** Appends items after the batch's last position, in one statement. */
async function insertItems(trx: Tx, tenantId: string, batchId: string, consignorId: string, items: readonly ItemInput[]): Promise<void> {
  if (items.length === 0) return;
  for (const [index, item] of items.entries()) {
    if (item.commission_percent != null) checkedPercent(item.commission_percent, `items/${index}/commission_percent`);
  }
  await sql`
    insert into consignment_items (tenant_id, batch_id, consignor_id, position, title, description, category_id, price_minor, currency, commission_percent)
    select ${tenantId}, ${batchId}, ${consignorId},
           coalesce((select max(position) from consignment_items where tenant_id = ${tenantId} and batch_id = ${batchId}), 0) + u.ord,
           u.title, u.description, u.category_id, u.price_minor, u.currency, u.commission_percent
      from unnest(${items.map((item) => item.title)}::text[], ${items.map((item) => item.description ?? '')}::text[],
                  ${items.map((item) => item.category_id ?? null)}::uuid[], ${items.map((item) => item.price_minor)}::bigint[],
                  ${items.map((item) => item.currency)}::text[], ${items.map((item) => item.commission_percent ?? null)}::numeric[])
           with ordinality as u(title, description, category_id, price_minor, currency, commission_percent, ord)`.execute(trx);
}

/**
 * A new batch for a consignor: entered by staff (`draft`), or proposed by the consignor (`proposed`, from the
 * portal), optionally with its first items. Either way staff accept it to put the items on the floor.
 */
export async function createBatch(trx: Tx, tenantId: string, input: BatchInput, source: 'staff' | 'consignor' = 'staff'): Promise<Batch> {
  const stop = intakeDuration.startTimer({ operation: 'create' });
  const consignor = await requireConsignor(trx, tenantId, input.consignor_id);
  if (consignor.status !== 'active') throw new ConsignmentError('consignor_inactive', 'The consignor is not active.');
  const row = await trx
    .insertInto('consignment_batches')
    .values({ tenant_id: tenantId, consignor_id: consignor.id, source, status: source === 'staff' ? 'draft' : 'proposed', note: input.note ?? null, accepted_at: null })
    .returningAll()
    .executeTakeFirstOrThrow();
  await insertItems(trx, tenantId, row.id, consignor.id, input.items ?? []);
  const batch = await batchView(trx, tenantId, row);
  stop();
  return batch;
}

/** The consignor's own proposal of items (the portal's "propose items"): staff review and accept it. */
export const proposeBatch = (trx: Tx, tenantId: string, consignorId: string, input: Omit<BatchInput, 'consignor_id'>) =>
  createBatch(trx, tenantId, { ...input, consignor_id: consignorId }, 'consignor');

/** The batch row locked for a change of its items or status; closed batches refuse. */
async function lockOpenBatch(trx: Tx, tenantId: string, batchId: string) {
  const row = await trx.selectFrom('consignment_batches').selectAll().where('tenant_id', '=', tenantId).where('id', '=', batchId).forUpdate().executeTakeFirst();
  if (!row) throw new ConsignmentError('batch_not_found', 'No intake batch with this id in this store.');
  if (row.status === 'accepted' || row.status === 'rejected') throw new ConsignmentError('batch_closed', `The batch is already ${row.status}.`);
  return row;
}

export async function addItems(trx: Tx, tenantId: string, batchId: string, items: readonly ItemInput[]): Promise<Batch> {
  const row = await lockOpenBatch(trx, tenantId, batchId);
  await insertItems(trx, tenantId, batchId, row.consignor_id, items);
  return batchView(trx, tenantId, row);
}

export async function rejectBatch(trx: Tx, tenantId: string, batchId: string): Promise<Batch> {
  await lockOpenBatch(trx, tenantId, batchId);
  const row = await trx.updateTable('consignment_batches').set({ status: 'rejected' }).where('id', '=', batchId).returningAll().executeTakeFirstOrThrow();
  return batchView(trx, tenantId, row);
}

/** SKUs of a batch's items: its id's first 12 hex digits and the item's position, e.g. `CN-1A2B3C4D5E6F-007`. */
const skuOf = (batchId: string, position: number) => `CN-${batchId.replaceAll('-', '').slice(0, 12).toUpperCase()}-${String(position).padStart(3, '0')}`;

/**
 * Puts a batch on the floor: its items become published one-of-a-kind catalog products (quantity 1) in one bulk
 * call, each linked to its consignor here, with the consignment period and grace period of the consignor's terms
 * from today and the intake price as the first entry of its price history. The batch row is locked first, so a
 * second accept of the same batch (a double click, a retry from another device) waits and then finds it closed:
 * products are created once.
 */
export async function acceptBatch(trx: Tx, tenantId: string, batchId: string): Promise<Batch> {
  const stop = intakeDuration.startTimer({ operation: 'accept' });
  const batch = await lockOpenBatch(trx, tenantId, batchId);
  const consignor = await requireConsignor(trx, tenantId, batch.consignor_id);
  if (consignor.status !== 'active') throw new ConsignmentError('consignor_inactive', 'The consignor is not active.');
  const pending = await trx
    .selectFrom('consignment_items')
    .select(['id', 'position', 'title', 'description', 'category_id', 'price_minor', 'currency'])
    .where('tenant_id', '=', tenantId)
    .where('batch_id', '=', batchId)
    .where('status', '=', 'pending')
    .orderBy('position')
    .execute();
  if (pending.length === 0) throw new ConsignmentError('batch_empty', 'The batch has no items to accept.');
  const terms = await termsFor(trx, tenantId, consignor.id);

  const created = await createOneOfAKindProducts(
    trx,
    tenantId,
    pending.map((item) => ({
      sku: skuOf(batchId, item.position),
      title: item.title,
      description: item.description,
      category_id: item.category_id,
      price_minor: Number(item.price_minor),
      currency: item.currency,
    })),
  );
  const ids = pending.map((item) => item.id);
  await sql`
    update consignment_items i
       set status = 'on_floor', sku = u.sku, product_id = u.product_id, variant_id = u.variant_id,
           received_at = now(), expires_at = now() + make_interval(days => ${terms.period_days}),
           grace_ends_at = now() + make_interval(days => ${terms.period_days + terms.grace_days})
      from unnest(${ids}::uuid[], ${created.map((item) => item.sku)}::text[], ${created.map((item) => item.product_id)}::uuid[],
                  ${created.map((item) => item.variant_id)}::uuid[]) as u(id, sku, product_id, variant_id)
     where i.tenant_id = ${tenantId} and i.id = u.id`.execute(trx);
  await sql`
    insert into consignment_price_history (tenant_id, item_id, price_minor, reason)
    select ${tenantId}, u.id, u.price_minor, 'intake' from unnest(${ids}::uuid[], ${pending.map((item) => item.price_minor)}::bigint[]) as u(id, price_minor)`.execute(trx);
  const accepted = await trx.updateTable('consignment_batches').set({ status: 'accepted', accepted_at: sql<Date>`now()` }).where('id', '=', batchId).returningAll().executeTakeFirstOrThrow();
  await postIntakeFee(trx, tenantId, { id: batchId, consignorId: consignor.id, items: ids.length, currency: pending[0]!.currency, feePerItemMinor: terms.intake_fee_minor });
  await trx
    .insertInto('domain_events')
    .values({
      tenant_id: tenantId,
      type: 'ConsignmentBatchAccepted',
      aggregate_type: 'consignment_batch',
      aggregate_id: batchId,
      payload: JSON.stringify({ consignor_id: consignor.id, items: ids.length, intake_fee_minor: terms.intake_fee_minor * ids.length, currency: pending[0]!.currency }),
      correlation_id: currentContext()?.correlationId ?? null,
    })
    .execute();
  const view = await batchView(trx, tenantId, accepted);
  stop();
  return view;
}
