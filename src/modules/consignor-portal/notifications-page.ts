import type { ConsignorNotification } from '../consignment/index.ts';
import { type Html, html } from '../storefront/index.ts';
import { formatDate } from './shell.ts';

export function notificationsPage(notifications: readonly ConsignorNotification[]): Html {
  if (notifications.length === 0) return html`<h1>Notifications</h1><p class="card empty">No notifications yet. Sales, payouts and items nearing the end of their period are announced here and by e-mail.</p>`;
  return html`<h1>Notifications</h1><ul class="notifications">${notifications.map(
    (notice) => html`<li class="card"><details><summary><strong>${notice.subject}</strong> <span class="hint">${formatDate(notice.created_at)}</span></summary><p class="notice-body">${notice.body}</p></details></li>`,
  )}</ul>`;
}
