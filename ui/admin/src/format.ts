const formats = new Map<string, Intl.NumberFormat>();

/** Money in a store's currency from minor units (cents). One formatter per currency: making one costs more than formatting. */
export function formatMoney(minor: number, currency: string): string {
  let format = formats.get(currency);
  if (!format) {
    format = new Intl.NumberFormat(undefined, { style: 'currency', currency });
    formats.set(currency, format);
  }
  return format.format(minor / 100);
}

export function priceRange(variants: { price_minor: number; currency: string }[]): string {
  if (variants.length === 0) return '—';
  const prices = variants.map((variant) => variant.price_minor);
  const currency = variants[0]!.currency;
  const low = Math.min(...prices);
  const high = Math.max(...prices);
  return low === high ? formatMoney(low, currency) : `${formatMoney(low, currency)} – ${formatMoney(high, currency)}`;
}

export function statusSeverity(product: { status: string; published_at: string | null }): 'success' | 'secondary' | 'info' | 'warn' {
  if (product.status === 'published') return product.published_at && new Date(product.published_at) > new Date() ? 'info' : 'success';
  return product.status === 'archived' ? 'warn' : 'secondary';
}
