import type { PublicCollection, PublicProduct, PublicProductSummary, SearchResults } from '../../catalog/index.ts';
import type { MediaView } from '../../media/index.ts';
import { type Html, formatMoney, html, safeUrl } from '../html.ts';
import { mediaElement } from './media.ts';

/** Ready media assets of the products on a page, by asset id. */
export type MediaViews = ReadonlyMap<string, MediaView>;
const NO_MEDIA: MediaViews = new Map();

/** A product's picture is at most 40rem wide, the full width of a phone. */
const PRODUCT_SIZES = '(max-width: 40rem) 100vw, 40rem';
const CARD_SIZES = '(max-width: 36rem) 100vw, 14rem';

function productCard(product: PublicProductSummary, views: MediaViews): Html {
  const image = product.image?.url ? safeUrl(product.image.url) : undefined;
  const view = product.image?.asset_id ? views.get(product.image.asset_id) : undefined;
  const picture = view?.kind === 'image' ? mediaElement(view, product.image?.alt ?? '', CARD_SIZES) : image ? html`<img src="${image}" alt="${product.image?.alt}" width="200">` : null;
  return html`<li class="card"><a href="/products/${product.handle}">${picture}<h3>${product.title}</h3></a>
<span class="price">${formatMoney(product.price_minor, product.currency)}</span></li>`;
}

const grid = (products: PublicProductSummary[], views: MediaViews = NO_MEDIA) => html`<ul class="grid">${products.map((product) => productCard(product, views))}</ul>`;

export function homePage(storeName: string, tagline: string | null, collections: PublicCollection[], products: PublicProductSummary[], views: MediaViews = NO_MEDIA): Html {
  return html`<h1>${storeName}</h1>${tagline ? html`<p>${tagline}</p>` : null}
<nav aria-label="Collections">${collections.map((collection) => html`<a href="/collections/${collection.handle}">${collection.title}</a> `)}</nav>
<h2>New arrivals</h2>${grid(products, views)}`;
}

export function collectionPage(collection: PublicCollection, products: PublicProductSummary[], cursors: { next?: string; previous?: string }): Html {
  return html`<h1>${collection.title}</h1><p>${collection.description}</p>${grid(products)}
<nav aria-label="Pages">${cursors.previous ? html`<a href="?before=${cursors.previous}" rel="prev">Previous</a> ` : null}${cursors.next ? html`<a href="?after=${cursors.next}" rel="next">Next</a>` : null}</nav>`;
}

function productMedium(medium: PublicProduct['media'][number], views: MediaViews, index: number): Html | null {
  if (medium.asset_id) {
    const view = views.get(medium.asset_id);
    return view ? mediaElement(view, medium.alt, PRODUCT_SIZES, index === 0) : null;
  }
  const url = safeUrl(medium.url);
  return url ? html`<img src="${url}" alt="${medium.alt}" width="400">` : null;
}

/** A product with one variant and no options has nothing to choose: its variant goes with the form unseen. */
function variantChoice(product: PublicProduct, purchasable: PublicProduct['variants']): Html {
  const [only] = product.variants;
  if (product.variants.length === 1 && only && Object.keys(only.options).length === 0) return html`<input type="hidden" name="variant_id" value="${only.id}">`;
  return html`<label>Option <select name="variant_id">${purchasable.map((variant) => html`<option value="${variant.id}">${variant.title || 'Default'} · ${formatMoney(variant.price_minor, variant.currency)}</option>`)}</select></label>`;
}

export function productPage(product: PublicProduct, views: MediaViews = NO_MEDIA): Html {
  const purchasable = product.variants.filter((variant) => variant.in_stock);
  const first = product.variants[0];
  return html`<article><h1>${product.title}</h1>
<div class="product-media">${product.media.map((medium, index) => productMedium(medium, views, index))}</div>
${first ? html`<p class="price">${formatMoney(first.price_minor, first.currency)}</p>` : null}
<p>${product.description}</p>
${
  purchasable.length
    ? html`<form method="post" action="/cart/items" data-add-to-cart>
<input type="hidden" name="_csrf" value="">
${variantChoice(product, purchasable)}
<input type="hidden" name="quantity" value="1"><button type="submit">Add to cart</button></form>`
    : html`<p><strong>Sold out</strong></p>`
}</article>`;
}

/** What the results are: all the matches, the best of them, or the best of the first ones the search ranks. */
function searchSummary(query: string, { products, matches, bounded }: SearchResults): string {
  if (!matches) return `Nothing found for “${query}”.`;
  if (bounded) return `Results for “${query}”: the ${products.length} best of the first ${matches} matches. Add a word to narrow the search.`;
  if (matches > products.length) return `Results for “${query}”: the ${products.length} best of ${matches} matches.`;
  return `Results for “${query}”: ${matches === 1 ? '1 match' : `${matches} matches`}.`;
}

export function searchPage(query: string, results: SearchResults | undefined): Html {
  return html`<h1>Search</h1><form action="/search" method="get"><input type="search" name="q" value="${query}" aria-label="Search products"><button>Search</button></form>
${query && results ? html`<p>${searchSummary(query, results)}</p>${grid(results.products)}` : null}`;
}

export interface CartView {
  lines: { product_handle: string; product_title: string; title: string; quantity: number; line_total: string }[];
  subtotal: string;
  csrfToken: string;
}

export function cartPage(cart: CartView): Html {
  return html`<h1>Your cart</h1>${
    cart.lines.length
      ? html`<table><tbody>${cart.lines.map(
          (line) => html`<tr><td><a href="/products/${line.product_handle}">${line.product_title}</a> ${line.title}</td><td>× ${line.quantity}</td><td>${line.line_total}</td></tr>`,
        )}</tbody></table><p>Subtotal: <strong>${cart.subtotal}</strong></p>
<p><a href="/checkout" class="button">Check out</a></p>
<form method="post" action="/cart/clear"><input type="hidden" name="_csrf" value="${cart.csrfToken}"><button type="submit">Empty cart</button></form>`
      : html`<p>Your cart is empty.</p>`
  }`;
}
