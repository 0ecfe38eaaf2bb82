import type { Order } from '../../checkout/index.ts';
import type { CartView } from '../cart.ts';
import { type Html, formatMoney, html } from '../html.ts';

export interface CheckoutPageView {
  cart: CartView;
  csrfToken: string;
  payment: { provider: 'test' | 'stripe'; publishable_key: string | null };
  script: string;
}

function summary(cart: CartView): Html {
  return html`<aside class="card" aria-label="Order summary"><h2>Summary</h2><ul class="lines">${cart.lines.map(
    (line) => html`<li>${line.product_title} ${line.title} × ${line.quantity}<span>${line.line_total}</span></li>`,
  )}</ul><p>Subtotal <strong>${cart.subtotal}</strong></p><p>Shipping <strong data-shipping>—</strong></p><p>Tax <strong data-tax>—</strong></p>
<p class="total">Total <strong data-total>—</strong></p></aside>`;
}

const field = (name: string, label: string, attributes: Html = html``) =>
  html`<label>${label}<input name="${name}" ${attributes}></label>`;

/**
 * One page, three steps shown in turn by checkout.js (contact and address → shipping → payment); without the
 * script the page says so, since paying needs the provider's card form.
 */
export function checkoutPage(view: CheckoutPageView): Html {
  if (view.cart.lines.length === 0) return html`<h1>Checkout</h1><p>Your cart is empty. <a href="/">Continue shopping</a>.</p>`;
  const stripe = view.payment.provider === 'stripe';
  return html`<h1>Checkout</h1>
<div class="checkout" data-checkout data-currency="${view.cart.currency}" data-provider="${view.payment.provider}" data-publishable-key="${view.payment.publishable_key ?? ''}">
<form data-step="address" class="card step" novalidate>
  <h2>1. Contact and address</h2>
  <input type="hidden" name="_csrf" value="${view.csrfToken}">
  ${field('email', 'E-mail', html`type="email" required autocomplete="email"`)}
  ${field('name', 'Full name', html`required autocomplete="name"`)}
  ${field('line1', 'Address', html`required autocomplete="address-line1"`)}
  ${field('line2', 'Apartment, suite (optional)', html`autocomplete="address-line2"`)}
  ${field('city', 'City', html`required autocomplete="address-level2"`)}
  ${field('region', 'State / region', html`autocomplete="address-level1"`)}
  ${field('postal_code', 'Postal code', html`required autocomplete="postal-code"`)}
  <label>Country <select name="country" autocomplete="country">${['US', 'CA', 'GB', 'DE', 'FR', 'NL', 'IE', 'AU', 'NZ', 'JP'].map((code) => html`<option>${code}</option>`)}</select></label>
  <p class="error" role="alert" data-error></p>
  <button type="submit">Continue to shipping</button>
</form>
<form data-step="shipping" class="card step" hidden>
  <h2>2. Shipping</h2>
  <fieldset><legend>Shipping method</legend><div data-rates><p>Loading rates…</p></div></fieldset>
  <p class="error" role="alert" data-error></p>
  <button type="button" data-back>Back</button> <button type="submit">Continue to payment</button>
</form>
<form data-step="payment" class="card step" hidden>
  <h2>3. Payment</h2>
  ${
    stripe
      ? html`<div data-stripe-card class="card-field"></div>`
      : html`<p class="hint">Test mode: use 4242 4242 4242 4242 (approved) or 4000 0000 0000 0002 (declined), any future date and CVC.</p>
  ${field('card_number', 'Card number', html`inputmode="numeric" autocomplete="off" required`)}
  <div class="row">${field('card_expiry', 'Expiry (MM/YY)', html`autocomplete="off" required`)}${field('card_cvc', 'CVC', html`inputmode="numeric" autocomplete="off" required`)}</div>`
  }
  <p class="error" role="alert" data-error></p>
  <button type="button" data-back>Back</button> <button type="submit" data-pay>Pay <span data-total>—</span></button>
</form>
${summary(view.cart)}
</div>
<noscript><p class="error">Paying needs JavaScript for the card form.</p></noscript>
${stripe ? html`<script src="https://js.stripe.com/v3/"></script>` : null}
<script src="${view.script}" defer></script>`;
}

export function confirmationPage(order: Order): Html {
  const money = (minor: number) => formatMoney(minor, order.currency);
  const paid = order.status === 'paid' || order.status === 'authorised';
  return html`<h1>Thank you!</h1>
<p data-order-number>Order <strong>#${order.number}</strong> is ${paid ? 'confirmed' : order.status}. A confirmation goes to ${order.email}.</p>
<section class="card"><h2>Order #${order.number}</h2>
<table><tbody>${order.lines.map((line) => html`<tr><td>${line.title}</td><td>× ${line.quantity}</td><td>${money(line.total_minor)}</td></tr>`)}</tbody></table>
<p>Shipping (${order.shipping_method.name}): ${money(order.shipping_minor)}</p>
<p>Tax: ${money(order.tax_minor)}${order.prices_include_tax ? ' (included)' : ''}</p>
<p class="total">Total: <strong>${money(order.total_minor)}</strong></p>
<p>Ships to: ${order.shipping_address.name}, ${order.shipping_address.line1}, ${order.shipping_address.city} ${order.shipping_address.postal_code}, ${order.shipping_address.country}</p>
</section><p><a href="/">Continue shopping</a> · <a href="/account">Your account</a></p>`;
}
