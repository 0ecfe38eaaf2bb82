import { type Html, html } from '../storefront/index.ts';

export const STYLES = html`<style>header button{background:#fff;color:var(--vs-color-primary)}.portal nav{display:flex;gap:1rem;flex-wrap:wrap;margin:0 0 1.5rem;padding-bottom:.5rem;border-bottom:1px solid #ddd}.portal nav a[aria-current=page]{font-weight:700;text-decoration:none;color:var(--vs-color-text)}.portal .who{display:flex;gap:1rem;align-items:center;justify-content:space-between;flex-wrap:wrap}.portal .figures{display:flex;gap:1rem;flex-wrap:wrap;margin:1rem 0}.portal .figures .card{min-width:12rem}.portal .figure{font-size:1.5rem;font-weight:700;margin:.25rem 0}.portal td.amount,.portal th.amount{text-align:right;font-variant-numeric:tabular-nums}.portal .empty{padding:1.5rem;text-align:center;color:#444}.portal .status{display:inline-block;padding:0 .5rem;border-radius:1rem;background:#eee;font-size:.875rem;white-space:nowrap}.portal .tag{white-space:nowrap}.portal .table-wrap{overflow-x:auto}.portal details summary{cursor:pointer}.portal .proposal-items label{display:block;margin:.25rem 0}.portal .proposal-items input,.portal .proposal-items textarea{display:block;width:100%;border:1px solid #767676;border-radius:4px}.portal .proposal-items [aria-invalid=true]{border:2px solid #b00020}.portal fieldset{border:1px solid #ddd;border-radius:var(--vs-radius);padding:1rem;margin:0 0 1rem}.portal legend{font-weight:600;padding:0 .25rem}.portal .item-row{display:grid;background:var(--vs-color-card,#fff);grid-template-columns:minmax(0,2fr) minmax(7rem,1fr) minmax(0,3fr);gap:0 1rem;align-items:start;padding:.25rem 1rem .75rem;margin:0 0 .5rem}.portal .item-row legend{font-size:.875rem}.portal .item-row label{font-size:.875rem;color:#444}.portal .item-row .error{display:block;font-size:.875rem}.portal .item-row+.field{margin-top:1rem}@media (max-width:40rem){.portal .item-row{grid-template-columns:minmax(0,1fr)}}.portal .notifications{list-style:none;padding:0;display:grid;gap:.5rem}.portal .notice-body{white-space:pre-line}</style>`;

export const SECTIONS = [
  ['overview', '/consignor', 'Overview'],
  ['items', '/consignor/items', 'Items'],
  ['sales', '/consignor/sales', 'Sales'],
  ['payouts', '/consignor/payouts', 'Payouts'],
  ['statements', '/consignor/statements', 'Statements'],
  ['notifications', '/consignor/notifications', 'Notifications'],
  ['proposals', '/consignor/proposals', 'Propose items'],
] as const;
export type Section = (typeof SECTIONS)[number][0];

/** Every signed-in portal page: who is signed in, sign-out, and the portal's own navigation. */
export function portalShell(section: Section, csrf: string, consignorName: string, body: Html): Html {
  return html`${STYLES}<div class="portal">
<div class="who"><p>Signed in as <strong>${consignorName}</strong></p>
<form method="post" action="/consignor/sign-out"><input type="hidden" name="_csrf" value="${csrf}"><button type="submit">Sign out</button></form></div>
<nav aria-label="Consignor portal">${SECTIONS.map(([key, href, label]) => html`<a href="${href}"${key === section ? html` aria-current="page"` : null}>${label}</a>`)}</nav>
${body}</div>`;
}

const DATE = new Intl.DateTimeFormat('en-US', { dateStyle: 'medium', timeZone: 'UTC' });
export const formatDate = (iso: string) => DATE.format(new Date(iso));

/** A table, or the sentence that says there is nothing to show yet. */
export function tableOrEmpty<T>(rows: readonly T[], empty: string, caption: string, head: Html, row: (item: T) => Html): Html {
  if (rows.length === 0) return html`<p class="card empty">${empty}</p>`;
  return html`<div class="table-wrap"><table><caption class="hint">${caption}</caption><thead>${head}</thead><tbody>${rows.map(row)}</tbody></table></div>`;
}
