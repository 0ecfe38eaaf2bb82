import type { PublicCollection, PublicProduct, PublicProductSummary } from '../../catalog/public-catalog.ts';
import { type Html, formatMoney, html, safeUrl } from '../html.ts';

function productCard(product: PublicProductSummary): Html {
  const image = product.image ? safeUrl(product.image.url) : undefined;
  return html`<li class="card"><a href="/products/${product.handle}">${image ? html`<img src="${image}" alt="${product.image?.alt}" width="200">` : null}<h3>${product.title}</h3></a>
<span class="price">${formatMoney(product.price_minor, product.currency)}</span></li>`;
}

const grid = (products: PublicProductSummary[]) => html`<ul class="grid">${products.map(productCard)}</ul>`;

export function homePage(storeName: string, tagline: string | null, collections: PublicCollection[], products: PublicProductSummary[]): Html {
  return html`<h1>${storeName}</h1>${tagline ? html`<p>${tagline}</p>` : null}
<nav aria-label="Collections">${collections.map((collection) => html`<a href="/collections/${collection.handle}">${collection.title}</a> `)}</nav>
<h2>New arrivals</h2>${grid(products)}`;
}

export function collectionPage(collection: PublicCollection, products: PublicProductSummary[], page: number, hasMore: boolean): Html {
  return html`<h1>${collection.title}</h1><p>${collection.description}</p>${grid(products)}
<nav aria-label="Pages">${page > 1 ? html`<a href="?page=${page - 1}">Previous</a> ` : null}${hasMore ? html`<a href="?page=${page + 1}">Next</a>` : null}</nav>`;
}

export function productPage(product: PublicProduct): Html {
  const purchasable = product.variants.filter((variant) => variant.in_stock);
  const first = product.variants[0];
  return html`<article><h1>${product.title}</h1>
${product.media.map((medium) => (safeUrl(medium.url) ? html`<img src="${safeUrl(medium.url)}" alt="${medium.alt}" width="400">` : null))}
${first ? html`<p class="price">${formatMoney(first.price_minor, first.currency)}</p>` : null}
<p>${product.description}</p>
${
  purchasable.length
    ? html`<form method="post" action="/cart/items" data-add-to-cart>
<input type="hidden" name="_csrf" value="">
<label>Option <select name="variant_id">${purchasable.map((variant) => html`<option value="${variant.id}">${variant.title || 'Default'} · ${formatMoney(variant.price_minor, variant.currency)}</option>`)}</select></label>
<input type="hidden" name="quantity" value="1"><button type="submit">Add to cart</button></form>`
    : html`<p><strong>Sold out</strong></p>`
}</article>`;
}

export function searchPage(query: string, products: PublicProductSummary[]): Html {
  return html`<h1>Search</h1><form action="/search" method="get"><input type="search" name="q" value="${query}" aria-label="Search products"><button>Search</button></form>
${query ? html`<p>${products.length ? `Results for “${query}”` : `Nothing found for “${query}”.`}</p>${grid(products)}` : null}`;
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
