import { HttpProblem } from '../../platform/http/problem.ts';

/** How a store takes money: capture at once, or authorise now and capture when the order ships. */
export type CaptureMode = 'automatic' | 'manual';

export interface PaymentRequest {
  amountMinor: number;
  currency: string;
  capture: CaptureMode;
  /** A token for the shopper's card made in the browser (test card token, Stripe PaymentMethod id). */
  paymentMethod: string;
  /** The provider is asked at most once per key: a retry returns the same payment, never a second charge. */
  idempotencyKey: string;
  description: string;
  metadata: Record<string, string>;
}

export type ProviderPaymentStatus = 'requires_action' | 'authorised' | 'captured';

export interface ProviderPayment {
  reference: string;
  status: ProviderPaymentStatus;
  /** For the browser when the bank asks for more (3-D Secure). */
  clientSecret: string | null;
}

/** A provider that moves money. Every call takes an idempotency key, so retries are safe. */
export interface PaymentProvider {
  readonly name: 'test' | 'stripe';
  /** Throws PaymentDeclined when the card is refused. */
  createPayment(request: PaymentRequest): Promise<ProviderPayment>;
  capture(reference: string, amountMinor: number, idempotencyKey: string): Promise<void>;
  /** Voids an authorisation that was never captured. */
  cancel(reference: string, idempotencyKey: string): Promise<void>;
  refund(reference: string, amountMinor: number, idempotencyKey: string): Promise<{ reference: string }>;
}

/** What the checkout page needs to draw the provider's card form. */
export interface PaymentMethodProvider {
  readonly name: 'test' | 'stripe';
  browserConfig(): { provider: 'test' | 'stripe'; publishable_key: string | null };
}

/** An event a provider reported by webhook, once its signature was verified. */
export interface WebhookEvent {
  id: string;
  type: string;
  created: Date;
  payload: unknown;
}

export interface WebhookHandler {
  readonly provider: 'stripe';
  /** Verifies the signature over the raw body and parses it; throws WebhookRejected otherwise. */
  verify(rawBody: Buffer, signature: string | undefined): WebhookEvent;
}

export class PaymentDeclined extends HttpProblem {
  constructor(reason: string) {
    super(402, 'Payment declined', `The card was declined${reason === 'declined' ? '' : ` (${reason.replaceAll('_', ' ')})`}. Try another card.`, { extensions: { code: 'card_declined', decline_reason: reason } });
  }
}

/** The payment provider did not answer in time or failed: nothing was charged that stays charged. */
export class PaymentUnavailable extends HttpProblem {
  constructor(detail: string) {
    super(503, 'Payment provider unavailable', detail, { headers: { 'retry-after': '5' }, extensions: { code: 'payment_unavailable' } });
  }
}

export class WebhookRejected extends HttpProblem {
  constructor(detail: string) {
    super(400, 'Webhook rejected', detail, { extensions: { code: 'webhook_signature_invalid' } });
  }
}
