import { sql } from 'kysely';
import type { Tx } from '../../platform/db/database.ts';
import type { ExpiringItems, ExpiringQuery } from './schemas.ts';

/**
 * Items on the floor whose consignment period ends within the next `within_days` days, soonest first, with their
 * consignor's name: what staff should mark down, call about or pull before the expiry outcome applies.
 */
export async function expiringItems(trx: Tx, tenantId: string, query: ExpiringQuery, now = new Date()): Promise<ExpiringItems> {
  const days = query.within_days ?? 7;
  const limit = query.limit ?? 20;
  const window = trx
    .selectFrom('consignment_items as i')
    .where('i.tenant_id', '=', tenantId)
    .where('i.status', '=', 'on_floor')
    .where('i.expires_at', '>', now)
    .where('i.expires_at', '<=', sql<Date>`${now}::timestamptz + make_interval(days => ${days})`);
  const rows = await window
    .innerJoin('consignors as c', (join) => join.onRef('c.id', '=', 'i.consignor_id').onRef('c.tenant_id', '=', 'i.tenant_id'))
    .select(['i.id', 'i.title', 'i.sku', 'i.price_minor', 'i.currency', 'i.expires_at', 'i.product_id', 'i.consignor_id', 'c.display_name as consignor_name'])
    .orderBy('i.expires_at')
    .orderBy('i.id')
    .limit(limit)
    .execute();
  const { total } = await window.select(sql<number>`count(*)::int`.as('total')).executeTakeFirstOrThrow();
  return {
    items: rows.map((row) => ({
      id: row.id,
      title: row.title,
      sku: row.sku!,
      price_minor: Number(row.price_minor),
      currency: row.currency,
      expires_at: row.expires_at!.toISOString(),
      product_id: row.product_id!,
      consignor_id: row.consignor_id,
      consignor_name: row.consignor_name,
    })),
    total,
  };
}
