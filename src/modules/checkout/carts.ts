import { createHash, randomBytes } from 'node:crypto';
import { type ColumnType, type Generated, sql } from 'kysely';
import type { Tx } from '../../platform/db/database.ts';
import type { AuditColumns } from '../../platform/db/schema.ts';
import { HttpProblem } from '../../platform/http/problem.ts';
import { type CheckoutVariant, checkoutVariants } from '../catalog/index.ts';

interface CartsTable extends AuditColumns {
  id: Generated<string>;
  tenant_id: string;
  token_hash: Buffer | null;
  customer_id: string | null;
  status: ColumnType<'open' | 'merged' | 'converted', 'open' | undefined, 'open' | 'merged' | 'converted'>;
}

interface CartLinesTable extends Omit<AuditColumns, 'created_at'> {
  tenant_id: string;
  cart_id: string;
  variant_id: string;
  quantity: number;
  added_at: ColumnType<Date, never, never>;
}

declare module '../../platform/db/schema.ts' {
  interface Database {
    carts: CartsTable;
    cart_lines: CartLinesTable;
  }
}

export const MAX_LINES = 30;
export const MAX_QUANTITY = 99;

/** Whose cart: a signed-in customer's, else the guest's by the opaque token of its cookie. */
export interface CartOwner {
  customerId?: string | undefined;
  token?: string | undefined;
}

export interface PricedLine {
  variant_id: string;
  sku: string;
  product_handle: string;
  product_title: string;
  title: string;
  quantity: number;
  unit_price_minor: number;
  line_total_minor: number;
  weight_grams: number;
  currency: string;
}

export interface PricedCart {
  id: string | null;
  lines: PricedLine[];
  count: number;
  subtotal_minor: number;
  weight_grams: number;
  currency: string;
}

/** A new guest token: 256 random bits; only its hash is stored, so a database leak gives no carts away. */
export const newCartToken = () => randomBytes(32).toString('base64url');
const TOKEN = /^[A-Za-z0-9_-]{43}$/;
const hashOf = (token: string) => createHash('sha256').update(token).digest();

export async function findCart(trx: Tx, owner: CartOwner): Promise<string | undefined> {
  if (owner.customerId) {
    const row = await trx.selectFrom('carts').select('id').where('customer_id', '=', owner.customerId).where('status', '=', 'open').executeTakeFirst();
    return row?.id;
  }
  if (!owner.token || !TOKEN.test(owner.token)) return undefined;
  const row = await trx.selectFrom('carts').select('id').where('token_hash', '=', hashOf(owner.token)).where('status', '=', 'open').executeTakeFirst();
  return row?.id;
}

async function ensureCart(trx: Tx, tenantId: string, owner: CartOwner): Promise<string> {
  const existing = await findCart(trx, owner);
  if (existing) return existing;
  if (!owner.customerId && !(owner.token && TOKEN.test(owner.token))) throw new Error('a guest cart needs a token');
  const { rows } = await sql<{ id: string }>`
    insert into carts (tenant_id, token_hash, customer_id)
    values (${tenantId}, ${owner.customerId ? null : hashOf(owner.token!)}, ${owner.customerId ?? null})
    on conflict do nothing returning id`.execute(trx);
  return rows[0]?.id ?? (await findCart(trx, owner))!;
}

