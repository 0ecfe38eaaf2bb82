import { type DesignTokens, cssVariables } from '../../../../ui/tokens/index.ts';
import type { ResponsiveImage } from '../../media/index.ts';
import { Html, html, safeUrl } from '../html.ts';
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
header form{display:flex;gap:.25rem;min-width:0}header input{min-width:0;width:10rem}input,button,select{font:inherit;padding:.4rem .6rem}button{background:var(--vs-color-accent);color:var(--vs-color-on-accent);border:0;border-radius:4px;cursor:pointer}
main{max-width:72rem;margin:0 auto;padding:2rem}.grid{display:grid;grid-template-columns:repeat(auto-fill,minmax(14rem,1fr));gap:1.5rem;list-style:none;padding:0}
.card{background:var(--vs-color-card);border-radius:var(--vs-radius);padding:1rem;box-shadow:0 1px 3px #0002}.price{color:var(--vs-color-accent-text);font-weight:600}a.button{display:inline-block;background:var(--vs-color-accent);color:var(--vs-color-on-accent);padding:.5rem 1rem;border-radius:4px;text-decoration:none}
#cart-panel{position:fixed;top:0;right:0;width:20rem;height:100%;background:#fff;box-shadow:-2px 0 8px #0003;padding:1rem;transform:translateX(100%);transition:transform .2s}
#cart-panel.open{transform:none}#cart-panel ul{list-style:none;padding:0}
.product-media img,.product-media video,.card img{display:block;max-width:100%;height:auto;border-radius:4px}.product-media{display:grid;gap:1rem;max-width:40rem}
.checkout{display:grid;grid-template-columns:minmax(0,2fr) minmax(16rem,1fr);gap:1.5rem;align-items:start}.checkout aside{grid-column:2;grid-row:1 / span 3}
.step label,.narrow label{display:block;margin:.5rem 0}.step input:not([type=radio]),.step select,.narrow input{display:block;width:100%;margin-top:.2rem;border:1px solid #ccc;border-radius:4px}
.row{display:flex;gap:1rem}.row label{flex:1}fieldset{border:0;padding:0}fieldset label{display:block;padding:.4rem 0}
.error{color:#b00020;min-height:1.2em}.hint{color:#555;font-size:.9rem}.total{font-size:1.15rem}.lines{list-style:none;padding:0}.lines li{display:flex;justify-content:space-between;gap:1rem}
.narrow{max-width:24rem}table{border-collapse:collapse;width:100%}td,th{padding:.4rem;text-align:left;border-bottom:1px solid #eee}
button:focus-visible,a:focus-visible,input:focus-visible,select:focus-visible{outline:3px solid var(--vs-color-accent);outline-offset:2px}
[aria-busy=true] button[type=submit]{opacity:.6;cursor:progress}button:disabled{opacity:.6}
@media (max-width:48rem){.checkout{grid-template-columns:1fr}.checkout aside{grid-column:1;grid-row:auto}}
`;

/** What a page shares with every other page of its store: rendered once per branding, not once per page. */
interface Frame {
  /** From the title's end to the page's own scripts: store name, tokens, styles, the cart script. */
  head: string;
  /** From the end of head to the page body: the header with logo, search and cart. */
  header: string;
}
const frames = new WeakMap<Branding, Map<string, Frame>>();

function frameOf(branding: Branding, cartScript: string): Frame {
  let byScript = frames.get(branding);
  if (!byScript) {
    byScript = new Map();
    frames.set(branding, byScript);
  }
  let frame = byScript.get(cartScript);
  if (frame) return frame;
  const logoUrl = safeUrl(branding.logoUrl);
  // The logo is drawn 32 px high; its width follows from the aspect ratio.
  const logo = branding.logo
    ? mediaElement(branding.logo, '', `${Math.ceil((32 * branding.logo.width) / branding.logo.height)}px`, true)
    : logoUrl
      ? html`<img src="${logoUrl}" alt="">`
      : null;
  const tokens = cssVariables(branding.tokens);
  frame = {
    head: html` · ${branding.storeName}</title>
<style>:root{${tokens}}${STYLES}</style>
<script src="${cartScript}" defer></script>`.value,
    header: html`
</head><body>
<header>
  <a class="brand" href="/">${logo} ${branding.storeName}</a>
  <form action="/search" method="get" role="search"><input type="search" name="q" aria-label="Search products" placeholder="Search"><button>Search</button></form>
  <a href="/account">Account</a>
  <a href="/cart" data-cart-toggle>Cart (<span data-cart-count>0</span>)</a>
</header>
<main>`.value,
  };
  byScript.set(cartScript, frame);
  return frame;
}

const PAGE_START = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>`;
const PAGE_END = `</main>
<aside id="cart-panel" aria-label="Cart" aria-live="polite"><h2>Your cart</h2><ul data-cart-items></ul><p>Subtotal: <strong data-cart-subtotal></strong></p><a href="/cart">View cart</a> · <a href="/checkout">Checkout</a></aside>
</body></html>`;

export function layout(branding: Branding, title: string, body: Html, cartScript: string, scripts: readonly string[] = []): Html {
  const frame = frameOf(branding, cartScript);
  const pageScripts = html`${scripts.map((script) => html`<script src="${script}" defer></script>`)}`.value;
  return new Html(`${PAGE_START}${html`${title}`.value}${frame.head}${pageScripts}${frame.header}${body.value}${PAGE_END}`);
}
