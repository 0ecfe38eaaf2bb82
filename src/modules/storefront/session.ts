import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Platform } from '../../platform/platform.ts';
import type { CartOwner } from '../checkout/index.ts';
import { customerAccounts } from '../identity/index.ts';
import { cartOwner } from './cart.ts';

/** The signed-in customer's tokens, in HttpOnly cookies: the access token (15 min) and its refresh token. */
const ACCESS_COOKIE = 'vs_session';
const REFRESH_COOKIE = 'vs_refresh';

const options = (request: FastifyRequest) => ({ path: '/', httpOnly: true, sameSite: 'lax' as const, secure: request.protocol === 'https' });
export const originOf = (request: FastifyRequest) => ({ ip: request.ip, userAgent: request.headers['user-agent'] ?? null });

export function startSession(request: FastifyRequest, reply: FastifyReply, tokens: { access_token: string; refresh_token: string }): void {
  reply.setCookie(ACCESS_COOKIE, tokens.access_token, { ...options(request), maxAge: 15 * 60 });
  reply.setCookie(REFRESH_COOKIE, tokens.refresh_token, { ...options(request), maxAge: 60 * 60 * 24 * 30 });
}

export async function endSession(platform: Platform, request: FastifyRequest, reply: FastifyReply): Promise<void> {
  const refreshToken = request.cookies[REFRESH_COOKIE];
  if (refreshToken && request.tenant) await customerAccounts(platform).signOut(request.tenant.id, refreshToken, originOf(request)).catch(() => undefined);
  reply.clearCookie(ACCESS_COOKIE, { path: '/' }).clearCookie(REFRESH_COOKIE, { path: '/' });
}

/** The signed-in customer of this store, renewing an expired access token with the refresh token when a reply is given. */
export async function customerOf(platform: Platform, request: FastifyRequest, reply?: FastifyReply): Promise<{ id: string } | null> {
  const tenant = request.tenant;
  if (!tenant) return null;
  const accounts = customerAccounts(platform);
  const access = request.cookies[ACCESS_COOKIE];
  const id = access ? await accounts.verify(tenant.id, access) : null;
  if (id) return { id };
  const refreshToken = request.cookies[REFRESH_COOKIE];
  if (!reply || !refreshToken) return null;
  try {
    const tokens = await accounts.refresh(tenant.id, refreshToken, originOf(request));
    startSession(request, reply, tokens);
    const renewed = await accounts.verify(tenant.id, tokens.access_token);
    return renewed ? { id: renewed } : null;
  } catch {
    reply.clearCookie(REFRESH_COOKIE, { path: '/' });
    return null;
  }
}

/** Whose cart this request works on: the signed-in customer's, else the guest's cookie cart. */
export async function shopperOf(platform: Platform, request: FastifyRequest, reply: FastifyReply, create = false): Promise<{ owner: CartOwner; customer: { id: string } | null }> {
  const customer = await customerOf(platform, request, reply);
  return { owner: customer ? { customerId: customer.id } : cartOwner(request, reply, create), customer };
}
