import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { Type } from 'typebox';
import { HttpProblem } from '../../platform/http/problem.ts';
import { tracer } from '../../platform/observability/tracing.ts';
import type { Platform } from '../../platform/platform.ts';
import { AddressSchema, CommitBody, CommitResponse, checkout, loadOrder, previewCheckout, pricedCart } from '../checkout/index.ts';
import { checkoutSettings } from '../payments/index.ts';
import type { Tenant } from '../tenancy/index.ts';
import { cartScript, checkoutScript } from './assets.ts';
import { cartView, csrfToken, verifyCsrf } from './cart.ts';
import { customerOf, shopperOf } from './session.ts';
import { type Branding, layout } from './templates/layout.ts';
import { checkoutPage, confirmationPage } from './templates/checkout.ts';
import { varyOn } from '../../platform/http/vary.ts';

const PRIVATE = 'private, no-store';
const HTML = 'text/html; charset=utf-8';
const LAST_ORDER_COOKIE = 'vs_last_order';

function tenantOf(request: FastifyRequest): Tenant {
  if (!request.tenant) throw new HttpProblem(404, 'Not Found', 'The storefront is served on a store host.');
  return request.tenant;
}

/** The checkout pages (contact and address → shipping → payment → confirmation) and their JSON calls. */
export async function checkoutRoutes(app: FastifyInstance, platform: Platform, brandingOf: (tenant: Tenant) => Promise<Branding>): Promise<void> {
  const api = app.withTypeProvider<import('@fastify/type-provider-typebox').TypeBoxTypeProvider>();
  const service = () => checkout(platform);
  const ownerOf = (request: FastifyRequest, reply: FastifyReply) => shopperOf(platform, request, reply);

  api.get('/checkout', async (request, reply) => {
    const tenant = tenantOf(request);
    const token = csrfToken(request, reply);
    const { owner } = await ownerOf(request, reply);
    const [cart, settings] = await platform.db.withTenant(tenant.id, async (trx) => [await pricedCart(trx, owner), await checkoutSettings(trx)] as const);
    const branding = await brandingOf(tenant);
    const payment = service().payments.provider(settings.provider).browserConfig();
    reply.header('cache-control', PRIVATE);
    const body = checkoutPage({ cart: cartView(cart), csrfToken: token, payment, script: checkoutScript.path });
    return reply.type(HTML).send(layout(branding, 'Checkout', body, cartScript.path).value);
  });

  const ShippingBody = Type.Object({ _csrf: Type.String({ maxLength: 100 }), shipping_address: AddressSchema }, { additionalProperties: false });
  api.post('/checkout/shipping-rates', { schema: { body: ShippingBody } }, async (request, reply) => {
    const tenant = tenantOf(request);
    verifyCsrf(request, request.body._csrf);
    const { owner } = await ownerOf(request, reply);
    const preview = await platform.db.withTenant(tenant.id, (trx) => previewCheckout(service().parts, trx, { tenantId: tenant.id, owner, address: request.body.shipping_address }));
    return reply.header('cache-control', PRIVATE).send(preview);
  });

  api.post('/checkout/commit', { schema: { tags: ['checkout'], security: [], body: CommitBody, response: { 201: CommitResponse } } }, async (request, reply) => {
    const tenant = tenantOf(request);
    verifyCsrf(request, request.body._csrf);
    const { owner, customer } = await ownerOf(request, reply);
    const result = await tracer('checkout-orchestrator').startActiveSpan('StorefrontController.checkout', async (span) => {
      try {
        const committed = await service().commit(request, {
          tenantId: tenant.id,
          owner,
          customerId: customer?.id ?? null,
          email: request.body.email.toLowerCase(),
          address: request.body.shipping_address,
          shippingMethodId: request.body.shipping_method,
          paymentMethod: request.body.payment_method,
          expectedTotalMinor: request.body.expected_total_minor,
        });
        span.setAttribute('order.id', committed.body.order_id);
        return committed;
      } catch (error) {
        span.recordException(error as Error);
        span.setStatus({ code: 2 });
        throw error;
      } finally {
        span.end();
      }
    });
    if (result.replayed) reply.header('idempotent-replayed', 'true');
    reply.setCookie(LAST_ORDER_COOKIE, result.body.order_id, { path: '/', httpOnly: true, sameSite: 'lax', secure: request.protocol === 'https', maxAge: 60 * 60 * 24 });
    return reply.header('cache-control', PRIVATE).code(result.status as 201).send(result.body);
  });

  api.get('/checkout/confirmation/:id', { schema: { params: Type.Object({ id: Type.String({ format: 'uuid' }) }, { additionalProperties: false }) } }, async (request, reply) => {
    const tenant = tenantOf(request);
    const customer = await customerOf(platform, request);
    // The shopper who placed it (cookie) or the signed-in customer it belongs to; anyone else gets a 404.
    const mayView = request.cookies[LAST_ORDER_COOKIE] === request.params.id;
    const order = await platform.db.withTenant(tenant.id, (trx) => loadOrder(trx, { id: request.params.id }, customer && !mayView ? { customerId: customer.id } : {}));
    if (!order || (!mayView && !customer)) throw new HttpProblem(404, 'Not Found', 'No such order.');
    const branding = await brandingOf(tenant);
    reply.header('cache-control', PRIVATE);
    return reply.type(HTML).send(layout(branding, `Order #${order.number}`, confirmationPage(order), cartScript.path).value);
  });

  app.get(checkoutScript.path, async (request, reply) => {
    varyOn(reply.header('cache-control', 'public, max-age=31536000, immutable'), 'Accept-Encoding').type('text/javascript; charset=utf-8');
    if (request.headers['accept-encoding']?.includes('gzip')) return reply.header('content-encoding', 'gzip').send(checkoutScript.gzipped);
    return reply.send(checkoutScript.body);
  });
}
