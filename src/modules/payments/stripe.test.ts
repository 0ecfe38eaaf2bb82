import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import Stripe from 'stripe';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { staffSession, storeHost } from '../../../test/support/auth.ts';
import { type TestApp, makeTenant, ownerClient, startTestApp, testSpans } from '../../../test/support/platform.ts';
import { Shopper, activeHolds, onHand, seedProduct } from '../../../test/support/shop.ts';
import { StripeStandIn } from '../../../test/support/stripe-stand-in.ts';
import type { Tenant } from '../tenancy/service.ts';

const WEBHOOK_SECRET = 'whsec_test_secret';

describe('Stripe provider against a local stand-in speaking its API', () => {
  const standIn = new StripeStandIn();
  let t: TestApp;
  let store: Tenant;
  let admin: Record<string, string>;
  const stripe = new Stripe('sk_test_unused');

  const shopper = () => new Shopper(t.app, storeHost(store)).start();
  const adminApi = (method: 'GET' | 'POST' | 'PUT', url: string, payload?: object, headers: Record<string, string> = {}) =>
    t.app.inject({ method, url: `/admin/api/v1${url}`, headers: { ...admin, ...headers }, ...(payload ? { payload } : {}) });
  const setCapture = async (capture: 'automatic' | 'manual') =>
    expect((await adminApi('PUT', '/checkout-settings', { provider: 'stripe', capture, prices_include_tax: false })).statusCode).toBe(200);
  const order = async (id: string) => (await adminApi('GET', `/orders/${id}`)).json();
  const buy = async (price: number, paymentMethod = 'pm_card_visa', postal = '94105') => {
    const { variantId } = await seedProduct(t.platform.db, store.id, { price, stock: 2 });
    const buyer = await shopper();
    await buyer.add(variantId);
    return { variantId, response: await buyer.commit({ payment_method: paymentMethod, shipping_address: { name: 'Bo', line1: '2 Elm', city: 'LA', region: 'OR', postal_code: postal, country: 'US' } }) };
  };
  const deliver = (event: object, secret = WEBHOOK_SECRET) => {
    const payload = JSON.stringify(event);
    return t.app.inject({
      method: 'POST',
      url: '/webhooks/stripe',
      headers: { host: storeHost(store), 'content-type': 'application/json', 'stripe-signature': stripe.webhooks.generateTestHeaderString({ payload, secret }) },
      payload,
    });
  };
  const event = (type: string, object: object) => ({ id: `evt_${randomUUID().replaceAll('-', '')}`, object: 'event', type, created: Math.floor(Date.now() / 1000), data: { object } });
  const eventually = async (check: () => Promise<boolean>) => {
    for (let i = 0; i < 100; i++) {
      if (await check()) return;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    throw new Error('condition not reached');
  };

  beforeAll(async () => {
    const base = await standIn.start();
    t = await startTestApp({ STRIPE_SECRET_KEY: 'sk_test_standin', STRIPE_PUBLISHABLE_KEY: 'pk_test_standin', STRIPE_WEBHOOK_SECRET: WEBHOOK_SECRET, STRIPE_API_BASE: base });
    store = await makeTenant(t.platform.db, 'Stripe Store');
    admin = { host: storeHost(store), ...(await staffSession(t.platform, store.id, 'admin')).headers };
    await setCapture('automatic');
  });
  afterAll(async () => {
    await t.close();
    await standIn.stop();
  });

  it('captures at once through a PaymentIntent created with an idempotency key, under the checkout span tree', async () => {
    testSpans.reset();
    const { response } = await buy(3000, 'pm_card_visa', '97201');
    expect(response.statusCode, response.body).toBe(201);
    expect(response.json()).toMatchObject({ status: 'paid', total_minor: 3500 });
    const created = standIn.requests.filter((request) => request.path === '/v1/payment_intents').at(-1)!;
    expect(created.idempotencyKey).toMatch(/^checkout:[0-9a-f-]{36}$/);
    expect(created.form).toMatchObject({ amount: '3500', currency: 'usd', confirm: 'true', capture_method: 'automatic', payment_method: 'pm_card_visa' });

    const spans = testSpans.getFinishedSpans();
    const root = spans.find((span) => span.name === 'StorefrontController.checkout')!;
    expect(root.resource.attributes['service.name']).toBe('checkout-orchestrator');
    const childrenOf = (parent: (typeof spans)[number]) =>
      spans.filter((span) => span.parentSpanContext?.spanId === parent.spanContext().spanId && span.resource.attributes['service.name'] === 'checkout-orchestrator');
    const tree = (span: (typeof spans)[number]): unknown => ({ [span.name]: childrenOf(span).map(tree) });
    expect(tree(root)).toEqual({
      'StorefrontController.checkout': [
        { 'CheckoutSaga.addressValidation': [] },
        { 'ShippingRateAdapter.quote': [{ 'TableRateAdapter.getRates': [] }] },
        { 'CheckoutSaga.inventoryReservation': [] },
        { 'StripeIntentService.commit': [{ 'StripeAPI.createPaymentIntent': [] }] },
      ],
    });
  });

  it('refuses a declined card with a 402 and leaves no stock held', async () => {
    const { variantId, response } = await buy(1500, 'pm_card_chargeDeclined');
    expect(response.statusCode).toBe(402);
    expect(response.json()).toMatchObject({ code: 'card_declined', decline_reason: 'generic_decline', request_id: expect.any(String) });
    expect(await activeHolds(t.platform.db, store.id, variantId)).toBe(0);
    expect(await onHand(t.platform.db, store.id, variantId)).toBe(2);
  });

  it('answers a provider outage with a 503 and Retry-After, holding nothing', async () => {
    standIn.failing = true;
    try {
      const { variantId, response } = await buy(1500);
      expect(response.statusCode).toBe(503);
      expect(response.headers['retry-after']).toBeDefined();
      expect(await activeHolds(t.platform.db, store.id, variantId)).toBe(0);
    } finally {
      standIn.failing = false;
    }
  });

  it('gives the money back when writing the order fails after payment', async () => {
    const owner = await ownerClient();
    await owner.query(`create or replace function test_fail_order() returns trigger language plpgsql as $$ begin
      if new.shipping_address->>'postal_code' = '90001' then raise exception 'injected order failure'; end if; return new; end $$`);
    await owner.query('create trigger test_fail_order before insert on orders for each row execute function test_fail_order()');
    try {
      const outstanding = standIn.outstanding();
      const { variantId, response } = await buy(2000, 'pm_card_visa', '90001');
      expect(response.statusCode).toBe(500);
      expect(standIn.outstanding()).toBe(outstanding);
      expect(await activeHolds(t.platform.db, store.id, variantId)).toBe(0);
      expect(await onHand(t.platform.db, store.id, variantId)).toBe(2);
      const { rows } = await t.platform.db.withTenant(store.id, (trx) =>
        sql<{ step: string; action: string; outcome: string }>`select step, action, outcome from saga_steps where run_id = (select id from saga_runs order by started_at desc limit 1) order by id`.execute(trx),
      );
      expect(rows.map((row) => `${row.action} ${row.step} ${row.outcome}`)).toEqual([
        'run addressValidation succeeded',
        'run shippingQuote succeeded',
        'run inventoryReservation succeeded',
        'run payment succeeded',
        'run placeOrder failed',
        'compensate payment succeeded',
        'compensate inventoryReservation succeeded',
      ]);
    } finally {
      await owner.query('drop trigger test_fail_order on orders');
      await owner.end();
    }
  });

  it('authorises only, captures at fulfilment, refunds part of a line and then the rest', async () => {
    await setCapture('manual');
    try {
      const { response } = await buy(5000);
      expect(response.json().status).toBe('authorised');
      const id = response.json().order_id;
      const intent = [...standIn.intents.values()].at(-1)!;
      expect(intent.status).toBe('requires_capture');
      const fulfilled = await adminApi('POST', `/orders/${id}/fulfil`, {});
      expect(fulfilled.statusCode, fulfilled.body).toBe(200);
      expect(fulfilled.json().status).toBe('fulfilled');
      expect(intent.status).toBe('succeeded');
      const partial = await adminApi('POST', `/orders/${id}/refunds`, { amount_minor: 1000, reason: 'damaged box' }, { 'idempotency-key': randomUUID() });
      expect(partial.json()).toMatchObject({ status: 'partially_refunded', refunded_minor: 1000 });
      const rest = await adminApi('POST', `/orders/${id}/refunds`, { lines: [{ line_id: partial.json().lines[0].id, quantity: 1 }], reason: 'returned' });
      expect(rest.statusCode, rest.body).toBe(422);
      const remaining = (await order(id)).total_minor - 1000;
      const full = await adminApi('POST', `/orders/${id}/refunds`, { amount_minor: remaining, reason: 'returned' });
      expect(full.json()).toMatchObject({ status: 'refunded', refunded_minor: (await order(id)).total_minor });
      expect(intent.refunded).toBe(intent.amount_received);
      const too = await adminApi('POST', `/orders/${id}/refunds`, { amount_minor: 1, reason: 'again' });
      expect(too.statusCode).toBe(422);
    } finally {
      await setCapture('automatic');
    }
  });

  describe('webhooks', () => {
    it('verifies the signature on the raw body, stores the event, processes it on the queue, and makes a redelivery a no-op', async () => {
      await setCapture('manual');
      const { response } = await buy(2500);
      await setCapture('automatic');
      const id = response.json().order_id;
      const intent = [...standIn.intents.values()].at(-1)!;
      const succeeded = event('payment_intent.succeeded', { ...intent, status: 'succeeded', amount_received: intent.amount });
      const first = await deliver(succeeded);
      expect(first.statusCode).toBe(200);
      expect(first.json()).toEqual({ received: true, duplicate: false });
      await eventually(async () => (await order(id)).status === 'paid');
      const again = await deliver(succeeded);
      expect(again.json()).toEqual({ received: true, duplicate: true });
      const paidEvents = await t.platform.db.withTenant(store.id, (trx) => trx.selectFrom('domain_events').select('id').where('type', '=', 'OrderPaid').where('aggregate_id', '=', id).execute());
      expect(paidEvents).toHaveLength(1);
      const stored = await t.platform.db.withTenant(store.id, (trx) => trx.selectFrom('webhook_events').select(['processed_at', 'type']).where('event_id', '=', succeeded.id).execute());
      expect(stored).toEqual([{ processed_at: expect.any(Date), type: 'payment_intent.succeeded' }]);
    });

    it('refuses a bad or missing signature and an oversized body before parsing', async () => {
      const bad = await deliver(event('payment_intent.succeeded', { id: 'pi_x', object: 'payment_intent' }), 'whsec_wrong');
      expect(bad.statusCode).toBe(400);
      expect(bad.json()).toMatchObject({ code: 'webhook_signature_invalid' });
      const unsigned = await t.app.inject({ method: 'POST', url: '/webhooks/stripe', headers: { host: storeHost(store), 'content-type': 'application/json' }, payload: '{}' });
      expect(unsigned.statusCode).toBe(400);
      const huge = await t.app.inject({ method: 'POST', url: '/webhooks/stripe', headers: { host: storeHost(store), 'content-type': 'application/json', 'stripe-signature': 't=1,v1=x' }, payload: 'x'.repeat(300_000) });
      expect(huge.statusCode).toBe(413);
    });

    it('resolves out-of-order events: a late payment_intent.succeeded after a refund leaves the order refunded', async () => {
      const { response } = await buy(1800);
      const id = response.json().order_id;
      const total = response.json().total_minor;
      const intent = [...standIn.intents.values()].at(-1)!;
      await deliver(event('charge.refunded', { id: 'ch_1', object: 'charge', payment_intent: intent.id, amount_refunded: total }));
      await eventually(async () => (await order(id)).status === 'refunded');
      await deliver(event('charge.refunded', { id: 'ch_1', object: 'charge', payment_intent: intent.id, amount_refunded: 500 }));
      await deliver(event('payment_intent.succeeded', { ...intent, amount_received: total }));
      await new Promise((resolve) => setTimeout(resolve, 1500));
      expect(await order(id)).toMatchObject({ status: 'refunded', refunded_minor: total });
    });

    it('replays a stored event from the admin API', async () => {
      const { response } = await buy(1200);
      const intent = [...standIn.intents.values()].at(-1)!;
      const refunded = event('charge.refunded', { id: 'ch_2', object: 'charge', payment_intent: intent.id, amount_refunded: 200 });
      await deliver(refunded);
      await eventually(async () => (await order(response.json().order_id)).refunded_minor === 200);
      const replay = await adminApi('POST', `/webhook-events/stripe/${refunded.id}/replay`, {});
      expect(replay.statusCode).toBe(202);
      expect((await adminApi('POST', '/webhook-events/stripe/evt_unknown/replay', {})).statusCode).toBe(404);
    });
  });
});
