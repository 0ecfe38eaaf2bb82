import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { Type } from 'typebox';
import { requireScopes } from '../../platform/http/auth.ts';
import { idempotent } from '../../platform/http/idempotency.ts';
import { decodeCursor, pageSchema, toPage } from '../../platform/http/pagination.ts';
import { HttpProblem } from '../../platform/http/problem.ts';
import type { Platform } from '../../platform/platform.ts';
import { checkoutSettings, saveCheckoutSettings } from '../payments/index.ts';
import { listOrders, loadOrder, orderSummary } from './orders.ts';
import { CancelBody, FulfilBody, OrderListQuery, OrderParams, OrderSummaryBody, OrderSummaryQuery, OrderSummaryView, OrderView, RefundBody, SettingsBody, ShippingTaxBody, ShippingTaxView } from './schemas.ts';
import { type Checkout, actionKey } from './service.ts';
import { saveShippingTaxSettings, shippingTaxSettings } from './store-rates.ts';
import { TimelineView, orderTimeline } from './timeline.ts';

export const ADMIN_PREFIX = '/admin/api/v1';
const tags = ['orders'];
const IdempotencyHeaders = Type.Object({ 'idempotency-key': Type.Optional(Type.String({ description: 'Retries with the same key replay the first response.' })) });
const CURSOR = /^\d{4}-\d{2}-\d{2}T[\d:.]+Z\|[0-9a-f-]{36}$/;

function storeOf(request: FastifyRequest): string {
  if (!request.tenant) throw new HttpProblem(404, 'Not Found', 'This endpoint is served on a store host.');
  return request.tenant.id;
}

/** The merchant's order API: list, search, read, fulfil, cancel, refund; and the store's checkout, shipping and tax settings. */
export async function checkoutRoutes(app: FastifyInstance, platform: Platform, checkout: () => Checkout): Promise<void> {
  const api = app.withTypeProvider<TypeBoxTypeProvider>();
  const read = requireScopes('orders:read');
  const write = requireScopes('orders:write');

  api.get(`${ADMIN_PREFIX}/orders`, { preHandler: read, schema: { tags, querystring: OrderListQuery, response: { 200: pageSchema(OrderSummaryView) } } }, async (request) => {
    const limit = request.query.limit ?? 25;
    const key = decodeCursor(request.query.cursor, (value) => CURSOR.test(value));
    const [placedAt, id] = key ? key.split('|') : [];
    const rows = await platform.db.withTenant(storeOf(request), (trx) =>
      listOrders(trx, { status: request.query.status, query: request.query.q, after: placedAt && id ? { placedAt, id } : undefined, limit: limit + 1 }),
    );
    return toPage(rows, limit, (row) => `${row.placed_at}|${row.id}`);
  });

  api.get(`${ADMIN_PREFIX}/orders/summary`, { preHandler: read, schema: { tags, querystring: OrderSummaryQuery, response: { 200: OrderSummaryBody } } }, async (request) =>
    platform.db.withTenant(storeOf(request), (trx) => orderSummary(trx, new Date(request.query.since))),
  );

  api.get(`${ADMIN_PREFIX}/orders/:id`, { preHandler: read, schema: { tags, params: OrderParams, response: { 200: OrderView } } }, async (request) => {
    const order = await platform.db.withTenant(storeOf(request), (trx) => loadOrder(trx, { id: request.params.id }));
    if (!order) throw new HttpProblem(404, 'Not Found', 'No such order in this store.');
    return order;
  });

  api.get(`${ADMIN_PREFIX}/orders/:id/timeline`, { preHandler: read, schema: { tags, params: OrderParams, response: { 200: TimelineView } } }, async (request) =>
    platform.db.withTenant(storeOf(request), async (trx) => {
      if (!(await loadOrder(trx, { id: request.params.id }))) throw new HttpProblem(404, 'Not Found', 'No such order in this store.');
      return orderTimeline(trx, request.params.id);
    }),
  );

  api.post(`${ADMIN_PREFIX}/orders/:id/fulfil`, { preHandler: write, schema: { tags, params: OrderParams, body: FulfilBody, response: { 200: OrderView } } }, async (request) =>
    checkout().fulfil(storeOf(request), request.params.id, request.body.lines, actionKey(request)),
  );

  api.post(`${ADMIN_PREFIX}/orders/:id/cancel`, { preHandler: write, schema: { tags, params: OrderParams, body: CancelBody, response: { 200: OrderView } } }, async (request) =>
    checkout().cancel(storeOf(request), request.params.id, actionKey(request), request.body.reason),
  );

  api.post(`${ADMIN_PREFIX}/orders/:id/refunds`, { preHandler: write, schema: { tags, params: OrderParams, body: RefundBody, response: { 200: OrderView } } }, async (request) =>
    checkout().refund(storeOf(request), request.params.id, request.body, actionKey(request)),
  );

  api.get(`${ADMIN_PREFIX}/checkout-settings`, { preHandler: read, schema: { tags, response: { 200: SettingsBody } } }, async (request) =>
    platform.db.withTenant(storeOf(request), checkoutSettings),
  );

  api.put(
    `${ADMIN_PREFIX}/checkout-settings`,
    { preHandler: requireScopes('settings:write'), schema: { tags, body: SettingsBody, response: { 200: SettingsBody } } },
    async (request) => {
      const tenantId = storeOf(request);
      if (request.body.provider === 'stripe' && !checkout().payments.stripe) {
        throw new HttpProblem(422, 'Stripe not configured', 'This deployment has no Stripe account configured.', { extensions: { code: 'stripe_not_configured' } });
      }
      await platform.db.withTenant(tenantId, (trx) => saveCheckoutSettings(trx, tenantId, request.body));
      return request.body;
    },
  );
  api.get(`${ADMIN_PREFIX}/shipping-tax-settings`, { preHandler: read, schema: { tags: ['settings'], response: { 200: ShippingTaxView } } }, async (request) =>
    platform.db.withTenant(storeOf(request), shippingTaxSettings),
  );

  api.put(
    `${ADMIN_PREFIX}/shipping-tax-settings`,
    { preHandler: requireScopes('settings:write'), schema: { tags: ['settings'], headers: IdempotencyHeaders, body: ShippingTaxBody, response: { 200: ShippingTaxView } } },
    async (request, reply) => {
      const tenantId = storeOf(request);
      const result = await platform.db.withTenant(tenantId, (trx) =>
        idempotent(trx, tenantId, request, async () => ({ status: 200, body: await saveShippingTaxSettings(trx, tenantId, request.body) })),
      );
      if (result.replayed) reply.header('idempotent-replayed', 'true');
      return reply.send(result.body);
    },
  );
}
