import { stringify } from 'csv-stringify/sync';
import { sql } from 'kysely';
import type { Tx } from '../../platform/db/database.ts';
import type { EntryKind } from './ledger-schema.ts';
import { formatMoney } from './money-format.ts';

export interface StatementLine {
  occurred_at: Date;
  kind: EntryKind;
  description: string | null;
  amount_minor: number;
}

export interface StatementFigures {
  consignorName: string;
  storeName: string;
  period: string;
  currency: string;
  openingMinor: number;
  closingMinor: number;
  lines: StatementLine[];
}

export interface Statement {
  id: string;
  consignor_id: string;
  period: string;
  currency: string;
  opening_minor: number;
  closing_minor: number;
  entries: number;
  created_at: string;
}

const LABEL: Record<EntryKind, string> = {
  sale_credit: 'Sale',
  commission: 'Commission',
  fee: 'Fee',
  refund_clawback: 'Refund',
  payout: 'Payout',
  adjustment: 'Adjustment',
};

/** First day of the month after `period` (YYYY-MM-01). */
export function nextPeriod(period: string): string {
  const date = new Date(`${period}T00:00:00Z`);
  date.setUTCMonth(date.getUTCMonth() + 1);
  return date.toISOString().slice(0, 10);
}

/** The month before the one `now` is in, as YYYY-MM-01. */
export function previousPeriod(now: Date): string {
  return new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() - 1, 1)).toISOString().slice(0, 10);
}

/** Opening balance (everything before the month), the month's entries, and the closing balance. */
export async function statementFigures(trx: Tx, consignorId: string, currency: string, period: string): Promise<Pick<StatementFigures, 'openingMinor' | 'closingMinor' | 'lines'>> {
  const end = nextPeriod(period);
  const { rows } = await sql<{ opening: string | null }>`
    select sum(amount_minor) as opening from consignment_ledger_entries
     where consignor_id = ${consignorId} and currency = ${currency} and occurred_at < ${period}::date`.execute(trx);
  const lines = await trx
    .selectFrom('consignment_ledger_entries')
    .select(['occurred_at', 'kind', 'description', 'amount_minor'])
    .where('consignor_id', '=', consignorId)
    .where('currency', '=', currency)
    .where('occurred_at', '>=', sql<Date>`${period}::date`)
    .where('occurred_at', '<', sql<Date>`${end}::date`)
    .orderBy('id')
    .execute();
  const openingMinor = Number(rows[0]?.opening ?? 0);
  const parsed = lines.map((line) => ({ ...line, amount_minor: Number(line.amount_minor) }));
  return { openingMinor, closingMinor: parsed.reduce((sum, line) => sum + line.amount_minor, openingMinor), lines: parsed };
}

const escapeHtml = (text: string) => text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

export function statementHtml(figures: StatementFigures): string {
  const money = (minor: number) => escapeHtml(formatMoney(minor, figures.currency));
  const rows = figures.lines
    .map((line) => `<tr><td>${line.occurred_at.toISOString().slice(0, 10)}</td><td>${LABEL[line.kind]}</td><td>${escapeHtml(line.description ?? '')}</td><td class="amount">${money(line.amount_minor)}</td></tr>`)
    .join('');
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Statement ${escapeHtml(figures.period.slice(0, 7))}</title>
<style>body{font-family:system-ui,sans-serif;margin:2rem;color:#1a1a1a}table{border-collapse:collapse;width:100%}th,td{padding:.4rem .6rem;border-bottom:1px solid #ddd;text-align:left}.amount{text-align:right;font-variant-numeric:tabular-nums}</style></head>
<body><h1>${escapeHtml(figures.storeName)}: statement for ${escapeHtml(figures.period.slice(0, 7))}</h1><p>${escapeHtml(figures.consignorName)}</p>
<table><thead><tr><th scope="col">Date</th><th scope="col">Type</th><th scope="col">Description</th><th scope="col" class="amount">Amount</th></tr></thead>
<tbody><tr><td colspan="3">Opening balance</td><td class="amount">${money(figures.openingMinor)}</td></tr>${rows}<tr><th scope="row" colspan="3">Closing balance</th><td class="amount">${money(figures.closingMinor)}</td></tr></tbody></table></body></html>`;
}

export function statementCsv(figures: StatementFigures): string {
  const amount = (minor: number) => (minor / 100).toFixed(2);
  return stringify([
    ['date', 'type', 'description', 'amount', 'currency'],
    [figures.period, 'opening_balance', '', amount(figures.openingMinor), figures.currency],
    ...figures.lines.map((line) => [line.occurred_at.toISOString(), line.kind, line.description ?? '', amount(line.amount_minor), figures.currency]),
    [nextPeriod(figures.period), 'closing_balance', '', amount(figures.closingMinor), figures.currency],
  ]);
}

/** The plain-text mail of a statement (the mail adapter sends text); HTML and CSV are downloadable. */
export function statementText(figures: StatementFigures): string {
  const money = (minor: number) => formatMoney(minor, figures.currency);
  return [
    `Your statement from ${figures.storeName} for ${figures.period.slice(0, 7)}`,
    '',
    `Opening balance: ${money(figures.openingMinor)}`,
    ...figures.lines.map((line) => `${line.occurred_at.toISOString().slice(0, 10)}  ${LABEL[line.kind].padEnd(10)}  ${money(line.amount_minor).padStart(14)}  ${line.description ?? ''}`),
    `Closing balance: ${money(figures.closingMinor)}`,
  ].join('\n');
}

/** Writes the statement once per consignor and month; returns it, or undefined when it existed already. */
export async function saveStatement(trx: Tx, tenantId: string, consignorId: string, figures: StatementFigures): Promise<Statement | undefined> {
  const row = await trx
    .insertInto('consignment_statements')
    .values({
      tenant_id: tenantId,
      consignor_id: consignorId,
      period: figures.period,
      currency: figures.currency,
      opening_minor: figures.openingMinor,
      closing_minor: figures.closingMinor,
      entries: figures.lines.length,
      html: statementHtml(figures),
      csv: statementCsv(figures),
    })
    .onConflict((oc) => oc.columns(['tenant_id', 'consignor_id', 'period']).doNothing())
    .returning(STATEMENT_COLUMNS)
    .executeTakeFirst();
  return row ? toStatement(row) : undefined;
}

const STATEMENT_COLUMNS = ['id', 'consignor_id', sql<string>`period::text`.as('period'), 'currency', 'opening_minor', 'closing_minor', 'entries', 'created_at'] as const;

type StatementRow = { id: string; consignor_id: string; period: string; currency: string; opening_minor: string; closing_minor: string; entries: number; created_at: Date };

const toStatement = (row: StatementRow): Statement => ({ ...row, opening_minor: Number(row.opening_minor), closing_minor: Number(row.closing_minor), created_at: row.created_at.toISOString() });

export async function listStatements(trx: Tx, options: { consignorId?: string | undefined; limit: number }): Promise<Statement[]> {
  let query = trx.selectFrom('consignment_statements').select(STATEMENT_COLUMNS).orderBy('period', 'desc').orderBy('id').limit(options.limit);
  if (options.consignorId) query = query.where('consignor_id', '=', options.consignorId);
  return (await query.execute()).map(toStatement);
}

export async function statementDocument(trx: Tx, id: string, format: 'html' | 'csv'): Promise<string | undefined> {
  const row = await trx.selectFrom('consignment_statements').select([format]).where('id', '=', id).executeTakeFirst();
  return row?.[format as 'html'];
}
