import { randomUUID } from 'node:crypto';
import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import { sql } from 'kysely';
import type { Db } from '../../src/platform/db/database.ts';

/** A published product with one variant and `stock` units at one location, written straight to the store's tables. */
export async function seedProduct(db: Db, tenantId: string, options: { price: number; stock: number; weight?: number; title?: string }): Promise<{ handle: string; variantId: string }> {
  const handle = `item-${randomUUID().slice(0, 8)}`;
  const variantId = await db.withTenant(tenantId, async (trx) => {
    const { rows } = await sql<{ id: string }>`
      with p as (insert into products (tenant_id, handle, title, status, published_at) values (${tenantId}, ${handle}, ${options.title ?? `Item ${handle}`}, 'published', now() - interval '1 minute') returning id)
      insert into variants (tenant_id, product_id, sku, title, price_minor, currency, weight_grams)
      select ${tenantId}, p.id, ${`SKU-${handle}`}, '', ${options.price}, 'USD', ${options.weight ?? 300} from p returning id`.execute(trx);
    const variant = rows[0]!.id;
    await sql`
      with loc as (insert into inventory_locations (tenant_id, code, name) values (${tenantId}, ${`loc-${handle}`.slice(0, 40)}, 'Shop') returning id)
      insert into inventory_levels (tenant_id, variant_id, location_id, on_hand) select ${tenantId}, ${variant}, id, ${options.stock} from loc`.execute(trx);
    return variant;
  });
  return { handle, variantId };
}

export async function onHand(db: Db, tenantId: string, variantId: string): Promise<number> {
  const { rows } = await db.withTenant(tenantId, (trx) => sql<{ n: number }>`select coalesce(sum(on_hand), 0)::int as n from inventory_levels where variant_id = ${variantId}`.execute(trx));
  return rows[0]!.n;
}

export async function activeHolds(db: Db, tenantId: string, variantId: string): Promise<number> {
  const { rows } = await db.withTenant(tenantId, (trx) =>
    sql<{ n: number }>`select coalesce(sum(quantity), 0)::int as n from inventory_reservations where variant_id = ${variantId} and status = 'active'`.execute(trx),
  );
  return rows[0]!.n;
}

export const ADDRESS = { name: 'Ada Shopper', line1: '1 Main St', city: 'Springfield', region: 'CA', postal_code: '94105', country: 'US' };

let shoppers = 0;

/**
 * A shopper with its own cookies (cart token, CSRF) and its own address (the store's budget is shared fairly
 * between addresses, so fifty buyers from one address would be one client), driving the storefront over `inject`.
 */
export class Shopper {
  private readonly cookies = new Map<string, string>();
  private readonly address = `10.77.${Math.floor(++shoppers / 250) % 250}.${(shoppers % 250) + 1}`;
  csrf = '';
  private readonly app: FastifyInstance;
  private readonly host: string;

  constructor(app: FastifyInstance, host: string) {
    this.app = app;
    this.host = host;
  }

  async request(method: 'GET' | 'POST', url: string, payload?: object, headers: Record<string, string> = {}): Promise<LightMyRequestResponse> {
    const response = await this.app.inject({
      method,
      url,
      headers: { host: this.host, cookie: [...this.cookies].map(([name, value]) => `${name}=${value}`).join('; '), accept: 'application/json', ...headers },
      remoteAddress: this.address,
      ...(payload ? { payload } : {}),
    });
    for (const cookie of response.cookies) this.cookies.set(cookie.name, cookie.value);
    return response;
  }

  async start(): Promise<this> {
    this.csrf = (await this.request('GET', '/cart.json')).json().csrf_token;
    return this;
  }

  async add(variantId: string, quantity = 1): Promise<LightMyRequestResponse> {
    return this.request('POST', '/cart/items', { _csrf: this.csrf, variant_id: variantId, quantity });
  }

  commitBody(overrides: Record<string, unknown> = {}) {
    return { _csrf: this.csrf, email: 'ada@example.test', shipping_address: ADDRESS, shipping_method: 'domestic:standard', payment_method: 'tok_visa', ...overrides };
  }

  async commit(overrides: Record<string, unknown> = {}, key: string | null = randomUUID()): Promise<LightMyRequestResponse> {
    return this.request('POST', '/checkout/commit', this.commitBody(overrides), key ? { 'idempotency-key': key } : {});
  }
}
