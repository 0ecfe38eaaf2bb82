import { sql } from 'kysely';
import type { Tx } from '../../platform/db/database.ts';
import { HttpProblem } from '../../platform/http/problem.ts';
import { tracer } from '../../platform/observability/tracing.ts';
import type { Platform } from '../../platform/platform.ts';
import { SagaFailed, defineStep, runSaga } from '../../platform/steps/saga.ts';
import { commitStock, releaseStock, reserveStock } from '../catalog/index.ts';
import { type CheckoutSettings, type Payment, type Payments, checkoutSettings } from '../payments/index.ts';
import type { Address, AddressValidator } from './address.ts';
import { type CartOwner, type PricedCart, convertCart, pricedCart } from './carts.ts';
import { type OrderEventJob, recordOrderEvent } from './events.ts';
import { type OrderStatus, insertOrder } from './orders.ts';
import type { ShippingRate, ShippingRateAdapter } from './shipping.ts';
import { type StoreRates, storeRates } from './store-rates.ts';
import type { TaxCalculator } from './tax.ts';
import { checkoutSagaDuration, checkoutSagaFailed, ordersPlaced } from './telemetry.ts';

export interface CommitInput {
  tenantId: string;
  owner: CartOwner;
  customerId: string | null;
  email: string;
  address: Address;
  shippingMethodId: string;
  /** The card token made in the browser by the store's payment form. */
  paymentMethod: string;
  /** The total the shopper was shown; a different total now (a price changed) is a 409, nothing is charged. */
  expectedTotalMinor?: number | undefined;
}

export interface CommitResult {
  order_id: string;
  order_number: number;
  status: OrderStatus;
  total_minor: number;
  currency: string;
  /** Set when the bank asks the shopper for more (3-D Secure): the browser completes it, a webhook settles the order. */
  client_secret: string | null;
}

export interface CheckoutParts {
  platform: Platform;
  payments: Payments;
  addresses: AddressValidator;
  shipping: ShippingRateAdapter;
  tax: TaxCalculator;
  orderEvents: OrderEventJob;
}

interface Totals {
  subtotalMinor: number;
  discountMinor: number;
  shippingMinor: number;
  taxMinor: number;
  totalMinor: number;
  lines: { variant_id: string; sku: string; title: string; quantity: number; unit_price_minor: number; discount_minor: number; tax_minor: number; total_minor: number }[];
}

interface CheckoutContext {
  input: CommitInput;
  attemptId: string;
  cart: PricedCart;
  settings: CheckoutSettings;
  /** The store's own shipping table and tax rates, where it set them. */
  rates: StoreRates;
  /** The unit of work the order is written in (it also holds the Idempotency-Key row). */
  trx: Tx;
  address?: Address;
  rate?: ShippingRate;
  totals?: Totals;
  payment?: Payment;
  clientSecret?: string | null;
  result?: CommitResult;
}

const problemCode = (error: unknown) =>
  error instanceof HttpProblem && typeof error.extensions.code === 'string' ? error.extensions.code : error instanceof Error ? error.name : 'unknown';

function totalsOf(parts: CheckoutParts, context: CheckoutContext, rate: ShippingRate): Totals {
  const { cart, settings, input } = context;
  const tax = (context.rates.tax ?? parts.tax).calculate({
    address: { country: input.address.country, region: input.address.region },
    lines: cart.lines.map((line) => ({ key: line.variant_id, amountMinor: line.line_total_minor })),
    discountMinor: 0,
    shippingMinor: rate.amount_minor,
    pricesIncludeTax: settings.prices_include_tax,
  });
  const lines = cart.lines.map((line, index) => {
    const { discountMinor, taxMinor } = tax.lines[index]!;
    const net = line.line_total_minor - discountMinor;
    return {
      variant_id: line.variant_id,
      sku: line.sku,
      title: [line.product_title, line.title].filter(Boolean).join(' · '),
      quantity: line.quantity,
      unit_price_minor: line.unit_price_minor,
      discount_minor: discountMinor,
      tax_minor: taxMinor,
      total_minor: settings.prices_include_tax ? net : net + taxMinor,
    };
  });
  const discountMinor = tax.lines.reduce((sum, line) => sum + line.discountMinor, 0);
  const shippingTotal = settings.prices_include_tax ? rate.amount_minor : rate.amount_minor + tax.shippingTaxMinor;
  return {
    subtotalMinor: cart.subtotal_minor,
    discountMinor,
    shippingMinor: rate.amount_minor,
    taxMinor: tax.taxMinor,
    totalMinor: lines.reduce((sum, line) => sum + line.total_minor, 0) + shippingTotal,
    lines,
  };
}

