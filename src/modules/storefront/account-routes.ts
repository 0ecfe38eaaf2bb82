import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { Type } from 'typebox';
import { HttpProblem } from '../../platform/http/problem.ts';
import type { Platform } from '../../platform/platform.ts';
import { listOrders, loadOrder, mergeCarts } from '../checkout/index.ts';
import { customerAccounts } from '../identity/index.ts';
import type { Tenant } from '../tenancy/index.ts';
import { cartScript } from './assets.ts';
import { cartOwner, csrfToken, verifyCsrf } from './cart.ts';
import { customerOf, endSession, originOf, startSession } from './session.ts';
import { accountOrderPage, accountPage, authPage } from './templates/account.ts';
import { type Branding, layout } from './templates/layout.ts';

const PRIVATE = 'private, no-store';
const HTML = 'text/html; charset=utf-8';

const Credentials = Type.Object({ _csrf: Type.String({ maxLength: 100 }), email: Type.String({ maxLength: 254 }), password: Type.String({ maxLength: 200 }) }, { additionalProperties: false });
const Registration = Type.Object(
  { _csrf: Type.String({ maxLength: 100 }), display_name: Type.String({ minLength: 1, maxLength: 200 }), email: Type.String({ maxLength: 254 }), password: Type.String({ maxLength: 200 }) },
  { additionalProperties: false },
);

/** Customer account pages: register, sign in (the guest cart joins the account's), order history and detail. */
export async function accountRoutes(app: FastifyInstance, platform: Platform, brandingOf: (tenant: Tenant) => Promise<Branding>): Promise<void> {
  const api = app.withTypeProvider<TypeBoxTypeProvider>();
  const accounts = customerAccounts(platform);
  const tenantOf = (request: FastifyRequest): Tenant => {
    if (!request.tenant) throw new HttpProblem(404, 'Not Found', 'The storefront is served on a store host.');
    return request.tenant;
  };
  const send = async (request: FastifyRequest, reply: FastifyReply, title: string, body: Parameters<typeof layout>[2], status = 200) =>
    reply
      .code(status)
      .header('cache-control', PRIVATE)
      .type(HTML)
      .send(layout(await brandingOf(tenantOf(request)), title, body, cartScript.path).value);

  const signedIn = async (request: FastifyRequest, reply: FastifyReply, tokens: { access_token: string; refresh_token: string }) => {
    const tenant = tenantOf(request);
    startSession(request, reply, tokens);
    const customerId = await accounts.verify(tenant.id, tokens.access_token);
    if (customerId) await platform.db.withTenant(tenant.id, (trx) => mergeCarts(trx, tenant.id, cartOwner(request, reply).token, customerId));
    return reply.redirect('/account', 303);
  };
  const formError = (error: unknown) => {
    if (error instanceof HttpProblem && error.status < 500) return error.message;
    throw error;
  };

  api.get('/account/sign-in', async (request, reply) => send(request, reply, 'Sign in', authPage('sign-in', csrfToken(request, reply), null)));
  api.get('/account/register', async (request, reply) => send(request, reply, 'Create an account', authPage('register', csrfToken(request, reply), null)));

  api.post('/account/sign-in', { schema: { body: Credentials } }, async (request, reply) => {
    const tenant = tenantOf(request);
    verifyCsrf(request, request.body._csrf);
    try {
      return await signedIn(request, reply, await accounts.signIn(tenant.id, request.body.email, request.body.password, originOf(request)));
    } catch (error) {
      return send(request, reply, 'Sign in', authPage('sign-in', request.body._csrf, formError(error), request.body.email), 401);
    }
  });

  api.post('/account/register', { schema: { body: Registration } }, async (request, reply) => {
    const tenant = tenantOf(request);
    verifyCsrf(request, request.body._csrf);
    try {
      await accounts.register(tenant.id, { email: request.body.email, password: request.body.password, displayName: request.body.display_name });
      return await signedIn(request, reply, await accounts.signIn(tenant.id, request.body.email, request.body.password, originOf(request)));
    } catch (error) {
      return send(request, reply, 'Create an account', authPage('register', request.body._csrf, formError(error), request.body.email), 422);
    }
  });

  api.post('/account/sign-out', { schema: { body: Type.Object({ _csrf: Type.String({ maxLength: 100 }) }, { additionalProperties: false }) } }, async (request, reply) => {
    verifyCsrf(request, request.body._csrf);
    await endSession(platform, request, reply);
    return reply.redirect('/', 303);
  });

  api.get('/account', async (request, reply) => {
    const tenant = tenantOf(request);
    const customer = await customerOf(platform, request, reply);
    if (!customer) return reply.redirect('/account/sign-in', 303);
    const orders = await platform.db.withTenant(tenant.id, (trx) => listOrders(trx, { customerId: customer.id, limit: 50 }));
    return send(request, reply, 'Your account', accountPage(orders, csrfToken(request, reply)));
  });

  api.get('/account/orders/:number', { schema: { params: Type.Object({ number: Type.String({ pattern: '^[1-9][0-9]{0,8}$' }) }, { additionalProperties: false }) } }, async (request, reply) => {
    const tenant = tenantOf(request);
    const customer = await customerOf(platform, request, reply);
    if (!customer) return reply.redirect('/account/sign-in', 303);
    const order = await platform.db.withTenant(tenant.id, (trx) => loadOrder(trx, { number: Number(request.params.number) }, { customerId: customer.id }));
    if (!order) throw new HttpProblem(404, 'Not Found', 'No such order in your account.');
    return send(request, reply, `Order #${order.number}`, accountOrderPage(order));
  });
}
