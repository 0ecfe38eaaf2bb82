/**
 * Integer money arithmetic in minor units. The one rounding rule of the platform: a fraction of a minor unit
 * is rounded half up (amounts are never negative), once per line, never on a sum of already rounded values.
 */

/** round(numerator / denominator), half up, for non-negative integers. */
export function divideRounded(numerator: number, denominator: number): number {
  if (!Number.isSafeInteger(numerator) || !Number.isSafeInteger(denominator) || numerator < 0 || denominator <= 0) {
    throw new RangeError(`divideRounded(${numerator}, ${denominator})`);
  }
  return Math.floor((2 * numerator + denominator) / (2 * denominator));
}

/**
 * Splits `total` over `weights` in proportion, so that the parts add up to exactly `total` (largest remainder:
 * the units left after flooring go to the largest fractional parts, ties to the earlier line).
 */
export function allocate(total: number, weights: readonly number[]): number[] {
  const sum = weights.reduce((a, b) => a + b, 0);
  if (sum === 0) return weights.map((_, index) => (index === 0 ? total : 0));
  const exact = weights.map((weight) => (total * weight) / sum);
  const parts = exact.map(Math.floor);
  let left = total - parts.reduce((a, b) => a + b, 0);
  const order = exact.map((value, index) => ({ index, fraction: value - Math.floor(value) })).sort((a, b) => b.fraction - a.fraction || a.index - b.index);
  for (const { index } of order) {
    if (left === 0) break;
    parts[index]! += 1;
    left -= 1;
  }
  return parts;
}

/**
 * The share of a line amount belonging to units `already` … `already + count` of `quantity`: refunding a line in
 * pieces gives back exactly the line amount once every unit is refunded.
 */
export function unitsShare(amount: number, quantity: number, already: number, count: number): number {
  return divideRounded(amount * (already + count), quantity) - divideRounded(amount * already, quantity);
}
