import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { staffSession, storeHost } from '../../../test/support/auth.ts';
import { type TestApp, type Tenant, makeTenant, ownerClient, startTestApp } from '../../../test/support/platform.ts';
import type { Order } from '../checkout/index.ts';
import { consignment } from './index.ts';
import { marketplaceOf, proposeRuns } from './ledger-jobs.ts';
import { balanceOf } from './ledger.ts';
import type { TestMarketplaceProvider } from './marketplace.ts';
import { creditPaidOrder } from './sales.ts';

const DAY_MS = 86_400_000;

function oneLineOrder(totalMinor: number): Order {
  return {
    id: randomUUID(),
    number: 7,
    customer_id: null,
    email: 'shopper@example.test',
    status: 'paid',
    currency: 'USD',
    prices_include_tax: false,
    subtotal_minor: totalMinor,
    discount_minor: 0,
    shipping_minor: 0,
    tax_minor: 0,
    total_minor: totalMinor,
    refunded_minor: 0,
    shipping_address: { name: 'A', line1: '1 Main', city: 'X', postal_code: '1', country: 'US' },
    shipping_method: { id: 'standard', name: 'Standard', amount_minor: 0 },
    placed_at: new Date().toISOString(),
    lines: [{ id: randomUUID(), variant_id: randomUUID(), sku: 'SKU', title: 'Wool coat', quantity: 1, unit_price_minor: totalMinor, discount_minor: 0, tax_minor: 0, total_minor: totalMinor, fulfilled_quantity: 0, refunded_quantity: 0 }],
  };
}

