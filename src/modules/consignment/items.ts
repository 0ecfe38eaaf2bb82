import { type Selectable, sql } from 'kysely';
import type { Tx } from '../../platform/db/database.ts';
import { decodeCursor, type Page, toPage } from '../../platform/http/pagination.ts';
import type { ItemsTable } from './repository.ts';
import type { Item, ItemListQuery } from './schemas.ts';

const iso = (date: Date | null) => date?.toISOString() ?? null;

/** Whole days on the floor: from receipt to the sale, the end of consignment, or now. */
export const daysOnFloor = sql<number | null>`floor(extract(epoch from coalesce(sold_at, closed_at, now()) - received_at) / 86400)::int`;

export type ItemRow = Selectable<ItemsTable> & { days_on_floor: number | null };

export function toItem(row: ItemRow): Item {
  return {
    id: row.id,
    batch_id: row.batch_id,
    consignor_id: row.consignor_id,
    title: row.title,
    description: row.description,
    category_id: row.category_id,
    price_minor: Number(row.price_minor),
    currency: row.currency,
    commission_percent: row.commission_percent === null ? null : Number(row.commission_percent),
    status: row.status,
    sku: row.sku,
    product_id: row.product_id,
    variant_id: row.variant_id,
    received_at: iso(row.received_at),
    expires_at: iso(row.expires_at),
    grace_ends_at: iso(row.grace_ends_at),
    days_on_floor: row.days_on_floor,
    markdown_step: row.markdown_step,
  };
}

export async function itemsOfBatch(trx: Tx, tenantId: string, batchId: string): Promise<Item[]> {
  const rows = await trx
    .selectFrom('consignment_items')
    .selectAll()
    .select(daysOnFloor.as('days_on_floor'))
    .where('tenant_id', '=', tenantId)
    .where('batch_id', '=', batchId)
    .orderBy('position')
    .execute();
  return rows.map(toItem);
}

const CURSOR = /^[0-9a-f-]{36}$/;

export async function listItems(trx: Tx, tenantId: string, query: ItemListQuery): Promise<Page<Item>> {
  const limit = query.limit ?? 50;
  const after = decodeCursor(query.cursor, (key) => CURSOR.test(key));
  let select = trx.selectFrom('consignment_items').selectAll().select(daysOnFloor.as('days_on_floor')).where('tenant_id', '=', tenantId);
  if (query.consignor_id) select = select.where('consignor_id', '=', query.consignor_id);
  if (query.status) select = select.where('status', '=', query.status);
  if (after) select = select.where('id', '>', after);
  const rows = await select.orderBy('id').limit(limit + 1).execute();
  return toPage(rows.map(toItem), limit, (item) => item.id);
}

export async function priceHistory(trx: Tx, tenantId: string, itemId: string) {
  const rows = await trx
    .selectFrom('consignment_price_history')
    .select(['price_minor', 'reason', 'markdown_step', 'created_at'])
    .where('tenant_id', '=', tenantId)
    .where('item_id', '=', itemId)
    .orderBy('id')
    .execute();
  return rows.map((row) => ({ price_minor: Number(row.price_minor), reason: row.reason, markdown_step: row.markdown_step, at: row.created_at.toISOString() }));
}
