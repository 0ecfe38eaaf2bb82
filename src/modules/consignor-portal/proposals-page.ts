import type { ConsignorProposal } from '../consignment/index.ts';
import { formatMoney, type Html, html } from '../storefront/index.ts';
import { formatDate, tableOrEmpty } from './shell.ts';

export const PROPOSAL_ROWS = 5;
export type ProposalForm = Partial<Record<string, string>>;
export type ProposalErrors = Record<string, string>;

const STATUS: Record<ConsignorProposal['status'], string> = { draft: 'Being entered', proposed: 'Waiting for the store', accepted: 'Accepted', rejected: 'Declined' };

function field(name: string, label: string, form: ProposalForm, errors: ProposalErrors, attributes: Html): Html {
  const error = errors[name];
  return html`<div class="field"><label>${label}<input name="${name}" id="${name}" value="${form[name] ?? ''}" ${attributes}${error ? html` aria-invalid="true" aria-describedby="${name}-error"` : null}></label>${error ? html`<span class="error" id="${name}-error">${error}</span>` : null}</div>`;
}

/** One item as one compact row (title, price, description), in the order the keyboard visits them. */
function itemRow(index: number, form: ProposalForm, errors: ProposalErrors): Html {
  return html`<fieldset class="item-row"><legend>Item ${index + 1}</legend>
${field(`title_${index}`, 'Title', form, errors, html`maxlength="300" autocomplete="off"`)}
${field(`price_${index}`, 'Asking price', form, errors, html`inputmode="decimal" pattern="[0-9]{1,7}([.][0-9]{1,2})?" autocomplete="off"`)}
${field(`description_${index}`, 'Description (optional)', form, errors, html`maxlength="2000" autocomplete="off"`)}
</fieldset>`;
}

export function proposalsPage(proposals: readonly ConsignorProposal[], csrf: string, currency: string, form: ProposalForm = {}, errors: ProposalErrors = {}, sent = false): Html {
  const summary = Object.keys(errors).length > 0;
  return html`<h1>Propose items</h1>
${sent ? html`<p class="card" role="status">Thank you: the store received your proposal and will review it.</p>` : null}
<section aria-labelledby="new-proposal"><h2 id="new-proposal">New proposal</h2>
<p class="hint">List the items you would like to bring; the store reviews them and, once they accept, they go on the floor with the prices agreed. Prices in ${currency}; fill in as many items as you have (up to ${PROPOSAL_ROWS}).</p>
${summary ? html`<p class="error" role="alert">Some items need attention: see the messages beside them.</p>` : null}
<form method="post" action="/consignor/proposals" class="proposal-items" novalidate>
<input type="hidden" name="_csrf" value="${csrf}">
${Array.from({ length: PROPOSAL_ROWS }, (_, index) => itemRow(index, form, errors))}
${field('note', 'Note for the store (optional)', form, errors, html`maxlength="2000" autocomplete="off"`)}
<p><button type="submit">Send proposal</button></p>
</form></section>
<section aria-labelledby="sent-proposals"><h2 id="sent-proposals">Your proposals</h2>${tableOrEmpty(
    proposals,
    'No proposals yet.',
    'Proposals you sent, newest first',
    html`<tr><th scope="col">Sent</th><th scope="col" class="amount">Items</th><th scope="col" class="amount">Asking total</th><th scope="col">Status</th></tr>`,
    (proposal) =>
      html`<tr><td>${formatDate(proposal.created_at)}</td><td class="amount">${proposal.items}</td><td class="amount">${formatMoney(proposal.total_minor, proposal.currency)}</td><td><span class="status">${STATUS[proposal.status]}</span></td></tr>`,
  )}</section>`;
}

export interface ProposedItem {
  title: string;
  price_minor: number;
  description?: string;
}

/** The filled-in rows as items, or the message for each field that is wrong. A row left blank is skipped. */
export function readProposal(form: ProposalForm): { items: ProposedItem[]; errors: ProposalErrors } {
  const items: ProposedItem[] = [];
  const errors: ProposalErrors = {};
  for (let index = 0; index < PROPOSAL_ROWS; index++) {
    const title = (form[`title_${index}`] ?? '').trim();
    const price = (form[`price_${index}`] ?? '').trim();
    const description = (form[`description_${index}`] ?? '').trim();
    if (!title && !price && !description) continue;
    if (!title) errors[`title_${index}`] = 'Give the item a title.';
    const match = /^(\d{1,7})(?:\.(\d{1,2}))?$/.exec(price);
    const minor = match ? Number(match[1]) * 100 + Number((match[2] ?? '').padEnd(2, '0')) : 0;
    if (!(minor > 0)) errors[`price_${index}`] = 'Enter a price such as 45 or 45.50.';
    if (title && minor > 0) items.push({ title, price_minor: minor, ...(description ? { description } : {}) });
  }
  if (items.length === 0 && Object.keys(errors).length === 0) errors.title_0 = 'Enter at least one item.';
  return { items, errors };
}