function checkoutSteps(parts: CheckoutParts) {
  const { platform, payments } = parts;
  const addressValidation = defineStep({
    name: 'addressValidation',
    span: 'CheckoutSaga.addressValidation',
    async run(context: CheckoutContext) {
      const verdict = await parts.addresses.validate(context.input.address);
      if (!verdict.valid) {
        throw new HttpProblem(422, 'Address invalid', 'The shipping address cannot be used.', { extensions: { code: 'invalid_address', errors: verdict.errors } });
      }
      context.address = verdict.address;
      return { country: verdict.address.country };
    },
  });

  const shippingQuote = defineStep({
    name: 'shippingQuote',
    async run(context: CheckoutContext) {
      const address = context.address!;
      const rates = await parts.shipping.quote(
        {
          tenantId: context.input.tenantId,
          country: address.country,
          postalCode: address.postal_code,
          weightGrams: context.cart.weight_grams,
          subtotalMinor: context.cart.subtotal_minor,
          currency: context.cart.currency,
        },
        context.rates.table,
      );
      const rate = rates.find((candidate) => candidate.id === context.input.shippingMethodId);
      if (!rate) {
        throw new HttpProblem(422, 'Shipping method unavailable', 'Choose one of the shipping methods offered for this address.', {
          extensions: { code: 'shipping_method_unavailable', methods: rates.map((candidate) => candidate.id) },
        });
      }
      context.rate = rate;
      context.totals = totalsOf(parts, context, rate);
      const expected = context.input.expectedTotalMinor;
      if (expected !== undefined && expected !== context.totals.totalMinor) {
        throw new HttpProblem(409, 'Total changed', 'A price changed since the cart was shown; review the order again.', {
          extensions: { code: 'price_changed', total_minor: context.totals.totalMinor },
        });
      }
      return { rate: rate.id, total_minor: context.totals.totalMinor };
    },
  });

  const inventoryReservation = defineStep({
    name: 'inventoryReservation',
    span: 'CheckoutSaga.inventoryReservation',
    async run(context: CheckoutContext) {
      const expiresAt = new Date(Date.now() + platform.config.payments.reservationTtlMs);
      await platform.db.withTenant(context.input.tenantId, (trx) =>
        reserveStock(
          trx,
          context.input.tenantId,
          context.attemptId,
          context.cart.lines.map((line) => ({ variantId: line.variant_id, quantity: line.quantity })),
          expiresAt,
        ),
      );
      return { holder: context.attemptId, expires_at: expiresAt.toISOString() };
    },
    async compensate(context: CheckoutContext) {
      await platform.db.withTenant(context.input.tenantId, (trx) => releaseStock(trx, context.attemptId));
    },
  });

  const payment = defineStep({
    name: 'payment',
    span: 'StripeIntentService.commit',
    async run(context: CheckoutContext) {
      const totals = context.totals!;
      const { payment: recorded, clientSecret } = await payments.authorise(context.input.tenantId, context.settings.provider, {
        amountMinor: totals.totalMinor,
        currency: context.cart.currency,
        capture: context.settings.capture,
        paymentMethod: context.input.paymentMethod,
        idempotencyKey: `checkout:${context.attemptId}`,
        description: `Order from ${context.input.email}`,
        metadata: { checkout_id: context.attemptId, tenant_id: context.input.tenantId },
      });
      context.payment = recorded;
      context.clientSecret = clientSecret;
      return { payment_id: recorded.id, reference: recorded.reference, status: recorded.status };
    },
    async compensate(context: CheckoutContext) {
      await payments.void(context.input.tenantId, context.payment!.id, `checkout:${context.attemptId}:void`);
    },
  });

  const placeOrder = defineStep({
    name: 'placeOrder',
    async run(context: CheckoutContext) {
      const { trx, input, totals } = context;
      // Locks taken here are undone with the savepoint on failure, so the compensations (own transactions) never wait on them.
      await sql`savepoint place_order`.execute(trx);
      try {
        if (!(await convertCart(trx, context.cart.id!))) {
          throw new HttpProblem(409, 'Cart already checked out', 'This cart was checked out by another request.', { extensions: { code: 'cart_converted' } });
        }
        await commitStock(trx, input.tenantId, context.attemptId, `checkout ${context.attemptId}`);
        const placed = await insertOrder(trx, input.tenantId, {
          checkoutId: context.attemptId,
          customerId: input.customerId,
          email: input.email,
          currency: context.cart.currency,
          pricesIncludeTax: context.settings.prices_include_tax,
          subtotalMinor: totals!.subtotalMinor,
          discountMinor: totals!.discountMinor,
          shippingMinor: totals!.shippingMinor,
          taxMinor: totals!.taxMinor,
          totalMinor: totals!.totalMinor,
          address: context.address!,
          shippingMethod: { id: context.rate!.id, name: context.rate!.name, amount_minor: context.rate!.amount_minor },
          lines: totals!.lines,
        });
        const current = await payments.attach(trx, context.payment!.id, placed.id);
        const status: OrderStatus = current.status === 'captured' ? 'paid' : current.status === 'authorised' ? 'authorised' : 'pending';
        if (status !== 'pending') await trx.updateTable('orders').set({ status }).where('id', '=', placed.id).execute();
        const event = { tenantId: input.tenantId, orderId: placed.id, orderNumber: placed.number, status, email: input.email, totalMinor: totals!.totalMinor, currency: context.cart.currency };
        await recordOrderEvent(trx, platform.jobs, parts.orderEvents, 'OrderPlaced', event);
        if (status === 'paid') await recordOrderEvent(trx, platform.jobs, parts.orderEvents, 'OrderPaid', event);
        await sql`release savepoint place_order`.execute(trx);
        context.result = {
          order_id: placed.id,
          order_number: placed.number,
          status,
          total_minor: totals!.totalMinor,
          currency: context.cart.currency,
          client_secret: context.clientSecret ?? null,
        };
        return { order_id: placed.id, order_number: placed.number };
      } catch (error) {
        await sql`rollback to savepoint place_order`.execute(trx);
        throw error;
      }
    },
  });

  return [addressValidation, shippingQuote, inventoryReservation, payment, placeOrder];
}

