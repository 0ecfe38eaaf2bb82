import type { Tx } from '../../platform/db/database.ts';
import type { Platform } from '../../platform/platform.ts';
import type { PaymentProvider, PaymentRequest, WebhookHandler } from './provider.ts';
import { PaymentDeclined } from './provider.ts';
import { type Payment, type PaymentStatus, insertPayment, insertRefund, lockPayment, updatePayment } from './repository.ts';
import { StripePaymentProvider, StripeWebhookHandler } from './stripe-provider.ts';
import { paymentAttempts, refundDuration } from './telemetry.ts';
import { TestPaymentProvider } from './test-provider.ts';

/** A payment's state moved (by the checkout, an admin or a webhook); the order follows in the same transaction. */
export interface PaymentChange {
  tenantId: string;
  before: Payment;
  after: Payment;
  /** Why, when the change is a refund the merchant asked for. */
  reason?: string;
}
export type PaymentListener = (trx: Tx, change: PaymentChange) => Promise<void>;

/**
 * A verified provider event that is not about a payment (Connect transfers, accounts), handed to the module that
 * subscribed, in the webhook job's transaction: it is processed once with the event, retried with it on failure.
 */
export type ProviderEventListener = (trx: Tx, event: { tenantId: string; provider: string; type: string; object: Record<string, unknown> }) => Promise<void>;

/** Forward only: a late `succeeded` never reopens a cancelled payment, a stale event never lowers a refund. */
const RANK: Record<PaymentStatus, number> = { requires_action: 0, authorised: 1, captured: 2, cancelled: 3, failed: 3 };

export function nextPayment(current: Payment, reported: { status?: PaymentStatus; captured_minor?: number; refunded_minor?: number }): Payment {
  let status = current.status;
  if (reported.status && RANK[reported.status] > RANK[status] && !(RANK[status] === 2 && RANK[reported.status] === 3)) status = reported.status;
  return {
    ...current,
    status,
    captured_minor: Math.max(current.captured_minor, reported.captured_minor ?? 0),
    refunded_minor: Math.max(current.refunded_minor, reported.refunded_minor ?? 0),
  };
}

export class Payments {
  readonly test = new TestPaymentProvider();
  readonly stripe: StripePaymentProvider | undefined;
  readonly webhooks: Map<string, WebhookHandler>;
  private readonly listeners: PaymentListener[] = [];
  readonly eventListeners: ProviderEventListener[] = [];
  readonly platform: Platform;

  constructor(platform: Platform) {
    this.platform = platform;
    const stripe = platform.config.payments.stripe;
    this.stripe = stripe ? new StripePaymentProvider(stripe) : undefined;
    this.webhooks = new Map(stripe ? [['stripe', new StripeWebhookHandler(stripe, platform.config.payments.webhookToleranceSeconds)]] : []);
  }

  provider(name: string): PaymentProvider & { browserConfig(): { provider: 'test' | 'stripe'; publishable_key: string | null } } {
    if (name === 'stripe') {
      if (!this.stripe) throw new Error('this store uses Stripe but STRIPE_SECRET_KEY is not configured');
      return this.stripe;
    }
    return this.test;
  }

  onChange(listener: PaymentListener): void {
    this.listeners.push(listener);
  }

  onProviderEvent(listener: ProviderEventListener): void {
    this.eventListeners.push(listener);
  }

  /** Asks the provider for the money and records the payment (no order yet) in its own transaction. */
  async authorise(tenantId: string, providerName: string, request: PaymentRequest): Promise<{ payment: Payment; clientSecret: string | null }> {
    const provider = this.provider(providerName);
    let result: Awaited<ReturnType<PaymentProvider['createPayment']>>;
    try {
      result = await provider.createPayment(request);
    } catch (error) {
      paymentAttempts.inc({ provider: provider.name, outcome: error instanceof PaymentDeclined ? 'declined' : 'unavailable' });
      throw error;
    }
    paymentAttempts.inc({ provider: provider.name, outcome: 'succeeded' });
    const payment = await this.platform.db.withTenant(tenantId, (trx) =>
      insertPayment(trx, tenantId, {
        provider: provider.name,
        reference: result.reference,
        status: result.status,
        amount_minor: request.amountMinor,
        captured_minor: result.status === 'captured' ? request.amountMinor : 0,
        currency: request.currency,
      }),
    );
    return { payment, clientSecret: result.clientSecret };
  }

