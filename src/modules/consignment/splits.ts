import type { DiscountAbsorption } from './repository.ts';

/** One line of a sale: the product sold, its price before discount and the discount on it, in minor units. */
export interface SaleLine {
  productId: string;
  priceMinor: number;
  discountMinor: number;
}

/** The commission layers of a consigned item (the store's share, in percent); null where a layer sets none. */
export interface CommissionLayers {
  store: number;
  consignor: number | null;
  category: number | null;
  item: number | null;
}

export interface ConsignedItem {
  itemId: string;
  productId: string;
  consignorId: string;
  categoryId: string | null;
  currency: string;
  commission: CommissionLayers;
  discountAbsorption: DiscountAbsorption;
}

export type RuleLevel = 'store' | 'consignor' | 'category' | 'item';

export interface Split {
  consignorId: string;
  itemId: string;
  consignorShareMinor: number;
  storeShareMinor: number;
  /** The rule the split came from: the most specific layer that sets a commission, and who bore the discount. */
  rule: { level: RuleLevel; commissionPercent: number; discountAbsorption: DiscountAbsorption };
}

/** The most specific layer wins: item, then category, then consignor, then the store's default. */
export function commissionRule(layers: CommissionLayers): { level: RuleLevel; commissionPercent: number } {
  if (layers.item !== null) return { level: 'item', commissionPercent: layers.item };
  if (layers.category !== null) return { level: 'category', commissionPercent: layers.category };
  if (layers.consignor !== null) return { level: 'consignor', commissionPercent: layers.consignor };
  return { level: 'store', commissionPercent: layers.store };
}

const shareOf = (amountMinor: number, percent: number) => Math.round((amountMinor * Math.round(percent * 100)) / 10_000);

/**
 * How one sale line divides between consignor and store, or null when the product is not consigned. Pure: the
 * items come from `consignedItemsFor`. The two shares always add up to what the buyer paid for the line.
 *
 * - `shared`: the commission applies to the discounted price, so both lose in proportion.
 * - `store`: the consignor's share is figured on the undiscounted price; the store's commission bears the discount.
 * - `consignor`: the store's commission is figured on the undiscounted price; the consignor's share bears it.
 *
 * A share figured on the full price is capped at what was paid, so nobody's share goes below zero.
 */
export function splitFor(line: SaleLine, items: ReadonlyMap<string, ConsignedItem>): Split | null {
  const item = items.get(line.productId);
  if (!item) return null;
  if (!Number.isSafeInteger(line.priceMinor) || !Number.isSafeInteger(line.discountMinor) || line.priceMinor < 0 || line.discountMinor < 0 || line.discountMinor > line.priceMinor) {
    throw new RangeError(`sale line of product ${line.productId}: price and discount must be whole minor units, 0 <= discount <= price`);
  }
  const { level, commissionPercent } = commissionRule(item.commission);
  const paid = line.priceMinor - line.discountMinor;
  let storeShareMinor: number;
  switch (item.discountAbsorption) {
    case 'shared':
      storeShareMinor = shareOf(paid, commissionPercent);
      break;
    case 'store':
      storeShareMinor = paid - Math.min(paid, line.priceMinor - shareOf(line.priceMinor, commissionPercent));
      break;
    case 'consignor':
      storeShareMinor = Math.min(paid, shareOf(line.priceMinor, commissionPercent));
      break;
  }
  return {
    consignorId: item.consignorId,
    itemId: item.itemId,
    consignorShareMinor: paid - storeShareMinor,
    storeShareMinor,
    rule: { level, commissionPercent, discountAbsorption: item.discountAbsorption },
  };
}