/** Adds to (or, with `set`, replaces) a line's quantity; quantity 0 removes the line. */
export async function changeLine(trx: Tx, tenantId: string, owner: CartOwner, variantId: string, quantity: number, mode: 'add' | 'set'): Promise<void> {
  const [variant] = await checkoutVariants(trx, [variantId]);
  if (!variant) throw new HttpProblem(422, 'Not for sale', 'This item is not for sale in this store.', { extensions: { code: 'not_for_sale' } });
  const cartId = await ensureCart(trx, tenantId, owner);
  if (mode === 'set' && quantity === 0) {
    await trx.deleteFrom('cart_lines').where('cart_id', '=', cartId).where('variant_id', '=', variantId).execute();
    return;
  }
  const count = await trx.selectFrom('cart_lines').select((eb) => eb.fn.countAll<string>().as('n')).where('cart_id', '=', cartId).where('variant_id', '<>', variantId).executeTakeFirstOrThrow();
  if (Number(count.n) >= MAX_LINES) throw new HttpProblem(422, 'Cart full', `A cart holds at most ${MAX_LINES} lines.`, { extensions: { code: 'cart_full' } });
  await sql`
    insert into cart_lines (tenant_id, cart_id, variant_id, quantity) values (${tenantId}, ${cartId}, ${variantId}, ${Math.min(quantity, MAX_QUANTITY)})
    on conflict (tenant_id, cart_id, variant_id) do update
      set quantity = least(${MAX_QUANTITY}, ${mode === 'add' ? sql`cart_lines.quantity + excluded.quantity` : sql`excluded.quantity`}), updated_at = now()`.execute(trx);
  await trx.updateTable('carts').set({ updated_at: new Date() }).where('id', '=', cartId).execute();
}

export async function clearCart(trx: Tx, owner: CartOwner): Promise<void> {
  const cartId = await findCart(trx, owner);
  if (cartId) await trx.deleteFrom('cart_lines').where('cart_id', '=', cartId).execute();
}

/**
 * At sign-in: the guest's lines join the customer's cart (quantities add up, capped), the guest cart is closed
 * as merged. Safe to repeat.
 */
export async function mergeCarts(trx: Tx, tenantId: string, guestToken: string | undefined, customerId: string): Promise<void> {
  const guestId = guestToken ? await findCart(trx, { token: guestToken }) : undefined;
  if (!guestId) return;
  const customerCartId = await ensureCart(trx, tenantId, { customerId });
  await sql`
    insert into cart_lines (tenant_id, cart_id, variant_id, quantity)
    select tenant_id, ${customerCartId}, variant_id, quantity from cart_lines where cart_id = ${guestId}
    on conflict (tenant_id, cart_id, variant_id) do update set quantity = least(${MAX_QUANTITY}, cart_lines.quantity + excluded.quantity), updated_at = now()`.execute(trx);
  await trx.updateTable('carts').set({ status: 'merged' }).where('id', '=', guestId).execute();
}

/** The cart with today's catalog prices; lines whose variant is no longer for sale drop out. */
export async function pricedCart(trx: Tx, owner: CartOwner): Promise<PricedCart> {
  const cartId = await findCart(trx, owner);
  if (!cartId) return { id: null, lines: [], count: 0, subtotal_minor: 0, weight_grams: 0, currency: 'USD' };
  const rows = await trx.selectFrom('cart_lines').select(['variant_id', 'quantity']).where('cart_id', '=', cartId).orderBy('added_at').orderBy('variant_id').execute();
  const variants = new Map<string, CheckoutVariant>((await checkoutVariants(trx, rows.map((row) => row.variant_id))).map((variant) => [variant.id, variant]));
  const lines = rows.flatMap((row): PricedLine[] => {
    const variant = variants.get(row.variant_id);
    if (!variant) return [];
    return [
      {
        variant_id: variant.id,
        sku: variant.sku,
        product_handle: variant.product_handle,
        product_title: variant.product_title,
        title: variant.title,
        quantity: row.quantity,
        unit_price_minor: variant.price_minor,
        line_total_minor: variant.price_minor * row.quantity,
        weight_grams: variant.weight_grams * row.quantity,
        currency: variant.currency,
      },
    ];
  });
  return {
    id: cartId,
    lines,
    count: lines.reduce((sum, line) => sum + line.quantity, 0),
    subtotal_minor: lines.reduce((sum, line) => sum + line.line_total_minor, 0),
    weight_grams: lines.reduce((sum, line) => sum + line.weight_grams, 0),
    currency: lines[0]?.currency ?? 'USD',
  };
}

/** Closes the cart as converted, once: false when another commit converted it first. */
export async function convertCart(trx: Tx, cartId: string): Promise<boolean> {
  const result = await trx.updateTable('carts').set({ status: 'converted' }).where('id', '=', cartId).where('status', '=', 'open').executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}
