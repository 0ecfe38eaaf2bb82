import { sql } from 'kysely';
import type { Tx } from '../../platform/db/database.ts';
import type { Mail } from '../../platform/mail/mail.ts';
import { archiveProducts, setVariantPrices } from '../catalog/index.ts';
import type { ExpiryOutcome } from './repository.ts';

/** Markdowns are applied in slices, so each statement's arrays stay small whatever the number of items. */
const SLICE = 5_000;

/**
 * Applies the markdown schedule (the consignor's, else the store's) to the store's items on the floor: an item
 * whose days on the floor reach a step it has not had is priced `percent_off` below its intake price, through the
 * catalog, and the new price goes into its price history. `markdown_step` only moves forward and is set in the same
 * unit of work as the price, so a re-run (a retried job, a second schedule) finds nothing to do. Returns the count.
 */
export async function applyMarkdowns(trx: Tx, tenantId: string, now = new Date()): Promise<number> {
  let applied = 0;
  for (;;) {
    const { rows } = await sql<{ id: string; variant_id: string; step: number; price_minor: string }>`
      with due as (
        select i.id, t.step, round(i.price_minor * (100 - t.percent_off) / 100.0)::bigint as price_minor
          from consignment_items i
          join consignment_store_terms st on st.tenant_id = i.tenant_id
          left join consignor_terms ct on ct.tenant_id = i.tenant_id and ct.consignor_id = i.consignor_id
          cross join lateral (
            select s.ord::int as step, (s.value->>'percent_off')::int as percent_off
              from jsonb_array_elements(coalesce(ct.markdown_steps, st.markdown_steps)) with ordinality as s(value, ord)
             where (s.value->>'after_days')::int <= floor(extract(epoch from ${now}::timestamptz - i.received_at) / 86400)
             order by s.ord desc
             limit 1
          ) t
         where i.tenant_id = ${tenantId} and i.status = 'on_floor' and t.step > i.markdown_step
         limit ${SLICE}
         for update of i skip locked
      )
      update consignment_items i set markdown_step = due.step from due where i.id = due.id
      returning i.id, i.variant_id, due.step, due.price_minor`.execute(trx);
    if (rows.length === 0) return applied;
    await setVariantPrices(trx, tenantId, rows.map((row) => ({ variant_id: row.variant_id, price_minor: Number(row.price_minor) })));
    await sql`
      insert into consignment_price_history (tenant_id, item_id, price_minor, reason, markdown_step)
      select ${tenantId}, u.id, u.price_minor, 'markdown', u.step
        from unnest(${rows.map((row) => row.id)}::uuid[], ${rows.map((row) => row.price_minor)}::bigint[], ${rows.map((row) => row.step)}::int[]) as u(id, price_minor, step)`.execute(trx);
    applied += rows.length;
    if (rows.length < SLICE) return applied;
  }
}

interface NoticeRow {
  consignor_id: string;
  email: string | null;
  display_name: string;
  titles: string[];
  skus: string[];
  expires: string[];
}

/**
 * Tells each consignor, once per item, that items reach the end of their consignment period within the store's
 * notice days: one e-mail per consignor listing them, written in this unit of work with the mark that it was sent.
 */
export async function sendExpiryNotices(trx: Tx, mail: Mail, tenantId: string, storeName: string, now = new Date()): Promise<number> {
  const { rows } = await sql<NoticeRow>`
    with due as (
      update consignment_items i set expiry_notice_sent_at = ${now}
        from consignment_store_terms st
       where st.tenant_id = i.tenant_id and i.tenant_id = ${tenantId} and i.status = 'on_floor' and i.expiry_notice_sent_at is null
         and i.expires_at - make_interval(days => st.expiry_notice_days) <= ${now}::timestamptz
      returning i.consignor_id, i.title, i.sku, i.expires_at
    )
    select c.id as consignor_id, c.email, c.display_name, array_agg(d.title order by d.expires_at) as titles,
           array_agg(d.sku order by d.expires_at) as skus, array_agg(to_char(d.expires_at at time zone 'UTC', 'YYYY-MM-DD') order by d.expires_at) as expires
      from due d join consignors c on c.tenant_id = ${tenantId} and c.id = d.consignor_id
     group by c.id, c.email, c.display_name`.execute(trx);
  let items = 0;
  for (const row of rows) {
    items += row.titles.length;
    if (!row.email) continue;
    const lines = row.titles.map((title, index) => `- ${title} (${row.skus[index]}): until ${row.expires[index]}`);
    await mail.enqueue(trx, {
      to: row.email,
      subject: `${storeName}: ${row.titles.length === 1 ? 'an item reaches' : `${row.titles.length} items reach`} the end of consignment`,
      text: `Hello ${row.display_name},\n\nThe consignment period of these items at ${storeName} ends soon:\n\n${lines.join('\n')}\n\nAfter the period and its grace days, items not picked up are handled as your agreement says. Contact the store to pick them up or extend.`,
    });
  }
  return items;
}

const CLOSED_STATUS: Record<ExpiryOutcome, 'returned' | 'donated' | 'store_stock'> = { return: 'returned', donate: 'donated', store_stock: 'store_stock' };

/**
 * Ends the consignment of items whose grace period is over, as the consignor's terms say: returned or donated
 * items leave the storefront (archived in the catalog); store stock stays on sale as the store's own, no longer
 * the consignor's. Only items still on the floor are taken, so a re-run changes nothing.
 */
export async function applyExpiryOutcomes(trx: Tx, tenantId: string, now = new Date()): Promise<Record<ExpiryOutcome, number>> {
  const { rows } = await sql<{ product_id: string; outcome: ExpiryOutcome }>`
    with due as (
      select i.id, coalesce(ct.expiry_outcome, st.expiry_outcome) as outcome
        from consignment_items i
        join consignment_store_terms st on st.tenant_id = i.tenant_id
        left join consignor_terms ct on ct.tenant_id = i.tenant_id and ct.consignor_id = i.consignor_id
       where i.tenant_id = ${tenantId} and i.status = 'on_floor' and i.grace_ends_at <= ${now}::timestamptz
       for update of i skip locked
    )
    update consignment_items i
       set status = case due.outcome when 'return' then 'returned' when 'donate' then 'donated' else 'store_stock' end, closed_at = ${now}
      from due where i.id = due.id
    returning i.product_id, due.outcome`.execute(trx);
  await archiveProducts(trx, tenantId, rows.filter((row) => CLOSED_STATUS[row.outcome] !== 'store_stock').map((row) => row.product_id));
  const counts: Record<ExpiryOutcome, number> = { return: 0, donate: 0, store_stock: 0 };
  for (const row of rows) counts[row.outcome]++;
  return counts;
}

/** Items of these variants that were on the floor are sold (from `OrderPaid`); repeated deliveries change nothing. */
export async function markSold(trx: Tx, tenantId: string, variantIds: readonly string[], at = new Date()): Promise<number> {
  if (variantIds.length === 0) return 0;
  const result = await trx
    .updateTable('consignment_items')
    .set({ status: 'sold', sold_at: at })
    .where('tenant_id', '=', tenantId)
    .where('variant_id', 'in', [...variantIds])
    .where('status', '=', 'on_floor')
    .executeTakeFirst();
  return Number(result.numUpdatedRows);
}

/** Stores with items on the floor (platform context: the daily aging sweep fans out one job per store). */
export async function storesWithItemsOnFloor(trx: Tx): Promise<string[]> {
  const rows = await trx.selectFrom('consignment_items').select('tenant_id').distinct().where('status', '=', 'on_floor').execute();
  return rows.map((row) => row.tenant_id);
}
