import type { ConsignorItem } from '../consignment/index.ts';
import { formatMoney, type Html, html } from '../storefront/index.ts';
import { formatDate, tableOrEmpty } from './shell.ts';

const STATUS: Record<ConsignorItem['status'], string> = {
  pending: 'Waiting for intake',
  on_floor: 'On the floor',
  sold: 'Sold',
  returned: 'Returned to you',
  donated: 'Donated',
  store_stock: 'Became store stock',
};

const DAY = 86_400_000;

/** Whole days until the consignment period ends, for items still on the floor. */
function daysLeft(item: ConsignorItem, now: number): Html | string {
  if (item.status !== 'on_floor' || !item.expires_at) return '—';
  const days = Math.ceil((new Date(item.expires_at).getTime() - now) / DAY);
  return days > 0 ? `${days} ${days === 1 ? 'day' : 'days'}` : html`<strong>Period ended</strong>`;
}

function history(item: ConsignorItem): Html {
  if (item.price_history.length <= 1) return html`<span class="hint">No markdowns</span>`;
  return html`<details><summary>${item.price_history.length - 1} ${item.price_history.length === 2 ? 'markdown' : 'markdowns'}</summary><ol>${item.price_history.map(
    (step) => html`<li>${formatMoney(step.price_minor, item.currency)} · ${step.reason === 'intake' ? 'at intake' : `markdown ${step.markdown_step}`} · ${formatDate(step.at)}</li>`,
  )}</ol></details>`;
}

export function itemsPage(items: readonly ConsignorItem[], now = Date.now()): Html {
  return html`<h1>Items</h1>${tableOrEmpty(
    items,
    'No items yet. Items appear here once the store takes them in; you can also propose items for the store to accept.',
    'Your items: status, price, days on the floor and days left in the consignment period',
    html`<tr><th scope="col">Item</th><th scope="col">Tag</th><th scope="col">Status</th><th scope="col" class="amount">Price now</th><th scope="col" class="amount">Days on floor</th><th scope="col">Days left</th><th scope="col">Price history</th></tr>`,
    (item) =>
      html`<tr><td>${item.title}</td><td class="tag">${item.sku ?? '—'}</td><td><span class="status">${STATUS[item.status]}</span></td><td class="amount">${formatMoney(item.price_minor, item.currency)}</td><td class="amount">${item.days_on_floor ?? '—'}</td><td>${daysLeft(item, now)}</td><td>${history(item)}</td></tr>`,
  )}`;
}
