import { sql } from 'kysely';
import type { Tx } from '../../platform/db/database.ts';
import type { DiscountAbsorption } from './repository.ts';
import type { ConsignedItem } from './splits.ts';

const num = (value: string | null) => (value === null ? null : Number(value));

/**
 * The consigned items among these products, with every commission layer and the discount rule, by product id:
 * the input of `splitFor`. Items on the floor or sold count; pending, returned, donated and store-stock ones do not.
 * One statement whatever the number of products.
 */
export async function consignedItemsFor(trx: Tx, tenantId: string, productIds: readonly string[]): Promise<Map<string, ConsignedItem>> {
  if (productIds.length === 0) return new Map();
  const { rows } = await sql<{
    item_id: string;
    product_id: string;
    consignor_id: string;
    category_id: string | null;
    currency: string;
    item_percent: string | null;
    category_percent: string | null;
    consignor_percent: string | null;
    store_percent: string;
    consignor_absorption: DiscountAbsorption | null;
    store_absorption: DiscountAbsorption;
  }>`
    select i.id as item_id, i.product_id, i.consignor_id, i.category_id, i.currency,
           i.commission_percent as item_percent, cc.commission_percent as category_percent,
           ct.commission_percent as consignor_percent, st.commission_percent as store_percent,
           ct.discount_absorption as consignor_absorption, st.discount_absorption as store_absorption
      from consignment_items i
      left join consignment_category_commissions cc on cc.tenant_id = i.tenant_id and cc.category_id = i.category_id
      left join consignor_terms ct on ct.tenant_id = i.tenant_id and ct.consignor_id = i.consignor_id
      -- Acceptance saved the store's terms (or their defaults), so every item on the floor has them.
      join consignment_store_terms st on st.tenant_id = i.tenant_id
     where i.tenant_id = ${tenantId} and i.product_id = any(${productIds}::uuid[]) and i.status in ('on_floor', 'sold')`.execute(trx);
  const items = new Map<string, ConsignedItem>();
  for (const row of rows) {
    items.set(row.product_id, {
      itemId: row.item_id,
      productId: row.product_id,
      consignorId: row.consignor_id,
      categoryId: row.category_id,
      currency: row.currency,
      commission: { store: Number(row.store_percent), consignor: num(row.consignor_percent), category: num(row.category_percent), item: num(row.item_percent) },
      discountAbsorption: row.consignor_absorption ?? row.store_absorption,
    });
  }
  return items;
}
