import { sql } from 'kysely';
import type { Tx } from '../../platform/db/database.ts';
import { proposeBatch } from './intake.ts';
import { daysOnFloor } from './items.ts';
import { payoutSettings } from './payout-settings.ts';

/** One consignor's items and proposals, for the consignor portal (see consignor-view.ts: always filtered by the consignor). */

export interface ConsignorItem {
  id: string;
  title: string;
  sku: string | null;
  status: 'pending' | 'on_floor' | 'sold' | 'returned' | 'donated' | 'store_stock';
  price_minor: number;
  currency: string;
  days_on_floor: number | null;
  expires_at: string | null;
  price_history: { price_minor: number; reason: string; markdown_step: number; at: string }[];
}

export interface ConsignorProposal {
  id: string;
  status: 'draft' | 'proposed' | 'accepted' | 'rejected';
  items: number;
  total_minor: number;
  currency: string;
  created_at: string;
}

/** Items newest first, each with its price history (two statements, however many items). */
export async function items(trx: Tx, consignorId: string, limit: number): Promise<ConsignorItem[]> {
  const rows = await trx
    .selectFrom('consignment_items')
    .select(['id', 'title', 'sku', 'status', 'price_minor', 'currency', 'expires_at', 'created_at'])
    .select(daysOnFloor.as('days_on_floor'))
    .where('consignor_id', '=', consignorId)
    .orderBy('created_at', 'desc')
    .orderBy('position')
    .limit(limit)
    .execute();
  if (rows.length === 0) return [];
  const history = await trx
    .selectFrom('consignment_price_history')
    .select(['item_id', 'price_minor', 'reason', 'markdown_step', 'created_at'])
    .where(
      'item_id',
      'in',
      rows.map((row) => row.id),
    )
    .orderBy('id')
    .execute();
  return rows.map((row) => {
    const steps = history
      .filter((step) => step.item_id === row.id)
      .map((step) => ({ price_minor: Number(step.price_minor), reason: step.reason, markdown_step: step.markdown_step, at: step.created_at.toISOString() }));
    return {
      id: row.id,
      title: row.title,
      sku: row.sku,
      status: row.status,
      // The item's own price is the intake price markdowns are figured from; the price now is the last one set.
      price_minor: steps.at(-1)?.price_minor ?? Number(row.price_minor),
      currency: row.currency,
      days_on_floor: row.days_on_floor,
      expires_at: row.expires_at?.toISOString() ?? null,
      price_history: steps,
    };
  });
}

/** The consignor's own proposals (batches they proposed), newest first. */
export async function proposals(trx: Tx, consignorId: string, limit: number): Promise<ConsignorProposal[]> {
  const { rows } = await sql<{ id: string; status: ConsignorProposal['status']; items: number; total_minor: string | null; currency: string | null; created_at: Date }>`
    select b.id, b.status, count(i.id)::int as items, sum(i.price_minor) as total_minor, min(i.currency) as currency, b.created_at
      from consignment_batches b left join consignment_items i on i.batch_id = b.id
     where b.consignor_id = ${consignorId} and b.source = 'consignor'
     group by b.id order by b.created_at desc limit ${limit}`.execute(trx);
  const { currency } = await payoutSettings(trx);
  return rows.map((row) => ({ id: row.id, status: row.status, items: row.items, total_minor: Number(row.total_minor ?? 0), currency: row.currency ?? currency, created_at: row.created_at.toISOString() }));
}

/** Proposes the items in the store's currency, as a batch staff accept or decline. */
export async function propose(trx: Tx, tenantId: string, consignorId: string, input: { note?: string; items: { title: string; price_minor: number; description?: string }[] }) {
  const { currency } = await payoutSettings(trx);
  return proposeBatch(trx, tenantId, consignorId, { ...(input.note ? { note: input.note } : {}), items: input.items.map((item) => ({ ...item, currency })) });
}

/** The store's currency, which proposals are priced in. */
export const storeCurrency = async (trx: Tx) => (await payoutSettings(trx)).currency;
