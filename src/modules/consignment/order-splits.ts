import type { Tx } from '../../platform/db/database.ts';
import type { Order } from '../checkout/index.ts';
import { consignedItemsFor } from './consigned-items.ts';
import type { LineSplit } from './sales.ts';
import { splitFor } from './splits.ts';

/**
 * The consigned lines of a paid order, each with its split and the rule it came from. Order lines name
 * variants; the consignment items record the variant and product their intake created.
 */
export async function orderSplits(trx: Tx, tenantId: string, order: Order): Promise<LineSplit[]> {
  const variantIds = [...new Set(order.lines.flatMap((line) => (line.variant_id ? [line.variant_id] : [])))];
  if (variantIds.length === 0) return [];
  const links = await trx.selectFrom('consignment_items').select(['variant_id', 'product_id']).where('variant_id', 'in', variantIds).where('product_id', 'is not', null).execute();
  const productOf = new Map(links.map((link) => [link.variant_id!, link.product_id!]));
  const items = await consignedItemsFor(trx, tenantId, [...new Set(productOf.values())]);
  return order.lines.flatMap((line) => {
    const productId = line.variant_id ? productOf.get(line.variant_id) : undefined;
    const split = productId ? splitFor({ productId, priceMinor: line.unit_price_minor * line.quantity, discountMinor: line.discount_minor }, items) : null;
    if (!split) return [];
    return [
      {
        orderLineId: line.id,
        consignorId: split.consignorId,
        title: line.title,
        saleMinor: split.consignorShareMinor + split.storeShareMinor,
        consignorMinor: split.consignorShareMinor,
        rule: `${split.rule.level} commission ${split.rule.commissionPercent}%, discount borne by ${split.rule.discountAbsorption}`,
      },
    ];
  });
}
