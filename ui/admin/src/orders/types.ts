import type { paths } from '../../../shared/api/schema.d.ts';

export type Order = paths['/admin/api/v1/orders/{id}']['get']['responses'][200]['content']['application/json'];
export type OrderLine = Order['lines'][number];

/** A shipping address as the lines of a label. */
export function addressLines(address: Record<string, unknown>): string[] {
  const text = (key: string) => (typeof address[key] === 'string' ? (address[key] as string) : '');
  const locality = [text('city'), text('region'), text('postal_code')].filter(Boolean).join(' ');
  return [text('name'), text('line1'), text('line2'), locality, text('country')].filter(Boolean);
}
