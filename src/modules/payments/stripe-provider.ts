import Stripe from 'stripe';
import type { PaymentsConfig } from '../../platform/config/config.ts';
import { tracer } from '../../platform/observability/tracing.ts';
import {
  PaymentDeclined,
  type PaymentMethodProvider,
  type PaymentProvider,
  type PaymentRequest,
  type ProviderPayment,
  PaymentUnavailable,
  type WebhookEvent,
  type WebhookHandler,
  WebhookRejected,
} from './provider.ts';

type StripeConfig = NonNullable<PaymentsConfig['stripe']>;

/** The SDK client; `apiBase` points it at another host (a local stand-in speaking Stripe's API in tests). */
export function stripeClient(config: StripeConfig): Stripe {
  const base = config.apiBase;
  return new Stripe(config.secretKey, {
    maxNetworkRetries: 2,
    timeout: 10_000,
    telemetry: false,
    ...(base ? { host: base.hostname, port: Number(base.port || (base.protocol === 'https:' ? 443 : 80)), protocol: base.protocol.replace(':', '') as 'http' | 'https' } : {}),
  });
}

const STATUS: Partial<Record<Stripe.PaymentIntent.Status, ProviderPayment['status']>> = {
  succeeded: 'captured',
  requires_capture: 'authorised',
  requires_action: 'requires_action',
  processing: 'requires_action',
};

/** Card errors are the shopper's (402); anything else from Stripe is the dependency failing (503). */
function translate(error: unknown): never {
  if (error instanceof Stripe.errors.StripeCardError) throw new PaymentDeclined(error.decline_code ?? error.code ?? 'card_declined');
  if (error instanceof Stripe.errors.StripeError) throw new PaymentUnavailable(`Stripe answered ${error.type}: ${error.message}`);
  throw error;
}

/** PaymentIntents on the official SDK, every write with an idempotency key. */
export class StripePaymentProvider implements PaymentProvider, PaymentMethodProvider {
  readonly name = 'stripe' as const;
  private readonly stripe: Stripe;
  private readonly publishableKey: string;

  constructor(config: StripeConfig) {
    this.stripe = stripeClient(config);
    this.publishableKey = config.publishableKey;
  }

  createPayment(request: PaymentRequest): Promise<ProviderPayment> {
    return tracer('checkout-orchestrator').startActiveSpan('StripeAPI.createPaymentIntent', async (span) => {
      try {
        const intent = await this.stripe.paymentIntents.create(
          {
            amount: request.amountMinor,
            currency: request.currency.toLowerCase(),
            payment_method: request.paymentMethod,
            confirm: true,
            capture_method: request.capture === 'manual' ? 'manual' : 'automatic',
            automatic_payment_methods: { enabled: true, allow_redirects: 'never' },
            description: request.description,
            metadata: request.metadata,
          },
          { idempotencyKey: request.idempotencyKey },
        );
        span.setAttribute('payment.intent_id', intent.id);
        const status = STATUS[intent.status];
        if (!status) throw new PaymentDeclined(intent.last_payment_error?.decline_code ?? intent.status);
        return { reference: intent.id, status, clientSecret: status === 'requires_action' ? intent.client_secret : null };
      } catch (error) {
        span.recordException(error as Error);
        return translate(error);
      } finally {
        span.end();
      }
    });
  }

  async capture(reference: string, amountMinor: number, idempotencyKey: string): Promise<void> {
    await this.stripe.paymentIntents.capture(reference, { amount_to_capture: amountMinor }, { idempotencyKey }).catch(translate);
  }

  async cancel(reference: string, idempotencyKey: string): Promise<void> {
    await this.stripe.paymentIntents.cancel(reference, {}, { idempotencyKey }).catch(translate);
  }

  async refund(reference: string, amountMinor: number, idempotencyKey: string): Promise<{ reference: string }> {
    const refund = await this.stripe.refunds.create({ payment_intent: reference, amount: amountMinor }, { idempotencyKey }).catch(translate);
    return { reference: refund.id };
  }

  browserConfig() {
    return { provider: 'stripe' as const, publishable_key: this.publishableKey };
  }
}

/** Stripe-Signature over the raw body, with a tolerance on its timestamp (replayed old deliveries are refused). */
export class StripeWebhookHandler implements WebhookHandler {
  readonly provider = 'stripe' as const;
  private readonly stripe: Stripe;
  private readonly secret: string;
  private readonly toleranceSeconds: number;

  constructor(config: StripeConfig, toleranceSeconds: number) {
    this.stripe = stripeClient(config);
    this.secret = config.webhookSecret;
    this.toleranceSeconds = toleranceSeconds;
  }

  verify(rawBody: Buffer, signature: string | undefined): WebhookEvent {
    if (!signature) throw new WebhookRejected('The Stripe-Signature header is missing.');
    let event: Stripe.Event;
    try {
      event = this.stripe.webhooks.constructEvent(rawBody, signature, this.secret, this.toleranceSeconds);
    } catch (error) {
      throw new WebhookRejected(error instanceof Error ? error.message : 'The signature did not verify.');
    }
    return { id: event.id, type: event.type, created: new Date(event.created * 1000), payload: event };
  }
}
