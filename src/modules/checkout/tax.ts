import { allocate, divideRounded } from './money.ts';

export interface TaxAddress {
  country: string;
  region?: string | undefined;
}

export interface TaxableLine {
  key: string;
  /** Price × quantity as listed (tax included when the store's prices include it). */
  amountMinor: number;
}

export interface TaxResult {
  rateBasisPoints: number;
  /** Per line: its share of the discount and its tax. */
  lines: { key: string; discountMinor: number; taxMinor: number }[];
  shippingTaxMinor: number;
  taxMinor: number;
}

/** Tax of an order: swappable (a tax service later); the default knows per-region rates. */
export interface TaxCalculator {
  calculate(input: { address: TaxAddress; lines: TaxableLine[]; discountMinor: number; shippingMinor: number; pricesIncludeTax: boolean }): TaxResult;
}

/** Rates in basis points (1 % = 100) by country, and by region where regions differ. */
export const DEFAULT_RATES: Record<string, { rate: number; regions?: Record<string, number> }> = {
  US: { rate: 0, regions: { CA: 725, NY: 400, TX: 625, WA: 650, FL: 600, IL: 625, MA: 625, OR: 0 } },
  CA: { rate: 500, regions: { ON: 1300, NS: 1400, QC: 1498, BC: 1200 } },
  GB: { rate: 2000 },
  DE: { rate: 1900 },
  FR: { rate: 2000 },
  NL: { rate: 2100 },
  IE: { rate: 2300 },
  AU: { rate: 1000 },
  NZ: { rate: 1500 },
  JP: { rate: 1000 },
};

/**
 * Per-region rates. Rule: the order discount is split over the lines in proportion to their amounts (parts add
 * up exactly); each line's tax is computed on its discounted amount and rounded half up once; shipping is taxed
 * as a line of its own; the order's tax is the sum of those. Inclusive prices: tax = amount × r / (1 + r).
 */
export class RegionTaxCalculator implements TaxCalculator {
  private readonly rates: typeof DEFAULT_RATES;
  constructor(rates = DEFAULT_RATES) {
    this.rates = rates;
  }

  rateOf(address: TaxAddress): number {
    const country = this.rates[address.country];
    if (!country) return 0;
    const regional = address.region ? country.regions?.[address.region] : undefined;
    return regional ?? country.rate;
  }

  calculate(input: { address: TaxAddress; lines: TaxableLine[]; discountMinor: number; shippingMinor: number; pricesIncludeTax: boolean }): TaxResult {
    const rate = this.rateOf(input.address);
    const taxOf = (amount: number) => (input.pricesIncludeTax ? divideRounded(amount * rate, 10_000 + rate) : divideRounded(amount * rate, 10_000));
    const discounts = allocate(
      Math.min(input.discountMinor, input.lines.reduce((sum, line) => sum + line.amountMinor, 0)),
      input.lines.map((line) => line.amountMinor),
    );
    const lines = input.lines.map((line, index) => ({ key: line.key, discountMinor: discounts[index]!, taxMinor: taxOf(line.amountMinor - discounts[index]!) }));
    const shippingTaxMinor = taxOf(input.shippingMinor);
    return { rateBasisPoints: rate, lines, shippingTaxMinor, taxMinor: lines.reduce((sum, line) => sum + line.taxMinor, 0) + shippingTaxMinor };
  }
}
