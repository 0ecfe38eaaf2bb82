import { HttpProblem } from '../../platform/http/problem.ts';

/** Percentages are stored as numeric(5,2): a value with more decimals is refused, never rounded silently. */
export function checkedPercent(value: number, field: string): number {
  if (Math.abs(value * 100 - Math.round(value * 100)) > 1e-9) {
    throw new HttpProblem(400, 'Validation failed', 'The request has invalid fields.', {
      extensions: { errors: [{ field: `body/${field}`, message: 'must have at most two decimals' }] },
    });
  }
  return value;
}

/** A stored percentage as integer basis points (40.5 % → 4050), so splits are computed in integers. */
export const basisPoints = (percent: string | number) => Math.round(Number(percent) * 100);
