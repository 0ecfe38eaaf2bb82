import Stripe from 'stripe';
import { stripeClient } from '../payments/index.ts';
import { type MarketplaceProvider, MarketplaceUnavailable, type ProviderTransfer, type TransferRequest } from './marketplace.ts';

/** Anything Stripe answers with an error is the dependency failing for the payout: it is retried or resumed. */
function translate(error: unknown): never {
  if (error instanceof Stripe.errors.StripeError) throw new MarketplaceUnavailable(`Stripe answered ${error.type}: ${error.message}`);
  throw error;
}

/** Stripe Connect Express on the official SDK: express accounts, hosted onboarding, transfers with idempotency keys. */
export class StripeMarketplaceProvider implements MarketplaceProvider {
  readonly name = 'stripe' as const;
  private readonly stripe: Stripe;

  constructor(config: Parameters<typeof stripeClient>[0]) {
    this.stripe = stripeClient(config);
  }

  async createAccount(input: { email: string | null; displayName: string; metadata: Record<string, string> }, idempotencyKey: string): Promise<{ accountId: string }> {
    const account = await this.stripe.accounts
      .create(
        {
          type: 'express',
          ...(input.email ? { email: input.email } : {}),
          business_profile: { name: input.displayName },
          capabilities: { transfers: { requested: true } },
          metadata: input.metadata,
        },
        { idempotencyKey },
      )
      .catch(translate);
    return { accountId: account.id };
  }

  async onboardingLink(accountId: string, urls: { refreshUrl: string; returnUrl: string }): Promise<{ url: string; expiresAt: Date }> {
    const link = await this.stripe.accountLinks.create({ account: accountId, refresh_url: urls.refreshUrl, return_url: urls.returnUrl, type: 'account_onboarding' }).catch(translate);
    return { url: link.url, expiresAt: new Date(link.expires_at * 1000) };
  }

  async transfer(request: TransferRequest): Promise<{ reference: string }> {
    const transfer = await this.stripe.transfers
      .create(
        { amount: request.amountMinor, currency: request.currency.toLowerCase(), destination: request.accountId, transfer_group: request.group, metadata: request.metadata },
        { idempotencyKey: request.idempotencyKey },
      )
      .catch(translate);
    return { reference: transfer.id };
  }

  async reverseTransfer(reference: string, idempotencyKey: string): Promise<void> {
    await this.stripe.transfers.createReversal(reference, {}, { idempotencyKey }).catch(translate);
  }

  async listTransfers(range: { from: Date; to: Date }): Promise<ProviderTransfer[]> {
    const created = { gte: Math.floor(range.from.getTime() / 1000), lt: Math.ceil(range.to.getTime() / 1000) };
    const transfers = await this.stripe.transfers.list({ created, limit: 100 }).autoPagingToArray({ limit: 10_000 }).catch(translate);
    return transfers.map((transfer) => ({
      reference: transfer.id,
      amountMinor: transfer.amount,
      currency: transfer.currency.toUpperCase(),
      reversed: transfer.reversed,
      created: new Date(transfer.created * 1000),
      metadata: { ...transfer.metadata },
    }));
  }
}
