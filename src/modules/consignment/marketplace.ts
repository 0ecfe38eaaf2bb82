import { randomUUID } from 'node:crypto';
import { HttpProblem } from '../../platform/http/problem.ts';

export interface TransferRequest {
  /** The consignor's connected account. */
  accountId: string;
  amountMinor: number;
  currency: string;
  /** The provider is asked at most once per key: a retry returns the same transfer, never a second one. */
  idempotencyKey: string;
  /** Groups a run's transfers at the provider. */
  group: string;
  metadata: { tenant_id: string; payout_id: string; attempt: string };
}

export interface ProviderTransfer {
  reference: string;
  amountMinor: number;
  currency: string;
  reversed: boolean;
  created: Date;
  metadata: Record<string, string>;
}

/**
 * A marketplace provider that pays consignors: connected accounts with hosted onboarding, and transfers from
 * the platform's balance to them. Every write takes an idempotency key.
 */
export interface MarketplaceProvider {
  readonly name: 'test' | 'stripe';
  createAccount(input: { email: string | null; displayName: string; metadata: Record<string, string> }, idempotencyKey: string): Promise<{ accountId: string }>;
  onboardingLink(accountId: string, urls: { refreshUrl: string; returnUrl: string }): Promise<{ url: string; expiresAt: Date }>;
  transfer(request: TransferRequest): Promise<{ reference: string }>;
  /** Gives a transfer back (a later step of the payout failed). */
  reverseTransfer(reference: string, idempotencyKey: string): Promise<void>;
  /** Transfers created in [from, to), all pages. */
  listTransfers(range: { from: Date; to: Date }): Promise<ProviderTransfer[]>;
}

/** The provider did not answer or refused: nothing moved that stays moved. */
export class MarketplaceUnavailable extends HttpProblem {
  constructor(detail: string) {
    super(503, 'Payout provider unavailable', detail, { headers: { 'retry-after': '30' }, extensions: { code: 'payout_provider_unavailable' } });
  }
}

/**
 * The embedded default: accounts and transfers in memory, with the semantics of the real provider
 * (idempotency keys, reversals, listing by creation time). `unavailable` makes every call fail (tests, drills).
 */
export class TestMarketplaceProvider implements MarketplaceProvider {
  readonly name = 'test' as const;
  unavailable = false;
  private readonly accounts = new Set<string>();
  private readonly transfers = new Map<string, ProviderTransfer & { accountId: string }>();
  private readonly byKey = new Map<string, unknown>();

  async createAccount(_input: { email: string | null; displayName: string }, idempotencyKey: string): Promise<{ accountId: string }> {
    return this.once(idempotencyKey, () => {
      const accountId = `acct_test${randomUUID().replaceAll('-', '').slice(0, 16)}`;
      this.accounts.add(accountId);
      return { accountId };
    });
  }

  async onboardingLink(accountId: string, urls: { returnUrl: string }): Promise<{ url: string; expiresAt: Date }> {
    this.check();
    return { url: `${urls.returnUrl}${urls.returnUrl.includes('?') ? '&' : '?'}test_account=${accountId}`, expiresAt: new Date(Date.now() + 300_000) };
  }

  async transfer(request: TransferRequest): Promise<{ reference: string }> {
    return this.once(request.idempotencyKey, () => {
      const reference = `tr_test${randomUUID().replaceAll('-', '').slice(0, 20)}`;
      this.transfers.set(reference, { reference, accountId: request.accountId, amountMinor: request.amountMinor, currency: request.currency, reversed: false, created: new Date(), metadata: { ...request.metadata } });
      return { reference };
    });
  }

  async reverseTransfer(reference: string, idempotencyKey: string): Promise<void> {
    this.once(idempotencyKey, () => {
      const transfer = this.transfers.get(reference);
      if (transfer) transfer.reversed = true;
    });
  }

  async listTransfers(range: { from: Date; to: Date }): Promise<ProviderTransfer[]> {
    this.check();
    return [...this.transfers.values()].filter((transfer) => transfer.created >= range.from && transfer.created < range.to).map(({ accountId: _, ...transfer }) => transfer);
  }

  private check(): void {
    if (this.unavailable) throw new MarketplaceUnavailable('The test payout provider is switched to unavailable.');
  }

  private once<T>(key: string, fn: () => T): T {
    this.check();
    if (this.byKey.has(key)) return this.byKey.get(key) as T;
    const result = fn();
    this.byKey.set(key, result);
    return result;
  }
}
