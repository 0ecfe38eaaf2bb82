import { type DesignTokens, cssVariables } from '../../../../ui/tokens/index.ts';
import type { ResponsiveImage } from '../../media/index.ts';
import { type Html, html, safeUrl } from '../html.ts';
import { mediaElement } from './media.ts';

export interface Branding {
  storeName: string;
  tagline: string | null;
  logoUrl: string | null;
  /** A logo uploaded through the media pipeline; preferred over `logoUrl`. */
  logo?: ResponsiveImage | undefined;
  /** The product's design tokens with the store's colours, emitted as CSS custom properties. */
  tokens: DesignTokens;
}

const STYLES = `
html{overflow-x:hidden}*{box-sizing:border-box}body{margin:0;overflow-x:hidden;font:16px/1.5 var(--vs-font-family);color:var(--vs-color-text);background:var(--vs-color-surface)}
a{color:var(--vs-color-primary)}header{display:flex;flex-wrap:wrap;gap:1rem;align-items:center;padding:1rem 2rem;background:var(--vs-color-primary);color:#fff}
header a{color:#fff;text-decoration:none}.brand{font-weight:700;font-size:1.25rem;margin-right:auto}.brand img{height:32px;width:auto;vertical-align:middle}.brand picture{display:inline-block}
header form{display:flex;gap:.25rem;min-width:0}header input{min-width:0;width:10rem}input,button,select{font:inherit;padding:.4rem .6rem}button{background:var(--vs-color-accent);color:#fff;border:0;border-radius:4px;cursor:pointer}
main{max-width:72rem;margin:0 auto;padding:2rem}.grid{display:grid;grid-template-columns:repeat(auto-fill,minmax(14rem,1fr));gap:1.5rem;list-style:none;padding:0}
.card{background:var(--vs-color-card);border-radius:var(--vs-radius);padding:1rem;box-shadow:0 1px 3px #0002}.price{color:var(--vs-color-accent);font-weight:600}
#cart-panel{position:fixed;top:0;right:0;width:20rem;height:100%;background:#fff;box-shadow:-2px 0 8px #0003;padding:1rem;transform:translateX(100%);transition:transform .2s}
#cart-panel.open{transform:none}#cart-panel ul{list-style:none;padding:0}
.product-media img,.product-media video,.card img{display:block;max-width:100%;height:auto;border-radius:4px}.product-media{display:grid;gap:1rem;max-width:40rem}
`;

export function layout(branding: Branding, title: string, body: Html, cartScript: string, scripts: readonly string[] = []): Html {
  const logoUrl = safeUrl(branding.logoUrl);
  // The logo is drawn 32 px high; its width follows from the aspect ratio.
  const logo = branding.logo
    ? mediaElement(branding.logo, '', `${Math.ceil((32 * branding.logo.width) / branding.logo.height)}px`, true)
    : logoUrl
      ? html`<img src="${logoUrl}" alt="">`
      : null;
  const tokens = cssVariables(branding.tokens);
  return html`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>${title} · ${branding.storeName}</title>
<style>:root{${tokens}}${STYLES}</style>
<script src="${cartScript}" defer></script>${scripts.map((script) => html`<script src="${script}" defer></script>`)}
</head><body>
<header>
  <a class="brand" href="/">${logo} ${branding.storeName}</a>
  <form action="/search" method="get" role="search"><input type="search" name="q" aria-label="Search products" placeholder="Search"><button>Search</button></form>
  <a href="/cart" data-cart-toggle>Cart (<span data-cart-count>0</span>)</a>
</header>
<main>${body}</main>
<aside id="cart-panel" aria-label="Cart" aria-live="polite"><h2>Your cart</h2><ul data-cart-items></ul><p>Subtotal: <strong data-cart-subtotal></strong></p><a href="/cart">View cart</a></aside>
</body></html>`;
}
