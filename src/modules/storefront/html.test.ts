import { describe, expect, it } from 'vitest';
import type { PublicProduct } from '../catalog/index.ts';
import { formatMoney, html, safeUrl } from './html.ts';
import { productPage } from './templates/pages.ts';

describe('html templates', () => {
  it('escapes interpolated text, including inside attributes and lists', () => {
    const name = `<script>alert("x")</script>`;
    const out = html`<p title="${name}">${name}</p><ul>${['<b>', 'ok'].map((item) => html`<li>${item}</li>`)}</ul>`.value;
    expect(out).toBe('<p title="&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;">&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;</p><ul><li>&lt;b&gt;</li><li>ok</li></ul>');
  });

  it('keeps nested templates as markup and drops empty values', () => {
    expect(html`<div>${html`<br>`}${null}${undefined}${false}</div>`.value).toBe('<div><br></div>');
  });

  it('accepts only http(s) URLs', () => {
    expect(safeUrl('javascript:alert(1)')).toBeUndefined();
    expect(safeUrl('https://cdn.example/logo.png')).toBe('https://cdn.example/logo.png');
  });

  it('formats money by the currency minor unit', () => {
    expect(formatMoney(4800, 'USD')).toBe('$48.00');
    expect(formatMoney(4800, 'JPY')).toBe('¥4,800');
  });

  it('offers a choice of variant only when there is one to make', () => {
    const variant = { id: 'v-default', title: '', price_minor: 2400, currency: 'USD', options: {}, in_stock: true };
    const product: PublicProduct = { id: 'p', handle: 'mug', title: 'Mug', description: '', media: [], variants: [variant] };
    const single = productPage(product).value;
    expect(single).not.toContain('<select');
    expect(single).not.toContain('Default');
    expect(single).toContain('<input type="hidden" name="variant_id" value="v-default">');
    const sizes = [
      { ...variant, id: 'v-s', title: 'Size S', options: { size: 'S' } },
      { ...variant, id: 'v-m', title: 'Size M', options: { size: 'M' } },
    ];
    const choice = productPage({ ...product, variants: sizes }).value;
    expect(choice).toContain('<select name="variant_id"><option value="v-s">Size S · $24.00</option><option value="v-m">Size M · $24.00</option></select>');
    expect(choice).not.toContain('type="hidden" name="variant_id"');
  });
});
