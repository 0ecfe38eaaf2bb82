import { randomUUID } from 'node:crypto';
import { PaymentDeclined, type PaymentMethodProvider, type PaymentProvider, type PaymentRequest, type ProviderPayment } from './provider.ts';

/**
 * The embedded default: no network, deterministic outcomes by test token, the same semantics as a real
 * provider (idempotency keys, authorise/capture/cancel/refund against what was authorised). The checkout page
 * turns Stripe's well-known test card numbers into these tokens in the browser.
 */
export const TEST_TOKENS = {
  tok_visa: 'approved',
  tok_chargeDeclined: 'declined',
  tok_insufficientFunds: 'insufficient_funds',
} as const;

interface TestPayment {
  reference: string;
  amountMinor: number;
  status: 'authorised' | 'captured' | 'cancelled';
  capturedMinor: number;
  refundedMinor: number;
}

export class TestPaymentProvider implements PaymentProvider, PaymentMethodProvider {
  readonly name = 'test' as const;
  private readonly payments = new Map<string, TestPayment>();
  private readonly byKey = new Map<string, unknown>();

  async createPayment(request: PaymentRequest): Promise<ProviderPayment> {
    return this.once(request.idempotencyKey, () => {
      const outcome = TEST_TOKENS[request.paymentMethod as keyof typeof TEST_TOKENS];
      if (outcome !== 'approved') throw new PaymentDeclined(outcome ?? 'unknown_test_token');
      const reference = `test_pi_${randomUUID()}`;
      const captured = request.capture === 'automatic';
      this.payments.set(reference, {
        reference,
        amountMinor: request.amountMinor,
        status: captured ? 'captured' : 'authorised',
        capturedMinor: captured ? request.amountMinor : 0,
        refundedMinor: 0,
      });
      return { reference, status: captured ? 'captured' : 'authorised', clientSecret: null } satisfies ProviderPayment;
    });
  }

  async capture(reference: string, amountMinor: number, idempotencyKey: string): Promise<void> {
    this.once(idempotencyKey, () => {
      const payment = this.find(reference);
      if (payment.status !== 'authorised' || amountMinor > payment.amountMinor) throw new Error(`test payment ${reference} cannot capture ${amountMinor}`);
      payment.status = 'captured';
      payment.capturedMinor = amountMinor;
    });
  }

  async cancel(reference: string, idempotencyKey: string): Promise<void> {
    this.once(idempotencyKey, () => {
      const payment = this.find(reference);
      if (payment.status === 'captured') throw new Error(`test payment ${reference} is captured; refund it instead`);
      payment.status = 'cancelled';
    });
  }

  async refund(reference: string, amountMinor: number, idempotencyKey: string): Promise<{ reference: string }> {
    return this.once(idempotencyKey, () => {
      const payment = this.find(reference);
      if (payment.status !== 'captured' || payment.refundedMinor + amountMinor > payment.capturedMinor) {
        throw new Error(`test payment ${reference} cannot refund ${amountMinor}`);
      }
      payment.refundedMinor += amountMinor;
      return { reference: `test_re_${randomUUID()}` };
    });
  }

  browserConfig() {
    return { provider: 'test' as const, publishable_key: null };
  }

  /** Money still held or taken and not refunded (tests: a failed checkout leaves none). */
  outstanding(reference: string): number {
    const payment = this.payments.get(reference);
    if (!payment || payment.status === 'cancelled') return 0;
    return payment.status === 'authorised' ? payment.amountMinor : payment.capturedMinor - payment.refundedMinor;
  }

  private find(reference: string): TestPayment {
    const payment = this.payments.get(reference);
    if (!payment) throw new Error(`no test payment ${reference}`);
    return payment;
  }

  private once<T>(key: string, fn: () => T): T {
    if (this.byKey.has(key)) return this.byKey.get(key) as T;
    const result = fn();
    this.byKey.set(key, result);
    return result;
  }
}
