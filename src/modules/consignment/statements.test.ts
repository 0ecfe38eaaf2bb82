import { randomUUID } from 'node:crypto';
import { parse } from 'csv-parse/sync';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { staffSession, storeHost } from '../../../test/support/auth.ts';
import { type TestApp, type Tenant, makeTenant, startTestApp } from '../../../test/support/platform.ts';
import { consignment, consignorLedger } from './index.ts';
import type { EntryKind } from './ledger-schema.ts';

describe('monthly consignor statements', () => {
  let t: TestApp;
  let store: Tenant;
  let other: Tenant;
  let manager: Record<string, string>;
  let outsider: Record<string, string>;
  const api = (who: Record<string, string>, method: 'GET' | 'POST', url: string, payload?: object, tenant = store) =>
    t.app.inject({ method, url: `/admin/api/v1/consignment${url}`, headers: { host: storeHost(tenant), ...who }, ...(payload ? { payload } : {}) });

  const now = new Date();
  const period = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), 1)).toISOString().slice(0, 10);
  const lastMonth = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() - 1, 15));

  beforeAll(async () => {
    t = await startTestApp();
    store = await makeTenant(t.platform.db, 'Statement Store');
    other = await makeTenant(t.platform.db, 'Other Statement Store');
    manager = (await staffSession(t.platform, store.id, 'manager')).headers;
    outsider = (await staffSession(t.platform, other.id, 'owner')).headers;
  });
  afterAll(() => t?.close());

  it('writes the month once per consignor with opening and closing balance, as HTML and CSV, and mails it', async () => {
    const email = `stella-${randomUUID().slice(0, 6)}@example.test`;
    const consignor = await t.platform.db.withTenant(store.id, (trx) => consignment.createConsignor(trx, store.id, { display_name: 'Stella <Vintage>', email }));
    const entry = (kind: EntryKind, amount: number, description: string, occurredAt?: Date) => ({
      tenant_id: store.id,
      consignor_id: consignor.id,
      kind,
      amount_minor: amount,
      currency: 'USD',
      posting_key: randomUUID(),
      description,
      ...(occurredAt ? { occurred_at: occurredAt } : {}),
    });
    await t.platform.db.withTenant(store.id, (trx) =>
      trx
        .insertInto('consignment_ledger_entries')
        .values([
          entry('sale_credit', 5_000, 'Order #1: Coat', lastMonth),
          entry('sale_credit', 3_000, 'Order #2: <script>alert(1)</script>'),
          entry('commission', -1_200, 'Commission on order #2'),
          entry('payout', -2_000, 'Payout (check)'),
        ])
        .execute(),
    );

    const written = await api(manager, 'POST', '/statements', { period });
    expect(written.statusCode, written.body).toBe(200);
    expect(written.json().written).toBeGreaterThanOrEqual(1);
    expect((await api(manager, 'POST', '/statements', { period })).json()).toEqual({ written: 0 });

    const [statement] = (await api(manager, 'GET', `/statements?consignor_id=${consignor.id}`)).json().items;
    expect(statement).toMatchObject({ period, currency: 'USD', opening_minor: 5_000, closing_minor: 4_800, entries: 3 });

    const html = await api(manager, 'GET', `/statements/${statement.id}/html`);
    expect(html.headers['content-type']).toContain('text/html');
    expect(html.body).toContain('Stella &#60;Vintage&#62;');
    expect(html.body).not.toContain('<script>');
    expect(html.body).toMatch(/Opening balance<\/td><td class="amount">50\.00 USD/);
    expect(html.body).toMatch(/Closing balance<\/th><td class="amount">48\.00 USD/);

    const csv = await api(manager, 'GET', `/statements/${statement.id}/csv`);
    expect(csv.headers['content-type']).toContain('text/csv');
    const rows = parse(csv.body) as string[][];
    expect(rows[0]).toEqual(['date', 'type', 'description', 'amount', 'currency']);
    expect(rows.map((row) => [row[1], row[3]])).toEqual([
      ['type', 'amount'],
      ['opening_balance', '50.00'],
      ['sale_credit', '30.00'],
      ['commission', '-12.00'],
      ['payout', '-20.00'],
      ['closing_balance', '48.00'],
    ]);

    await expect.poll(async () => (await t.platform.mail.recent({ to: email })).map((mail) => mail.subject), { timeout: 5_000 }).toEqual([`Your statement for ${period.slice(0, 7)}`]);
    const [mail] = await t.platform.mail.recent({ to: email });
    expect(mail!.body_text).toContain('Opening balance: 50.00 USD');
    expect(mail!.body_text).toContain('Closing balance: 48.00 USD');

    expect((await api(outsider, 'GET', `/statements/${statement.id}/html`, undefined, other)).statusCode).toBe(404);
    expect((await api(outsider, 'GET', '/statements', undefined, other)).json().items).toEqual([]);
    expect((await api(manager, 'POST', '/statements', { period: '2026-13-01' })).statusCode).toBe(400);

    // The consignor's own view (the portal) reaches this consignor's statements only.
    const neighbour = await t.platform.db.withTenant(store.id, (trx) => consignment.createConsignor(trx, store.id, { display_name: 'Neighbour' }));
    const own = await t.platform.db.withTenant(store.id, (trx) => consignorLedger.statementDocument(trx, consignor.id, statement.id, 'csv'));
    expect(own).toBe(csv.body);
    expect(await t.platform.db.withTenant(store.id, (trx) => consignorLedger.statementDocument(trx, neighbour.id, statement.id, 'html'))).toBeUndefined();
    expect(await t.platform.db.withTenant(store.id, (trx) => consignorLedger.statements(trx, neighbour.id, 10))).toEqual([]);
    expect(await t.platform.db.withTenant(store.id, (trx) => consignorLedger.balance(trx, consignor.id))).toMatchObject({ balance_minor: 4_800 });
    expect(await t.platform.db.withTenant(other.id, (trx) => consignorLedger.entries(trx, consignor.id, { limit: 10 }))).toEqual([]);
  });
});
