import { describe, expect, it } from 'vitest';
import { formatMoney, html, safeUrl } from './html.ts';

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
});
