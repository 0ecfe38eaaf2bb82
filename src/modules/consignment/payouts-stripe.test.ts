import { randomUUID } from 'node:crypto';
import Stripe from 'stripe';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { staffSession, storeHost } from '../../../test/support/auth.ts';
import { type TestApp, type Tenant, makeTenant, startTestApp } from '../../../test/support/platform.ts';
import { StripeStandIn } from '../../../test/support/stripe-stand-in.ts';
import type { Order } from '../checkout/index.ts';
import { consignment } from './index.ts';
import { balanceOf } from './ledger.ts';
import { creditPaidOrder } from './sales.ts';

const WEBHOOK_SECRET = 'whsec_payouts';
const DAY_MS = 86_400_000;

function paidOrder(totalMinor: number): Order {
  const lineId = randomUUID();
  return {
    id: randomUUID(),
    number: 3,
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
    lines: [{ id: lineId, variant_id: randomUUID(), sku: 'SKU', title: 'Silk scarf', quantity: 1, unit_price_minor: totalMinor, discount_minor: 0, tax_minor: 0, total_minor: totalMinor, fulfilled_quantity: 0, refunded_quantity: 0 }],
  };
}

describe('Stripe Connect Express payouts against the local stand-in', () => {
  const standIn = new StripeStandIn();
  const stripe = new Stripe('sk_test_unused');
  let t: TestApp;
  let store: Tenant;
  let manager: Record<string, string>;
  let approver: Record<string, string>;

  const api = (who: Record<string, string>, method: 'GET' | 'POST', url: string, payload?: object) =>
    t.app.inject({ method, url: `/admin/api/v1/consignment${url}`, headers: { host: storeHost(store), ...who }, ...(payload ? { payload } : {}) });
  const deliver = (type: string, object: object) => {
    const payload = JSON.stringify({ id: `evt_${randomUUID().replaceAll('-', '')}`, object: 'event', type, created: Math.floor(Date.now() / 1000), data: { object } });
    return t.app.inject({
      method: 'POST',
      url: '/webhooks/stripe',
      headers: { host: storeHost(store), 'content-type': 'application/json', 'stripe-signature': stripe.webhooks.generateTestHeaderString({ payload, secret: WEBHOOK_SECRET }) },
      payload,
    });
  };
  const settled = async (runId: string) => {
    for (let i = 0; i < 150; i++) {
      const detail = (await api(manager, 'GET', `/payout-runs/${runId}`)).json();
      if (!['approved', 'processing'].includes(detail.run.status)) return detail;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    throw new Error('the run did not close');
  };
  const onboarded = async (soldMinor: number, shareMinor: number) => {
    const consignor = await t.platform.db.withTenant(store.id, (trx) => consignment.createConsignor(trx, store.id, { display_name: 'Scarf Maker', email: `s-${randomUUID().slice(0, 6)}@example.test`, payout_method: 'stripe_connect' }));
    const order = paidOrder(soldMinor);
    await t.platform.db.withTenant(store.id, (trx) =>
      creditPaidOrder(trx, store.id, order, [{ orderLineId: order.lines[0]!.id, consignorId: consignor.id, title: 'Silk scarf', saleMinor: soldMinor, consignorMinor: shareMinor, rule: 'consignor 50%' }], new Date(Date.now() - 15 * DAY_MS), 14),
    );
    const onboarding = await api(manager, 'POST', `/consignors/${consignor.id}/payout-onboarding`, { return_url: 'https://shop.example/back', refresh_url: 'https://shop.example/again' });
    expect(onboarding.statusCode, onboarding.body).toBe(201);
    return { consignor, accountId: onboarding.json().account_id as string, url: onboarding.json().url as string };
  };
  const balance = (consignorId: string) => t.platform.db.withTenant(store.id, (trx) => balanceOf(trx, consignorId, 'USD'));
  const approveRun = async (ticket: string) => {
    const run = (await api(manager, 'POST', '/payout-runs', {})).json();
    expect((await api(approver, 'POST', `/payout-runs/${run.id}/decision`, { decision: 'approved', ticket })).statusCode).toBe(200);
    return run.id as string;
  };

  beforeAll(async () => {
    const base = await standIn.start();
    t = await startTestApp({ STRIPE_SECRET_KEY: 'sk_test_standin', STRIPE_PUBLISHABLE_KEY: 'pk_test_standin', STRIPE_WEBHOOK_SECRET: WEBHOOK_SECRET, STRIPE_API_BASE: base });
    store = await makeTenant(t.platform.db, 'Connect Store');
    manager = (await staffSession(t.platform, store.id, 'manager')).headers;
    approver = (await staffSession(t.platform, store.id, 'owner')).headers;
  });
  afterAll(async () => {
    await t?.close();
    await standIn.stop();
  });

  it('onboards an express account, transfers with the attempt\'s idempotency key, and confirms by webhook', async () => {
    const { consignor, accountId, url } = await onboarded(6_000, 3_000);
    expect(accountId).toMatch(/^acct_/);
    expect(url).toContain(accountId);
    expect(standIn.accounts.get(accountId)).toMatchObject({ type: 'express', metadata: { tenant_id: store.id, consignor_id: consignor.id } });
    const link = standIn.requests.find((request) => request.path === '/v1/account_links')!;
    expect(link.form).toMatchObject({ account: accountId, type: 'account_onboarding', return_url: 'https://shop.example/back' });

    const runId = await approveRun('FIN-10');
    const detail = await settled(runId);
    expect(detail.run.status).toBe('completed');
    const [payout] = detail.payouts;
    expect(payout).toMatchObject({ status: 'sent', provider: 'stripe', provider_reference: expect.stringMatching(/^tr_/) });
    const request = standIn.requests.find((entry) => entry.path === '/v1/transfers' && entry.method === 'POST')!;
    expect(request.idempotencyKey).toBe(`payout:${payout.id}:1`);
    expect(request.form).toMatchObject({ amount: '3000', currency: 'usd', destination: accountId, transfer_group: `payout_run_${runId}`, 'metadata[tenant_id]': store.id, 'metadata[payout_id]': payout.id });
    expect(await balance(consignor.id)).toMatchObject({ balance_minor: 0 });

    const transfer = standIn.transfers.get(payout.provider_reference)!;
    expect((await deliver('transfer.created', transfer)).statusCode).toBe(200);
    await expect.poll(async () => (await api(manager, 'GET', `/payout-runs/${runId}`)).json().payouts[0].status, { timeout: 5_000 }).toBe('paid');

    // The provider reverses the transfer: the amount is back on the consignor's balance, once.
    const reversed = { ...transfer, reversed: true, amount_reversed: transfer.amount };
    await deliver('transfer.reversed', reversed);
    await deliver('transfer.reversed', reversed);
    await expect.poll(async () => (await api(manager, 'GET', `/payout-runs/${runId}`)).json().payouts[0].status, { timeout: 5_000 }).toBe('reversed');
    expect(await balance(consignor.id)).toMatchObject({ balance_minor: 3_000, payable_minor: 3_000 });
  });

  it('compensates a failed transfer and resumes with the next attempt; reconciles the day against the listed transfers', async () => {
    const { consignor } = await onboarded(9_000, 4_500);
    standIn.failing = true;
    let runId: string;
    try {
      runId = await approveRun('FIN-11');
      const failed = await settled(runId);
      expect(failed.run.status).toBe('incomplete');
      expect(failed.payouts.find((payout: { consignor_id: string }) => payout.consignor_id === consignor.id)).toMatchObject({ status: 'failed', failure: expect.stringContaining('Stripe answered') });
      expect(await balance(consignor.id)).toMatchObject({ payable_minor: 4_500 });
    } finally {
      standIn.failing = false;
    }
    expect((await api(approver, 'POST', `/payout-runs/${runId}/resume`, {})).statusCode).toBe(202);
    const done = await settled(runId);
    expect(done.run.status).toBe('completed');
    const payout = done.payouts.find((entry: { consignor_id: string }) => entry.consignor_id === consignor.id);
    expect(payout).toMatchObject({ status: 'sent', attempt: 2 });
    expect(standIn.requests.filter((request) => request.path === '/v1/transfers' && request.idempotencyKey?.startsWith(`payout:${payout.id}:`)).map((request) => request.idempotencyKey)).toContain(`payout:${payout.id}:2`);
    expect(await balance(consignor.id)).toMatchObject({ payable_minor: 0 });

    const day = new Date().toISOString().slice(0, 10);
    expect((await api(approver, 'POST', '/reconciliations', { day })).statusCode).toBe(202);
    await expect.poll(async () => (await api(manager, 'GET', '/reconciliations')).json().items[0]?.provider, { timeout: 5_000 }).toBe('stripe');
    const [reconciliation] = (await api(manager, 'GET', '/reconciliations')).json().items;
    // The first test's transfer was reversed (the ledger knows), and its consignor was paid again in this run.
    expect(reconciliation).toMatchObject({ provider: 'stripe', day, payouts_checked: 3, transfers_checked: 3, discrepancies: 0 });
  });
});