/**
 * The checkout commit: address → shipping → stock hold → payment → order, each a step with its compensation,
 * recorded in the saga audit. Prices are read again from the catalog here, whatever the shopper's page showed.
 * Runs inside `trx` (the caller's unit of work holding the Idempotency-Key), which the order is written in.
 */
export async function commitCheckout(parts: CheckoutParts, trx: Tx, input: CommitInput): Promise<CommitResult> {
  const started = performance.now();
  const steps = checkoutSteps(parts);
  const cart = await pricedCart(trx, input.owner);
  if (!cart.id || cart.lines.length === 0) {
    checkoutSagaFailed.inc({ stage: 'cart', error_type: 'cart_empty' });
    throw new HttpProblem(409, 'Cart empty', 'There is nothing in the cart to check out.', { extensions: { code: 'cart_empty' } });
  }
  const settings = await checkoutSettings(trx);
  const context: CheckoutContext = { input, attemptId: '', cart, settings, rates: await storeRates(trx), trx };
  try {
    await runSaga(parts.platform.db, input.tenantId, steps, context, {
      saga: 'checkout',
      tracer: tracer('checkout-orchestrator'),
      errorCode: problemCode,
      onStart: (runId) => {
        context.attemptId = runId;
      },
      observe(step, action, outcome, seconds, error) {
        if (action !== 'run') return;
        checkoutSagaDuration.observe({ stage: step }, seconds);
        if (outcome === 'failed') checkoutSagaFailed.inc({ stage: step, error_type: problemCode(error) });
      },
    });
  } catch (error) {
    if (error instanceof SagaFailed) throw error.cause;
    throw error;
  }
  checkoutSagaDuration.observe({ stage: 'complete' }, (performance.now() - started) / 1000);
  ordersPlaced.inc({ provider: settings.provider });
  return context.result!;
}

export interface CheckoutPreview {
  rates: (ShippingRate & { tax_minor: number; total_minor: number })[];
  subtotal_minor: number;
  currency: string;
}

/** What the shipping step shows: each method offered for the address, with the order's tax and total under it. */
export async function previewCheckout(parts: CheckoutParts, trx: Tx, input: { tenantId: string; owner: CartOwner; address: Address }): Promise<CheckoutPreview> {
  const cart = await pricedCart(trx, input.owner);
  if (cart.lines.length === 0) throw new HttpProblem(409, 'Cart empty', 'There is nothing in the cart to check out.', { extensions: { code: 'cart_empty' } });
  const verdict = await parts.addresses.validate(input.address);
  if (!verdict.valid) throw new HttpProblem(422, 'Address invalid', 'The shipping address cannot be used.', { extensions: { code: 'invalid_address', errors: verdict.errors } });
  const settings = await checkoutSettings(trx);
  const storeRateSettings = await storeRates(trx);
  const rates = await parts.shipping.quote(
    {
      tenantId: input.tenantId,
      country: verdict.address.country,
      postalCode: verdict.address.postal_code,
      weightGrams: cart.weight_grams,
      subtotalMinor: cart.subtotal_minor,
      currency: cart.currency,
    },
    storeRateSettings.table,
  );
  const context = { input: { address: verdict.address }, cart, settings, rates: storeRateSettings } as CheckoutContext;
  return {
    subtotal_minor: cart.subtotal_minor,
    currency: cart.currency,
    rates: rates.map((rate) => {
      const totals = totalsOf(parts, context, rate);
      return { ...rate, tax_minor: totals.taxMinor, total_minor: totals.totalMinor };
    }),
  };
}
