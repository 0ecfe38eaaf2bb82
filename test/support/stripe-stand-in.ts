import { randomUUID } from 'node:crypto';
import { type IncomingMessage, type Server, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A local stand-in that speaks the part of Stripe's HTTP API the provider uses (form-encoded requests, JSON
 * objects and errors, Idempotency-Key replay), so the official SDK runs unchanged against it.
 * Payment methods: pm_card_visa approves, pm_card_chargeDeclined is declined, pm_card_threeDSecure needs action.
 * Connect: express accounts, account links, transfers (listed by creation time, with reversals).
 */
export interface StandInIntent {
  id: string;
  object: 'payment_intent';
  amount: number;
  amount_received: number;
  amount_capturable: number;
  currency: string;
  status: string;
  capture_method: string;
  client_secret: string;
  metadata: Record<string, string>;
  refunded: number;
}

export interface StandInTransfer {
  id: string;
  object: 'transfer';
  amount: number;
  amount_reversed: number;
  currency: string;
  destination: string;
  transfer_group: string | null;
  reversed: boolean;
  created: number;
  metadata: Record<string, string>;
}

function parseForm(body: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [key, value] of new URLSearchParams(body)) out[key] = value;
  return out;
}

const now = () => Math.floor(Date.now() / 1000);

function metadataOf(form: Record<string, string>): Record<string, string> {
  const metadata: Record<string, string> = {};
  for (const [key, value] of Object.entries(form)) {
    const match = /^metadata\[(.+)\]$/.exec(key);
    if (match) metadata[match[1]!] = value;
  }
  return metadata;
}

const read = (request: IncomingMessage) =>
  new Promise<string>((resolve) => {
    let body = '';
    request.setEncoding('utf8');
    request.on('data', (chunk) => (body += chunk));
    request.on('end', () => resolve(body));
  });

export class StripeStandIn {
  readonly intents = new Map<string, StandInIntent>();
  readonly accounts = new Map<string, { id: string; object: 'account'; type: string; email: string | null; metadata: Record<string, string> }>();
  readonly transfers = new Map<string, StandInTransfer>();
  readonly requests: { method: string; path: string; idempotencyKey: string | undefined; form: Record<string, string> }[] = [];
  private readonly replies = new Map<string, { status: number; body: unknown }>();
  private server: Server | undefined;
  /** Set to make every call fail with a 500 (provider outage). */
  failing = false;

