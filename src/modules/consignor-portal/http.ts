import type { FastifyReply, FastifyRequest } from 'fastify';
import { HttpProblem } from '../../platform/http/problem.ts';
import type { Platform } from '../../platform/platform.ts';
import { cartScript, type Html, layout, loadBranding } from '../storefront/index.ts';
import type { Tenant } from '../tenancy/index.ts';

export const PATH = '/consignor';
const HTML = 'text/html; charset=utf-8';

/** The portal cookie: sent only to /consignor pages of this host, never readable by script. */
export const cookieName = (request: FastifyRequest) => (request.protocol === 'https' ? '__Secure-vs_consignor' : 'vs_consignor');
export const cookieOptions = (request: FastifyRequest) => ({ path: PATH, httpOnly: true, sameSite: 'lax' as const, secure: request.protocol === 'https' });

export function tenantOf(request: FastifyRequest): Tenant {
  if (!request.tenant) throw new HttpProblem(404, 'Not Found', 'The consignor portal is served on a store host.');
  return request.tenant;
}

/** A portal page in the store's layout and branding; never cached (it shows one consignor's money). */
export async function sendPage(platform: Platform, request: FastifyRequest, reply: FastifyReply, title: string, body: Html, status = 200) {
  const branding = await loadBranding(platform, tenantOf(request));
  return reply.code(status).header('cache-control', 'private, no-store').type(HTML).send(layout(branding, title, body, cartScript.path).value);
}
