import type { ConsignorPayout, ConsignorSale, ConsignorStatement } from '../consignment/index.ts';
import { formatMoney, type Html, html } from '../storefront/index.ts';
import { formatDate, tableOrEmpty } from './shell.ts';

export interface BalanceFigures {
  currency: string;
  balance_minor: number;
  payable_minor: number;
  pending_minor: number;
}

export function balanceCards(balance: BalanceFigures): Html {
  const money = (minor: number) => formatMoney(minor, balance.currency);
  return html`<section aria-labelledby="balance-heading"><h2 id="balance-heading">Balance</h2><div class="figures">
<div class="card"><p>Payable now</p><p class="figure" data-figure="payable">${money(balance.payable_minor)}</p><p class="hint">Paid out in the store's next payout run.</p></div>
<div class="card"><p>Pending</p><p class="figure" data-figure="pending">${money(balance.pending_minor)}</p><p class="hint">Recent sales, payable once the return window has passed.</p></div>
<div class="card"><p>Total balance</p><p class="figure" data-figure="balance">${money(balance.balance_minor)}</p></div>
</div></section>`;
}

const salesHead = html`<tr><th scope="col">Sold</th><th scope="col">Item</th><th scope="col" class="amount">Price</th><th scope="col" class="amount">Commission</th><th scope="col" class="amount">Refunded</th><th scope="col" class="amount">You earn</th><th scope="col">Payable from</th></tr>`;

const saleRow = (sale: ConsignorSale) => {
  const money = (minor: number) => formatMoney(minor, sale.currency);
  return html`<tr><td>${formatDate(sale.sold_at)}</td><td>${sale.description}</td><td class="amount">${money(sale.sale_minor)}</td><td class="amount">${money(sale.commission_minor)}</td><td class="amount">${sale.refunded_minor ? money(sale.refunded_minor) : '—'}</td><td class="amount"><strong>${money(sale.net_minor)}</strong></td><td>${formatDate(sale.payable_at)}</td></tr>`;
};

const salesTable = (sales: readonly ConsignorSale[]) => tableOrEmpty(sales, 'No sales yet. When one of your items sells, it shows here.', 'Your sales, newest first', salesHead, saleRow);

export function overviewPage(balance: BalanceFigures, recentSales: readonly ConsignorSale[], itemsOnFloor: number): Html {
  return html`<h1>Your consignments</h1>
${balanceCards(balance)}
<p>You have <strong data-figure="on-floor">${itemsOnFloor}</strong> ${itemsOnFloor === 1 ? 'item' : 'items'} on the floor. <a href="/consignor/items">See your items</a></p>
<section aria-labelledby="recent-heading"><h2 id="recent-heading">Recent sales</h2>${salesTable(recentSales)}
${recentSales.length ? html`<p><a href="/consignor/sales">All sales</a></p>` : null}</section>`;
}

export const salesPage = (sales: readonly ConsignorSale[]) => html`<h1>Sales</h1>${salesTable(sales)}`;

const PAYOUT_STATUS: Record<ConsignorPayout['status'], string> = {
  proposed: 'Awaiting approval',
  sending: 'Sending',
  sent: 'Sent',
  awaiting_handover: 'Ready to collect',
  paid: 'Paid',
  failed: 'Failed, will be retried',
  reversed: 'Reversed',
  cancelled: 'Cancelled',
};
const PAYOUT_METHOD: Record<ConsignorPayout['method'], string> = {
  stripe_connect: 'Bank transfer',
  test: 'Bank transfer (test)',
  check: 'Check',
  cash: 'Cash',
  store_credit: 'Store credit',
};

export function payoutsPage(payouts: readonly ConsignorPayout[]): Html {
  return html`<h1>Payouts</h1>${tableOrEmpty(
    payouts,
    'No payouts yet. Once sales are payable, the store pays them out in its next payout run.',
    'Your payouts, newest first',
    html`<tr><th scope="col">Created</th><th scope="col">Method</th><th scope="col" class="amount">Amount</th><th scope="col">Status</th><th scope="col">Paid</th><th scope="col">Reference</th></tr>`,
    (payout) => {
      const money = (minor: number) => formatMoney(minor, payout.currency);
      return html`<tr><td>${formatDate(payout.created_at)}</td><td>${PAYOUT_METHOD[payout.method]}</td><td class="amount">${money(payout.amount_minor)}${payout.bonus_minor ? html` <span class="hint">+ ${money(payout.bonus_minor)} bonus</span>` : null}</td><td><span class="status">${PAYOUT_STATUS[payout.status]}</span></td><td>${payout.paid_at ? formatDate(payout.paid_at) : '—'}</td><td>${payout.reference ?? '—'}</td></tr>`;
    },
  )}`;
}

const MONTH = new Intl.DateTimeFormat('en-US', { month: 'long', year: 'numeric', timeZone: 'UTC' });
export const monthOf = (period: string) => MONTH.format(new Date(`${period}T00:00:00Z`));

export function statementsPage(statements: readonly ConsignorStatement[]): Html {
  return html`<h1>Statements</h1>${tableOrEmpty(
    statements,
    'No statements yet. The store writes one at the end of each month you have activity.',
    'Monthly statements, newest first',
    html`<tr><th scope="col">Month</th><th scope="col" class="amount">Opening balance</th><th scope="col" class="amount">Closing balance</th><th scope="col" class="amount">Entries</th><th scope="col">Download</th></tr>`,
    (statement) => {
      const money = (minor: number) => formatMoney(minor, statement.currency);
      const month = monthOf(statement.period);
      return html`<tr><td>${month}</td><td class="amount">${money(statement.opening_minor)}</td><td class="amount">${money(statement.closing_minor)}</td><td class="amount">${statement.entries}</td><td><a href="/consignor/statements/${statement.id}/html" aria-label="${month} statement as HTML">HTML</a> · <a href="/consignor/statements/${statement.id}/csv" aria-label="${month} statement as CSV">CSV</a></td></tr>`;
    },
  )}`;
}
