import { randomBytes, timingSafeEqual } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Tx } from '../../platform/db/database.ts';
import { HttpProblem } from '../../platform/http/problem.ts';
import { cartVariants } from '../catalog/index.ts';
import { formatMoney } from './html.ts';

/**
 * The shopper's cart lives in a cookie (variant ids and quantities only; prices always come from the catalog),
 * so anonymous pages stay cacheable and no server state is needed before checkout.
 */
/**
 * Over HTTPS the cookies carry the `__Host-` prefix: the browser then accepts them only with Secure, Path=/ and no
 * Domain, so a sibling store's subdomain cannot plant (toss) a cart or CSRF cookie for this one. Plain HTTP (local
 * development) cannot hold a Secure cookie, so there they have the bare names.
 */
const cookieName = (request: FastifyRequest, name: 'vs_cart' | 'vs_csrf') => (request.protocol === 'https' ? `__Host-${name}` : name);
const MAX_LINES = 30;
const MAX_QUANTITY = 99;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

export type CartLines = Map<string, number>;

export function readCart(request: FastifyRequest): CartLines {
  const raw = request.cookies[cookieName(request, 'vs_cart')];
  const lines: CartLines = new Map();
  if (!raw) return lines;
  try {
    const parsed: unknown = JSON.parse(Buffer.from(raw, 'base64url').toString('utf8'));
    if (!Array.isArray(parsed)) return lines;
    for (const entry of parsed.slice(0, MAX_LINES)) {
      if (Array.isArray(entry) && typeof entry[0] === 'string' && UUID.test(entry[0]) && Number.isInteger(entry[1]) && entry[1] > 0) {
        lines.set(entry[0], Math.min(entry[1], MAX_QUANTITY));
      }
    }
  } catch {
    // A tampered or truncated cookie is an empty cart, not an error.
  }
  return lines;
}

const cookieOptions = (request: FastifyRequest) => ({ path: '/', httpOnly: true, sameSite: 'lax' as const, secure: request.protocol === 'https' });

export function writeCart(request: FastifyRequest, reply: FastifyReply, lines: CartLines): void {
  const value = Buffer.from(JSON.stringify([...lines])).toString('base64url');
  reply.setCookie(cookieName(request, 'vs_cart'), value, { ...cookieOptions(request), maxAge: 60 * 60 * 24 * 30 });
}

export function addLine(lines: CartLines, variantId: string, quantity: number): CartLines {
  if (!lines.has(variantId) && lines.size >= MAX_LINES) throw new HttpProblem(422, 'Cart full', `A cart holds at most ${MAX_LINES} lines.`);
  lines.set(variantId, Math.min((lines.get(variantId) ?? 0) + quantity, MAX_QUANTITY));
  return lines;
}

/** Double-submit token: a random value in an HttpOnly cookie that each form must echo in `_csrf`. */
export function csrfToken(request: FastifyRequest, reply: FastifyReply): string {
  const existing = request.cookies[cookieName(request, 'vs_csrf')];
  if (existing && /^[A-Za-z0-9_-]{32}$/.test(existing)) return existing;
  const token = randomBytes(24).toString('base64url');
  reply.setCookie(cookieName(request, 'vs_csrf'), token, cookieOptions(request));
  return token;
}

export function verifyCsrf(request: FastifyRequest, submitted: string | undefined): void {
  const expected = request.cookies[cookieName(request, 'vs_csrf')];
  const valid =
    typeof submitted === 'string' && expected !== undefined && submitted.length === expected.length && timingSafeEqual(Buffer.from(submitted), Buffer.from(expected));
  if (!valid) throw new HttpProblem(403, 'CSRF token invalid', 'Reload the page and try again.');
}

export interface PricedCart {
  lines: { variant_id: string; product_handle: string; product_title: string; title: string; quantity: number; price_minor: number; currency: string; line_total: string }[];
  count: number;
  subtotal_minor: number;
  subtotal: string;
}

/** Prices the cart from the catalog; variants no longer for sale drop out. One currency per store is assumed. */
export async function priceCart(trx: Tx, lines: CartLines): Promise<PricedCart> {
  const variants = await cartVariants(trx, [...lines.keys()]);
  const priced = variants.map((variant) => {
    const quantity = lines.get(variant.id) ?? 0;
    return {
      variant_id: variant.id,
      product_handle: variant.product_handle,
      product_title: variant.product_title,
      title: variant.title,
      quantity,
      price_minor: variant.price_minor,
      currency: variant.currency,
      line_total: formatMoney(variant.price_minor * quantity, variant.currency),
    };
  });
  const subtotal = priced.reduce((sum, line) => sum + line.price_minor * line.quantity, 0);
  const currency = priced[0]?.currency ?? 'USD';
  return { lines: priced, count: priced.reduce((sum, line) => sum + line.quantity, 0), subtotal_minor: subtotal, subtotal: formatMoney(subtotal, currency) };
}