  /** Gives the money back, whatever state it reached: cancel an authorisation, refund a capture. */
  async void(tenantId: string, paymentId: string, idempotencyKey: string): Promise<void> {
    const payment = await this.platform.db.withTenant(tenantId, (trx) => lockPayment(trx, { id: paymentId }));
    if (!payment) return;
    const provider = this.provider(payment.provider);
    if (payment.status === 'captured') {
      const outstanding = payment.captured_minor - payment.refunded_minor;
      if (outstanding > 0) await provider.refund(payment.reference, outstanding, `${idempotencyKey}:refund`);
      await this.record(tenantId, paymentId, { refunded_minor: payment.captured_minor });
    } else if (payment.status === 'authorised' || payment.status === 'requires_action') {
      await provider.cancel(payment.reference, `${idempotencyKey}:cancel`);
      await this.record(tenantId, paymentId, { status: 'cancelled' });
    }
  }

  /** Links the payment to its order in the order's transaction; returns its current state (a webhook may have moved it). */
  async attach(trx: Tx, paymentId: string, orderId: string): Promise<Payment> {
    const payment = await lockPayment(trx, { id: paymentId });
    if (!payment) throw new Error(`payment ${paymentId} vanished`);
    await updatePayment(trx, paymentId, { order_id: orderId });
    return { ...payment, order_id: orderId };
  }

  async capture(trx: Tx, tenantId: string, payment: Payment, idempotencyKey: string): Promise<void> {
    if (payment.status !== 'authorised') return;
    await this.provider(payment.provider).capture(payment.reference, payment.amount_minor, idempotencyKey);
    await this.apply(trx, tenantId, payment, { status: 'captured', captured_minor: payment.amount_minor });
  }

  async cancel(trx: Tx, tenantId: string, payment: Payment, idempotencyKey: string): Promise<void> {
    if (payment.status !== 'authorised' && payment.status !== 'requires_action') return;
    await this.provider(payment.provider).cancel(payment.reference, idempotencyKey);
    await this.apply(trx, tenantId, payment, { status: 'cancelled' });
  }

  /** Refunds `amountMinor` of a captured payment with the provider and records it; the order follows. */
  async refund(trx: Tx, tenantId: string, payment: Payment, input: { amountMinor: number; reason: string; lines: unknown; idempotencyKey: string }): Promise<void> {
    const started = performance.now();
    const provider = this.provider(payment.provider);
    const { reference } = await provider.refund(payment.reference, input.amountMinor, input.idempotencyKey);
    refundDuration.observe({ provider: provider.name }, (performance.now() - started) / 1000);
    await insertRefund(trx, tenantId, { order_id: payment.order_id!, payment_id: payment.id, amount_minor: input.amountMinor, reason: input.reason, reference, lines: input.lines });
    await this.apply(trx, tenantId, payment, { refunded_minor: payment.refunded_minor + input.amountMinor }, input.reason);
  }

  /** Applies a reported state (webhook, admin action) forward-only and tells the listeners. */
  async apply(trx: Tx, tenantId: string, before: Payment, reported: Parameters<typeof nextPayment>[1], reason?: string): Promise<Payment> {
    const after = nextPayment(before, reported);
    if (after.status === before.status && after.captured_minor === before.captured_minor && after.refunded_minor === before.refunded_minor) return before;
    await updatePayment(trx, before.id, { status: after.status, captured_minor: after.captured_minor, refunded_minor: after.refunded_minor });
    for (const listener of this.listeners) await listener(trx, { tenantId, before, after, ...(reason ? { reason } : {}) });
    return after;
  }

  private async record(tenantId: string, paymentId: string, reported: Parameters<typeof nextPayment>[1]): Promise<void> {
    await this.platform.db.withTenant(tenantId, async (trx) => {
      const payment = await lockPayment(trx, { id: paymentId });
      if (payment) await this.apply(trx, tenantId, payment, reported);
    });
  }
}

const instances = new WeakMap<Platform, Payments>();

export function paymentsOf(platform: Platform): Payments {
  let payments = instances.get(platform);
  if (!payments) {
    payments = new Payments(platform);
    instances.set(platform, payments);
  }
  return payments;
}
