import type { Order, OrderSummary } from '../../checkout/index.ts';
import { type Html, formatMoney, html } from '../html.ts';

const STATUS_LABELS: Record<string, string> = {
  pending: 'Awaiting payment',
  authorised: 'Confirmed',
  paid: 'Paid',
  partially_fulfilled: 'Partly shipped',
  fulfilled: 'Shipped',
  closed: 'Completed',
  cancelled: 'Cancelled',
  partially_refunded: 'Partly refunded',
  refunded: 'Refunded',
};

export function authPage(kind: 'sign-in' | 'register', csrfToken: string, error: string | null, email = ''): Html {
  const register = kind === 'register';
  return html`<h1>${register ? 'Create an account' : 'Sign in'}</h1>
<form method="post" action="/account/${kind}" class="card narrow">
<input type="hidden" name="_csrf" value="${csrfToken}">
${error ? html`<p class="error" role="alert">${error}</p>` : null}
${register ? html`<label>Name<input name="display_name" required maxlength="200" autocomplete="name"></label>` : null}
<label>E-mail<input type="email" name="email" required value="${email}" autocomplete="email"></label>
<label>Password<input type="password" name="password" required minlength="${register ? 12 : 1}" autocomplete="${register ? 'new-password' : 'current-password'}"></label>
<button type="submit">${register ? 'Create account' : 'Sign in'}</button>
</form>
<p>${register ? html`Already have an account? <a href="/account/sign-in">Sign in</a>` : html`New here? <a href="/account/register">Create an account</a>`}</p>`;
}

export function accountPage(orders: OrderSummary[], csrfToken: string): Html {
  return html`<h1>Your account</h1>
<form method="post" action="/account/sign-out"><input type="hidden" name="_csrf" value="${csrfToken}"><button type="submit">Sign out</button></form>
<h2>Order history</h2>
${
  orders.length
    ? html`<table class="orders"><thead><tr><th>Order</th><th>Placed</th><th>Status</th><th>Total</th></tr></thead><tbody>${orders.map(
        (order) =>
          html`<tr><td><a href="/account/orders/${order.number}">#${order.number}</a></td><td>${order.placed_at.slice(0, 10)}</td><td>${STATUS_LABELS[order.status] ?? order.status}</td><td>${formatMoney(order.total_minor, order.currency)}</td></tr>`,
      )}</tbody></table>`
    : html`<p>No orders yet. <a href="/">Start shopping</a>.</p>`
}`;
}

export function accountOrderPage(order: Order): Html {
  const money = (minor: number) => formatMoney(minor, order.currency);
  return html`<p><a href="/account">← Your orders</a></p><h1>Order #${order.number}</h1>
<p>Placed ${order.placed_at.slice(0, 10)} · <strong>${STATUS_LABELS[order.status] ?? order.status}</strong></p>
<section class="card"><table><thead><tr><th>Item</th><th>Qty</th><th>Shipped</th><th>Total</th></tr></thead><tbody>${order.lines.map(
    (line) => html`<tr><td>${line.title}</td><td>${line.quantity}</td><td>${line.fulfilled_quantity}</td><td>${money(line.total_minor)}</td></tr>`,
  )}</tbody></table>
<p>Shipping (${order.shipping_method.name}): ${money(order.shipping_minor)}</p><p>Tax: ${money(order.tax_minor)}</p>
<p class="total">Total: <strong>${money(order.total_minor)}</strong>${order.refunded_minor > 0 ? html` · refunded ${money(order.refunded_minor)}` : null}</p></section>`;
}