describe('consignor payouts with the embedded test provider', () => {
  let t: TestApp;
  let store: Tenant;
  let other: Tenant;
  let manager: Record<string, string>;
  let approver: Record<string, string>;
  let clerk: Record<string, string>;
  let outsider: Record<string, string>;

  const api = (who: Record<string, string>, method: 'GET' | 'POST' | 'PUT', url: string, payload?: object, tenant = store) =>
    t.app.inject({ method, url: `/admin/api/v1/consignment${url}`, headers: { host: storeHost(tenant), ...who }, ...(payload ? { payload } : {}) });
  const consignorWith = async (input: Parameters<typeof consignment.createConsignor>[2], soldMinor: number, shareMinor: number) => {
    const consignor = await t.platform.db.withTenant(store.id, (trx) => consignment.createConsignor(trx, store.id, input));
    const order = oneLineOrder(soldMinor);
    await t.platform.db.withTenant(store.id, (trx) =>
      creditPaidOrder(trx, store.id, order, [{ orderLineId: order.lines[0]!.id, consignorId: consignor.id, title: 'Wool coat', saleMinor: soldMinor, consignorMinor: shareMinor, rule: 'store default 60%' }], new Date(Date.now() - 20 * DAY_MS), 14),
    );
    return consignor;
  };
  const balance = (consignorId: string) => t.platform.db.withTenant(store.id, (trx) => balanceOf(trx, consignorId, 'USD'));
  const settled = async (runId: string) => {
    for (let i = 0; i < 150; i++) {
      const detail = (await api(manager, 'GET', `/payout-runs/${runId}`)).json();
      if (!['approved', 'processing'].includes(detail.run.status)) return detail;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    throw new Error('the run did not close');
  };
  const closeOpenRuns = () => t.platform.db.withTenant(store.id, (trx) => sql`update consignment_payout_runs set status = 'rejected' where status in ('awaiting_approval', 'approved', 'processing')`.execute(trx));

  beforeAll(async () => {
    t = await startTestApp();
    store = await makeTenant(t.platform.db, 'Payout Store');
    other = await makeTenant(t.platform.db, 'Other Payout Store');
    manager = (await staffSession(t.platform, store.id, 'manager')).headers;
    approver = (await staffSession(t.platform, store.id, 'admin')).headers;
    clerk = (await staffSession(t.platform, store.id, 'staff')).headers;
    outsider = (await staffSession(t.platform, other.id, 'owner')).headers;
  });
  afterAll(() => t?.close());

  it('proposes a run, has it approved by someone else with a ticket, and pays each consignor by their method', async () => {
    const byCheck = await consignorWith({ display_name: 'Check Person', email: 'check@example.test', payout_method: 'check' }, 10_000, 6_000);
    const byCredit = await consignorWith({ display_name: 'Credit Person', payout_method: 'store_credit', store_credit_bonus_percent: 10 }, 5_000, 3_000);
    const byConnect = await consignorWith({ display_name: 'Connect Person', email: 'connect@example.test', payout_method: 'stripe_connect' }, 20_000, 12_000);
    const onboarding = await api(manager, 'POST', `/consignors/${byConnect.id}/payout-onboarding`, { return_url: 'https://shop.example/back', refresh_url: 'https://shop.example/again' });
    expect(onboarding.statusCode, onboarding.body).toBe(201);
    expect(onboarding.json().account_id).toMatch(/^acct_test/);

    expect((await api(clerk, 'POST', '/payout-runs', {})).statusCode).toBe(403);
    const proposed = await api(manager, 'POST', '/payout-runs', {}, store);
    expect(proposed.statusCode, proposed.body).toBe(201);
    const run = proposed.json();
    expect(run).toMatchObject({ status: 'awaiting_approval', origin: 'on_demand', payouts: 3, total_minor: 21_000 });
    expect((await api(manager, 'POST', '/payout-runs', {})).json()).toMatchObject({ code: 'payout_run_open' });

    expect((await api(manager, 'POST', `/payout-runs/${run.id}/decision`, { decision: 'approved', ticket: 'FIN-1' })).statusCode).toBe(403);
    expect((await api(approver, 'POST', `/payout-runs/${run.id}/decision`, { decision: 'approved' })).statusCode).toBe(400);
    const approved = await api(approver, 'POST', `/payout-runs/${run.id}/decision`, { decision: 'approved', ticket: 'FIN-1', note: 'weekly' }, store);
    expect(approved.statusCode, approved.body).toBe(200);
    expect((await api(approver, 'POST', `/payout-runs/${run.id}/decision`, { decision: 'rejected', ticket: 'FIN-2' })).statusCode).toBe(409);

    const detail = await settled(run.id);
    expect(detail.run.status).toBe('completed');
    expect(detail.approvals).toEqual([{ decision: 'approved', ticket: 'FIN-1', note: 'weekly', decided_by: expect.any(String), decided_by_name: 'Test admin', decided_at: expect.any(String) }]);
    const byConsignor = Object.fromEntries(detail.payouts.map((payout: { consignor_id: string }) => [payout.consignor_id, payout]));
    expect(byConsignor[byCheck.id]).toMatchObject({ method: 'check', status: 'awaiting_handover', amount_minor: 6_000, attempt: 1 });
    expect(byConsignor[byCredit.id]).toMatchObject({ method: 'store_credit', status: 'paid', amount_minor: 3_000, bonus_minor: 300 });
    expect(byConsignor[byConnect.id]).toMatchObject({ method: 'stripe_connect', status: 'sent', provider: 'test', provider_reference: expect.stringMatching(/^tr_test/) });
    for (const consignor of [byCheck, byCredit, byConnect]) expect(await balance(consignor.id)).toMatchObject({ balance_minor: 0, payable_minor: 0 });

    const handed = await api(manager, 'POST', `/payouts/${byConsignor[byCheck.id].id}/handover`, { reference: 'check #1001' });
    expect(handed.json()).toMatchObject({ status: 'paid', handover_reference: 'check #1001' });
    await expect(t.platform.db.withTenant(store.id, (trx) => sql`update consignment_payout_approvals set ticket = 'X'`.execute(trx))).rejects.toThrow(/permission denied|append-only/);

    // The payout notices were mailed (the consignor without an address sees it in the portal only).
    await expect.poll(async () => (await t.platform.mail.recent({ to: 'check@example.test' })).map((mail) => mail.subject), { timeout: 5_000 }).toContain('Your payout');
    const notices = await api(manager, 'GET', `/consignors/${byCredit.id}/notifications`);
    expect(notices.json().items[0]).toMatchObject({ kind: 'payout', body: expect.stringContaining('33.00 USD of store credit') });

    // The provider's transfers of the day match the ledger; a stray transfer of this store is a discrepancy.
    const day = new Date().toISOString().slice(0, 10);
    const provider = marketplaceOf(t.platform) as TestMarketplaceProvider;
    await provider.transfer({ accountId: onboarding.json().account_id, amountMinor: 999, currency: 'USD', idempotencyKey: randomUUID(), group: 'stray', metadata: { tenant_id: store.id, payout_id: randomUUID(), attempt: '1' } });
    expect((await api(approver, 'POST', '/reconciliations', { day })).statusCode).toBe(202);
    await expect.poll(async () => (await api(manager, 'GET', '/reconciliations')).json().items.length, { timeout: 5_000 }).toBe(1);
    const [reconciliation] = (await api(manager, 'GET', '/reconciliations')).json().items;
    expect(reconciliation).toMatchObject({ provider: 'test', day, payouts_checked: 1, transfers_checked: 2, discrepancies: 1 });
    expect((await api(manager, 'GET', `/reconciliations/${reconciliation.id}/discrepancies`)).json().items).toEqual([
      { kind: 'unknown_transfer', payout_id: expect.any(String), provider_reference: expect.stringMatching(/^tr_test/), ledger_minor: null, provider_minor: 999 },
    ]);
    expect((await api(manager, 'GET', `/payout-runs/${run.id}`)).json().payouts.find((payout: { method: string }) => payout.method === 'stripe_connect').status).toBe('paid');
    const metrics = await t.app.inject({ method: 'GET', url: '/q/metrics', remoteAddress: '127.0.0.1' });
    expect(metrics.body).toMatch(/villagecompute_storefront_consignment_reconciliation_discrepancies_total\{provider="test",kind="unknown_transfer"\} [1-9]/);
    expect(metrics.body).toMatch(/villagecompute_storefront_consignment_payout_close_duration_seconds_count\{outcome="completed"\} [1-9]/);
  });

  it('leaves the ledger whole when a transfer fails, and pays on resume with a new attempt', async () => {
    await closeOpenRuns();
    const consignor = await consignorWith({ display_name: 'Flaky Connect', payout_method: 'stripe_connect' }, 8_000, 4_000);
    await api(manager, 'POST', `/consignors/${consignor.id}/payout-onboarding`, { return_url: 'https://shop.example/back', refresh_url: 'https://shop.example/again' });
    const provider = marketplaceOf(t.platform) as TestMarketplaceProvider;
    const run = (await api(manager, 'POST', '/payout-runs', {})).json();
    provider.unavailable = true;
    try {
      await api(approver, 'POST', `/payout-runs/${run.id}/decision`, { decision: 'approved', ticket: 'FIN-3' });
      const failed = await settled(run.id);
      expect(failed.run.status).toBe('incomplete');
      expect(failed.payouts[0]).toMatchObject({ status: 'failed', attempt: 1, failure: expect.stringContaining('transfer: ') });
      expect(await balance(consignor.id)).toMatchObject({ balance_minor: 4_000, payable_minor: 4_000 });
      const { rows } = await t.platform.db.withTenant(store.id, (trx) =>
        sql<{ step: string; action: string; outcome: string }>`select step, action, outcome from saga_steps where run_id = (select id from saga_runs where saga = 'payout' order by started_at desc limit 1) order by id`.execute(trx),
      );
      expect(rows.map((row) => `${row.action} ${row.step} ${row.outcome}`)).toEqual(['run reserve succeeded', 'run transfer failed', 'compensate reserve succeeded']);
    } finally {
      provider.unavailable = false;
    }
    const resumed = await api(approver, 'POST', `/payout-runs/${run.id}/resume`, {});
    expect(resumed.statusCode, resumed.body).toBe(202);
    const done = await settled(run.id);
    expect(done.run.status).toBe('completed');
    expect(done.payouts[0]).toMatchObject({ status: 'sent', attempt: 2, failure: null });
    expect(await balance(consignor.id)).toMatchObject({ balance_minor: 0, payable_minor: 0 });
    const entries = (await api(manager, 'GET', `/ledger?consignor_id=${consignor.id}`)).json().items.map((entry: { kind: string; amount_minor: number; posting_key: string }) => [entry.kind, entry.amount_minor, entry.posting_key.replace(/[0-9a-f-]{36}/, 'ID')]);
    expect(entries).toEqual([
      ['payout', -4_000, 'payout:ID:2'],
      ['payout', 4_000, 'payout:ID:1:released'],
      ['payout', -4_000, 'payout:ID:1'],
      ['commission', -4_000, 'commission:ID'],
      ['sale_credit', 8_000, 'sale:ID'],
    ]);
  });

  it('opens one run for two proposals at once, and records one decision for two approvals at once', async () => {
    await closeOpenRuns();
    await consignorWith({ display_name: 'Raced', payout_method: 'cash' }, 3_000, 1_500);
    const proposals = await Promise.all([api(manager, 'POST', '/payout-runs', {}), api(manager, 'POST', '/payout-runs', {})]);
    expect(proposals.map((response) => response.statusCode).sort()).toEqual([201, 409]);
    const run = proposals.find((response) => response.statusCode === 201)!.json();
    const second = (await staffSession(t.platform, store.id, 'owner')).headers;
    const decisions = await Promise.all([
      api(approver, 'POST', `/payout-runs/${run.id}/decision`, { decision: 'approved', ticket: 'FIN-7' }),
      api(second, 'POST', `/payout-runs/${run.id}/decision`, { decision: 'approved', ticket: 'FIN-8' }),
    ]);
    expect(decisions.map((response) => response.statusCode).sort()).toEqual([200, 409]);
    const detail = await settled(run.id);
    expect(detail.approvals).toHaveLength(1);
    expect(detail.run.status).toBe('completed');
  });

  it('takes adjustments with reason, ticket and idempotency key; refuses bad input', async () => {
    const consignor = await consignorWith({ display_name: 'Adjusted' }, 1_000, 500);
    const body = { consignor_id: consignor.id, amount_minor: 250, reason: 'damaged in store', ticket: 'SUP-9' };
    const first = await t.app.inject({ method: 'POST', url: '/admin/api/v1/consignment/adjustments', headers: { host: storeHost(store), ...manager, 'idempotency-key': 'adj-1' }, payload: body });
    const again = await t.app.inject({ method: 'POST', url: '/admin/api/v1/consignment/adjustments', headers: { host: storeHost(store), ...manager, 'idempotency-key': 'adj-1' }, payload: body });
    expect(first.statusCode, first.body).toBe(201);
    expect(again.headers['idempotent-replayed']).toBe('true');
    expect(again.json().id).toBe(first.json().id);
    expect(await balance(consignor.id)).toMatchObject({ balance_minor: 750 });
    const unknown = await api(manager, 'POST', '/adjustments', { ...body, extra: 1 });
    expect(unknown.statusCode).toBe(400);
    expect(unknown.headers['content-type']).toContain('application/problem+json');
    expect(unknown.json().request_id).toEqual(expect.any(String));
    expect((await api(manager, 'POST', '/adjustments', { ...body, amount_minor: '250' })).statusCode).toBe(400);
    expect((await api(manager, 'POST', '/adjustments', { ...body, amount_minor: 0 })).statusCode).toBe(400);
    expect((await api(manager, 'POST', '/adjustments', { ...body, amount_minor: -5_000 })).json()).toMatchObject({ code: 'adjustment_exceeds_payable' });
    expect((await api(manager, 'POST', '/adjustments', { ...body, ticket: undefined })).statusCode).toBe(400);
  });

  it('proposes scheduled runs for every store with a ledger, each waiting for approval', async () => {
    await closeOpenRuns();
    const scheduled = await consignorWith({ display_name: 'Scheduled', payout_method: 'check' }, 4_000, 2_000);
    await t.platform.db.withPlatform((trx) => proposeRuns.run({}, { trx, tenantId: null, jobId: '0', attempt: 1, maxAttempts: 1, signal: new AbortController().signal }));
    let runId: string | undefined;
    await expect
      .poll(async () => {
        runId = (await api(manager, 'GET', '/payout-runs')).json().items.find((run: { origin: string; status: string }) => run.origin === 'schedule' && run.status === 'awaiting_approval')?.id;
        return runId;
      }, { timeout: 10_000 })
      .toEqual(expect.any(String));
    const detail = (await api(manager, 'GET', `/payout-runs/${runId}`)).json();
    expect(detail.payouts.find((payout: { consignor_id: string }) => payout.consignor_id === scheduled.id)).toMatchObject({ status: 'proposed', amount_minor: 2_000, method: 'check' });
    expect(detail.approvals).toEqual([]);
  });

  it('keeps every ledger, payout and statement table to its store', async () => {
    const consignor = await consignorWith({ display_name: 'Private' }, 1_000, 500);
    expect((await api(approver, 'PUT', '/payout-settings', { return_window_days: 7, minimum_payout_minor: 100, currency: 'USD' })).statusCode).toBe(200);
    expect((await api(manager, 'POST', '/statements', { period: `${new Date().toISOString().slice(0, 7)}-01` })).statusCode).toBe(200);
    await t.platform.db.withTenant(store.id, (trx) => trx.insertInto('consignment_order_events').values({ tenant_id: store.id, event_id: '1', type: 'OrderPaid' }).onConflict((oc) => oc.doNothing()).execute());
    expect((await api(outsider, 'GET', '/balances', undefined, other)).json().items).toEqual([]);
    expect((await api(outsider, 'GET', `/consignors/${consignor.id}/balance`, undefined, other)).statusCode).toBe(404);
    expect([401, 403]).toContain((await api(outsider, 'GET', '/ledger', undefined, store)).statusCode);
    const runs = (await api(manager, 'GET', '/payout-runs')).json().items;
    expect((await api(outsider, 'GET', `/payout-runs/${runs[0].id}`, undefined, other)).statusCode).toBe(404);
    expect((await api(outsider, 'POST', `/payout-runs/${runs[0].id}/decision`, { decision: 'approved', ticket: 'X-1' }, other)).statusCode).toBe(404);
    const tables = [
      'consignment_ledger_entries',
      'consignment_payout_settings',
      'consignment_payout_runs',
      'consignment_payouts',
      'consignment_payout_approvals',
      'consignment_reconciliations',
      'consignment_reconciliation_discrepancies',
      'consignment_statements',
      'consignment_notifications',
      'consignment_order_events',
    ] as const;
    const count = (tenant: Tenant, table: string) => t.platform.db.withTenant(tenant.id, async (trx) => Number((await sql<{ n: string }>`select count(*) as n from ${sql.table(table)}`.execute(trx)).rows[0]!.n));
    const owner = await ownerClient();
    try {
      for (const table of tables) {
        expect(await count(store, table), table).toBeGreaterThan(0);
        expect(await count(other, table), table).toBe(0);
        // A copy of one of the store's rows, written from the other store, is refused by the policy's WITH CHECK.
        const { rows } = await owner.query(`select to_jsonb(x) as row from ${table} x where tenant_id = $1 limit 1`, [store.id]);
        await expect(
          t.platform.db.withTenant(other.id, (trx) => sql`insert into ${sql.table(table)} overriding system value select (jsonb_populate_record(null::${sql.table(table)}, ${JSON.stringify(rows[0].row)}::jsonb)).*`.execute(trx)),
          table,
        ).rejects.toThrow(/row-level security/);
      }
    } finally {
      await owner.end();
    }
  });
});