  async start(): Promise<string> {
    this.server = createServer(async (request, response) => {
      const form = parseForm(await read(request));
      const key = request.headers['idempotency-key'] as string | undefined;
      this.requests.push({ method: request.method ?? '', path: request.url ?? '', idempotencyKey: key, form });
      const cacheKey = key && `${request.url} ${key}`;
      let reply = cacheKey ? this.replies.get(cacheKey) : undefined;
      if (!reply) {
        reply = this.handle(request.method ?? 'GET', request.url ?? '/', form);
        if (cacheKey && reply.status < 500) this.replies.set(cacheKey, reply);
      }
      response.writeHead(reply.status, { 'content-type': 'application/json', 'request-id': `req_${randomUUID()}` });
      response.end(JSON.stringify(reply.body));
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  stop(): Promise<void> {
    return new Promise((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }

  /** Money held or taken and not refunded, over every intent. */
  outstanding(): number {
    let total = 0;
    for (const intent of this.intents.values()) {
      if (intent.status === 'requires_capture') total += intent.amount_capturable;
      if (intent.status === 'succeeded') total += intent.amount_received - intent.refunded;
    }
    return total;
  }

  private error(status: number, type: string, message: string, extra: Record<string, string> = {}) {
    return { status, body: { error: { type, message, ...extra } } };
  }

  private handle(method: string, url: string, form: Record<string, string>): { status: number; body: unknown } {
    if (this.failing) return this.error(500, 'api_error', 'stand-in outage');
    if (method === 'POST' && url === '/v1/payment_intents') return this.create(form);
    const connect = this.connect(method, url, form);
    if (connect) return connect;
    const action = /^\/v1\/payment_intents\/([^/]+)\/(capture|cancel)$/.exec(url);
    if (method === 'POST' && action) {
      const intent = this.intents.get(action[1]!);
      if (!intent) return this.error(404, 'invalid_request_error', 'No such payment_intent', { code: 'resource_missing' });
      if (action[2] === 'capture') {
        if (intent.status !== 'requires_capture') return this.error(400, 'invalid_request_error', 'This PaymentIntent could not be captured', { code: 'payment_intent_unexpected_state' });
        const amount = Number(form.amount_to_capture ?? intent.amount);
        Object.assign(intent, { status: 'succeeded', amount_received: amount, amount_capturable: 0 });
      } else {
        if (intent.status === 'succeeded') return this.error(400, 'invalid_request_error', 'Cannot cancel a succeeded PaymentIntent', { code: 'payment_intent_unexpected_state' });
        Object.assign(intent, { status: 'canceled', amount_capturable: 0 });
      }
      return { status: 200, body: intent };
    }
    if (method === 'POST' && url === '/v1/refunds') {
      const intent = this.intents.get(form.payment_intent ?? '');
      if (!intent) return this.error(404, 'invalid_request_error', 'No such payment_intent', { code: 'resource_missing' });
      const amount = Number(form.amount ?? intent.amount_received - intent.refunded);
      if (intent.status !== 'succeeded' || intent.refunded + amount > intent.amount_received) {
        return this.error(400, 'invalid_request_error', 'Refund amount is greater than the unrefunded amount', { code: 'amount_too_large' });
      }
      intent.refunded += amount;
      return { status: 200, body: { id: `re_${randomUUID().replaceAll('-', '')}`, object: 'refund', amount, payment_intent: intent.id, status: 'succeeded' } };
    }
    return this.error(404, 'invalid_request_error', `Unrecognized request URL (${method}: ${url})`);
  }

  private connect(method: string, url: string, form: Record<string, string>): { status: number; body: unknown } | undefined {
    if (method === 'POST' && url === '/v1/accounts') {
      const account = { id: `acct_${randomUUID().replaceAll('-', '').slice(0, 16)}`, object: 'account' as const, type: form.type ?? 'express', email: form.email ?? null, metadata: metadataOf(form) };
      this.accounts.set(account.id, account);
      return { status: 200, body: account };
    }
    if (method === 'POST' && url === '/v1/account_links') {
      if (!this.accounts.has(form.account ?? '')) return this.error(400, 'invalid_request_error', 'No such account', { code: 'resource_missing', param: 'account' });
      return { status: 200, body: { object: 'account_link', url: `https://connect.stripe.test/setup/e/${form.account}/${randomUUID().slice(0, 8)}`, created: now(), expires_at: now() + 300 } };
    }
    if (method === 'POST' && url === '/v1/transfers') {
      const amount = Number(form.amount);
      if (!Number.isInteger(amount) || amount < 1) return this.error(400, 'invalid_request_error', 'Invalid amount', { param: 'amount' });
      if (!this.accounts.has(form.destination ?? '')) return this.error(400, 'invalid_request_error', 'No such destination account', { code: 'resource_missing', param: 'destination' });
      const transfer: StandInTransfer = {
        id: `tr_${randomUUID().replaceAll('-', '').slice(0, 20)}`,
        object: 'transfer',
        amount,
        amount_reversed: 0,
        currency: form.currency ?? 'usd',
        destination: form.destination!,
        transfer_group: form.transfer_group ?? null,
        reversed: false,
        created: now(),
        metadata: metadataOf(form),
      };
      this.transfers.set(transfer.id, transfer);
      return { status: 200, body: transfer };
    }
    const reversal = /^\/v1\/transfers\/([^/]+)\/reversals$/.exec(url);
    if (method === 'POST' && reversal) {
      const transfer = this.transfers.get(reversal[1]!);
      if (!transfer) return this.error(404, 'invalid_request_error', 'No such transfer', { code: 'resource_missing' });
      const amount = Number(form.amount ?? transfer.amount - transfer.amount_reversed);
      transfer.amount_reversed += amount;
      transfer.reversed = transfer.amount_reversed >= transfer.amount;
      return { status: 200, body: { id: `trr_${randomUUID().replaceAll('-', '').slice(0, 16)}`, object: 'transfer_reversal', amount, transfer: transfer.id } };
    }
    if (method === 'GET' && url.startsWith('/v1/transfers?')) {
      const query = new URLSearchParams(url.slice('/v1/transfers?'.length));
      const gte = Number(query.get('created[gte]') ?? 0);
      const lt = Number(query.get('created[lt]') ?? Number.MAX_SAFE_INTEGER);
      const limit = Number(query.get('limit') ?? 10);
      const after = query.get('starting_after');
      // Newest first, as Stripe lists.
      const all = [...this.transfers.values()].filter((transfer) => transfer.created >= gte && transfer.created < lt).reverse();
      const start = after ? all.findIndex((transfer) => transfer.id === after) + 1 : 0;
      const data = all.slice(start, start + limit);
      return { status: 200, body: { object: 'list', url: '/v1/transfers', has_more: start + limit < all.length, data } };
    }
    return undefined;
  }

  private create(form: Record<string, string>) {
    const amount = Number(form.amount);
    if (!Number.isInteger(amount) || amount < 1 || !form.currency) return this.error(400, 'invalid_request_error', 'Missing required param: amount.', { param: 'amount' });
    if (form.payment_method === 'pm_card_chargeDeclined') {
      return this.error(402, 'card_error', 'Your card was declined.', { code: 'card_declined', decline_code: 'generic_decline' });
    }
    const id = `pi_${randomUUID().replaceAll('-', '')}`;
    const manual = form.capture_method === 'manual';
    const action = form.payment_method === 'pm_card_threeDSecure';
    const metadata = metadataOf(form);
    const intent: StandInIntent = {
      id,
      object: 'payment_intent',
      amount,
      currency: form.currency,
      capture_method: manual ? 'manual' : 'automatic',
      status: action ? 'requires_action' : manual ? 'requires_capture' : 'succeeded',
      amount_received: action || manual ? 0 : amount,
      amount_capturable: manual && !action ? amount : 0,
      client_secret: `${id}_secret_${randomUUID().slice(0, 8)}`,
      metadata,
      refunded: 0,
    };
    this.intents.set(id, intent);
    return { status: 200, body: intent };
  }
}
