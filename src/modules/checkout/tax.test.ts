import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { allocate, divideRounded, unitsShare } from './money.ts';
import { RegionTaxCalculator } from './tax.ts';

const tax = new RegionTaxCalculator();
const DE = { country: 'DE' };
const CA = { country: 'US', region: 'CA' };

describe('tax and money rounding', () => {
  it('rounds half up once per line, never on sums of rounded values', () => {
    expect(divideRounded(5, 2)).toBe(3);
    expect(divideRounded(4, 2)).toBe(2);
    // 100 lines at 0.07 with 19 %: per line 0.0133 → 0.01 each, so 1.00 of tax, not round(7.00 × 19 %) = 1.33.
    const lines = Array.from({ length: 100 }, (_, index) => ({ key: String(index), amountMinor: 7 }));
    const result = tax.calculate({ address: DE, lines, discountMinor: 0, shippingMinor: 0, pricesIncludeTax: false });
    expect(result.taxMinor).toBe(100);
    expect(result.lines.every((line) => line.taxMinor === 1)).toBe(true);
  });

  it('takes tax out of inclusive prices: 119.00 gross at 19 % holds exactly 19.00', () => {
    const result = tax.calculate({ address: DE, lines: [{ key: 'a', amountMinor: 11_900 }], discountMinor: 0, shippingMinor: 0, pricesIncludeTax: true });
    expect(result.taxMinor).toBe(1900);
  });

  it('spreads a discount over the lines so the parts add up exactly, and taxes the discounted amounts', () => {
    const lines = [
      { key: 'a', amountMinor: 1000 },
      { key: 'b', amountMinor: 1000 },
      { key: 'c', amountMinor: 1000 },
    ];
    const result = tax.calculate({ address: CA, lines, discountMinor: 100, shippingMinor: 500, pricesIncludeTax: false });
    expect(result.lines.map((line) => line.discountMinor)).toEqual([34, 33, 33]);
    // 966 × 7.25 % = 70.035 → 70; 967 × 7.25 % = 70.1 → 70; shipping 500 → 36.25 → 36.
    expect(result.lines.map((line) => line.taxMinor)).toEqual([70, 70, 70]);
    expect(result.shippingTaxMinor).toBe(36);
    expect(result.taxMinor).toBe(246);
  });

  it('allocates any total over any weights without losing or creating a minor unit', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 1_000_000 }), fc.array(fc.integer({ min: 0, max: 100_000 }), { minLength: 1, maxLength: 30 }), (total, weights) => {
        const parts = allocate(total, weights);
        expect(parts.reduce((a, b) => a + b, 0)).toBe(total);
        expect(parts.every((part) => part >= 0)).toBe(true);
      }),
    );
  });

  it('refunds a line unit by unit for exactly its total (a 10.00 line of 3 units: 3.33, 3.34, 3.33)', () => {
    expect([unitsShare(1000, 3, 0, 1), unitsShare(1000, 3, 1, 1), unitsShare(1000, 3, 2, 1)]).toEqual([333, 334, 333]);
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 10_000_000 }), fc.array(fc.integer({ min: 1, max: 5 }), { minLength: 1, maxLength: 10 }), (amount, pieces) => {
        const quantity = pieces.reduce((a, b) => a + b, 0);
        let already = 0;
        let refunded = 0;
        for (const count of pieces) {
          refunded += unitsShare(amount, quantity, already, count);
          already += count;
        }
        expect(refunded).toBe(amount);
      }),
    );
  });
});
