import type { MailMessage } from '../../platform/mail/mail.ts';
import type { Order } from './orders.ts';

const money = (minor: number, currency: string) => {
  const format = new Intl.NumberFormat('en-US', { style: 'currency', currency });
  return format.format(minor / 10 ** (format.resolvedOptions().maximumFractionDigits ?? 2));
};

/** The shopper's order confirmation: what was bought, where it goes, what was paid. Plain text, no tracking. */
export function orderConfirmationMail(order: Order, store: { name: string; origin: string }): MailMessage {
  const lines = order.lines.map((line) => `  ${line.quantity} × ${line.title} (${line.sku})  ${money(line.total_minor, order.currency)}`);
  const address = order.shipping_address;
  const text = [
    `Thank you for your order from ${store.name}.`,
    '',
    `Order #${order.number}, placed ${new Date(order.placed_at).toUTCString()}`,
    '',
    ...lines,
    '',
    `Subtotal  ${money(order.subtotal_minor, order.currency)}`,
    ...(order.discount_minor > 0 ? [`Discount  -${money(order.discount_minor, order.currency)}`] : []),
    `Shipping (${order.shipping_method.name})  ${money(order.shipping_minor, order.currency)}`,
    `Tax${order.prices_include_tax ? ' (included)' : ''}  ${money(order.tax_minor, order.currency)}`,
    `Total  ${money(order.total_minor, order.currency)}`,
    '',
    'Shipping to:',
    `  ${address.name}`,
    `  ${address.line1}`,
    ...(address.line2 ? [`  ${address.line2}`] : []),
    `  ${address.postal_code} ${address.city}${address.region ? `, ${address.region}` : ''}`,
    `  ${address.country}`,
    '',
    `Your orders: ${store.origin}/account`,
  ].join('\n');
  return { to: order.email, subject: `Order #${order.number} confirmed: ${store.name}`, text };
}
