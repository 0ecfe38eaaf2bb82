import { randomBytes, timingSafeEqual } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { HttpProblem } from '../../platform/http/problem.ts';
import { type CartOwner, type PricedCart, newCartToken } from '../checkout/index.ts';
import { formatMoney } from './html.ts';

/**
 * The guest's cart is kept in the database; its cookie holds only an opaque random token (256 bits), so pages
 * stay cacheable and nothing about the cart can be read or forged from the cookie.
 */
/**
 * Over HTTPS the cookies carry the `__Host-` prefix: the browser then accepts them only with Secure, Path=/ and no
 * Domain, so a sibling store's subdomain cannot plant (toss) a cart or CSRF cookie for this one. Plain HTTP (local
 * development) cannot hold a Secure cookie, so there they have the bare names.
 */
const cookieName = (request: FastifyRequest, name: 'vs_cart' | 'vs_csrf') => (request.protocol === 'https' ? `__Host-${name}` : name);

const cookieOptions = (request: FastifyRequest) => ({ path: '/', httpOnly: true, sameSite: 'lax' as const, secure: request.protocol === 'https' });

/** The cart owner of this request; `create` gives a guest without a cart cookie a new token. */
export function cartOwner(request: FastifyRequest, reply: FastifyReply, create = false): CartOwner {
  let token = request.cookies[cookieName(request, 'vs_cart')];
  if (!token && create) {
    token = newCartToken();
    reply.setCookie(cookieName(request, 'vs_cart'), token, { ...cookieOptions(request), maxAge: 60 * 60 * 24 * 30 });
  }
  return { token };
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

export interface CartView {
  lines: { variant_id: string; product_handle: string; product_title: string; title: string; quantity: number; line_total: string }[];
  count: number;
  subtotal_minor: number;
  subtotal: string;
  currency: string;
}

export function cartView(cart: PricedCart): CartView {
  return {
    lines: cart.lines.map((line) => ({
      variant_id: line.variant_id,
      product_handle: line.product_handle,
      product_title: line.product_title,
      title: line.title,
      quantity: line.quantity,
      line_total: formatMoney(line.line_total_minor, line.currency),
    })),
    count: cart.count,
    subtotal_minor: cart.subtotal_minor,
    subtotal: formatMoney(cart.subtotal_minor, cart.currency),
    currency: cart.currency,
  };
}
