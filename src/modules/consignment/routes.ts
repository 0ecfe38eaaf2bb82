import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance, FastifyReply, FastifyRequest, preHandlerAsyncHookHandler } from 'fastify';
import { Type } from 'typebox';
import type { Tx } from '../../platform/db/database.ts';
import { requireScopes } from '../../platform/http/auth.ts';
import { idempotent } from '../../platform/http/idempotency.ts';
import { pageSchema } from '../../platform/http/pagination.ts';
import { HttpProblem } from '../../platform/http/problem.ts';
import type { Platform } from '../../platform/platform.ts';
import { acceptAgreement, acceptancesOf } from './agreements.ts';
import { listBatches } from './batch-list.ts';
import { withSummaries } from './consignor-summaries.ts';
import { createConsignor, getConsignor, listConsignors, requireConsignor, updateConsignor } from './consignors.ts';
import { expiringItems } from './expiring.ts';
import { acceptBatch, addItems, createBatch, getBatch, rejectBatch } from './intake.ts';
import { listItems, priceHistory } from './items.ts';
import { rotateTaxIdsJob } from './jobs.ts';
import { priceTagsPdf } from './price-tags.ts';
import {
  Acceptance,
  AcceptanceInput,
  Batch,
  BatchInput,
  BatchListQuery,
  BatchSummary,
  CategoryCommission,
  CategoryCommissionInput,
  CategoryParams,
  Consignor,
  ConsignorInput,
  ConsignorListQuery,
  ConsignorPatch,
  ConsignorSummary,
  ConsignorTerms,
  ConsignorTermsInput,
  ExpiringItems,
  ExpiringQuery,
  IdParams,
  Item,
  ItemListQuery,
  ItemsInput,
  PriceHistoryEntry,
  StoreTerms,
  StoreTermsPatch,
  TaxIdInput,
  TaxIdReveal,
  TaxIdStatus,
} from './schemas.ts';
import { revealTaxId, setTaxId, taxIdAccessLog } from './tax-ids.ts';
import { consignorTerms, deleteCategoryCommission, listCategoryCommissions, putCategoryCommission, putConsignorTerms, storeTerms, updateStoreTerms } from './terms.ts';

const PREFIX = '/admin/api/v1/consignment';
const IdempotencyHeaders = Type.Object({
  'idempotency-key': Type.Optional(Type.String({ description: 'Retries with the same key replay the first response.' })),
});
const AccessLogEntry = Type.Object({
  operation: Type.Union([Type.Literal('encrypt'), Type.Literal('decrypt')]),
  key_version: Type.Integer(),
  actor: Type.String(),
  purpose: Type.Union([Type.Literal('set'), Type.Literal('reveal'), Type.Literal('rotate')]),
  created_at: Type.String({ format: 'date-time' }),
});
const PdfResponse = Type.Unsafe<Buffer>({ type: 'string', format: 'binary', description: 'application/pdf: one page per price tag' });

function tenantOf(request: FastifyRequest): string {
  const tenant = request.tenant;
  if (!tenant) throw new HttpProblem(404, 'Not Found', 'The admin API is served on a store host.');
  return tenant.id;
}

const sameStore: preHandlerAsyncHookHandler = async (request) => {
  const principal = request.principal;
  if (principal && principal.kind !== 'platform' && principal.tenantId !== tenantOf(request)) {
    throw new HttpProblem(403, 'Forbidden', 'The token belongs to another store.');
  }
};

const guard = (...scopes: string[]) => [requireScopes(...scopes), sameStore];

/** The consignment admin API: consignors, terms, intake batches, items and price tags. */
export async function consignmentRoutes(root: FastifyInstance, platform: Platform): Promise<void> {
  const app = root.withTypeProvider<TypeBoxTypeProvider>();
  const { db, config } = platform;
  const tags = ['consignment'];

  const read = <T>(request: FastifyRequest, fn: (trx: Tx, tenantId: string) => Promise<T>) => {
    const tenantId = tenantOf(request);
    return db.withTenant(tenantId, (trx) => fn(trx, tenantId));
  };
  const write = async <T>(request: FastifyRequest, reply: FastifyReply, status: number, fn: (trx: Tx, tenantId: string) => Promise<T>) => {
    const tenantId = tenantOf(request);
    const result = await db.withTenant(tenantId, (trx) => idempotent(trx, tenantId, request, async () => ({ status, body: await fn(trx, tenantId) })));
    if (result.replayed) reply.header('idempotent-replayed', 'true');
    return reply.code(result.status).send(result.body);
  };
  const writeSchema = { tags, headers: IdempotencyHeaders };

  // Consignors
  app.get(
    `${PREFIX}/consignors`,
    { schema: { tags, querystring: ConsignorListQuery, response: { 200: pageSchema(ConsignorSummary) }, description: 'By name; each with the agreement last accepted and the balance.' }, preHandler: guard('consignment:read') },
    (request) =>
      read(request, async (trx, tenantId) => {
        const page = await listConsignors(trx, tenantId, request.query);
        return { items: await withSummaries(trx, tenantId, page.items), next_cursor: page.next_cursor };
      }),
  );
  app.post(`${PREFIX}/consignors`, { schema: { ...writeSchema, body: ConsignorInput, response: { 201: Consignor } }, preHandler: guard('consignment:write') }, (request, reply) =>
    write(request, reply, 201, (trx, tenantId) => createConsignor(trx, tenantId, request.body)),
  );
  app.get(`${PREFIX}/consignors/:id`, { schema: { tags, params: IdParams, response: { 200: Consignor } }, preHandler: guard('consignment:read') }, (request) =>
    read(request, (trx, tenantId) => requireConsignor(trx, tenantId, request.params.id)),
  );
  app.patch(
    `${PREFIX}/consignors/:id`,
    { schema: { ...writeSchema, params: IdParams, body: ConsignorPatch, response: { 200: Consignor } }, preHandler: guard('consignment:write') },
    (request, reply) => write(request, reply, 200, (trx, tenantId) => updateConsignor(trx, tenantId, request.params.id, request.body)),
  );

  // Tax identifiers: written by staff, read in clear only with payouts:approve (tax forms); every access logged.
  app.put(
    `${PREFIX}/consignors/:id/tax-id`,
    { schema: { ...writeSchema, params: IdParams, body: TaxIdInput, response: { 200: TaxIdStatus } }, preHandler: guard('consignment:write') },
    (request, reply) => write(request, reply, 200, (trx, tenantId) => setTaxId(trx, config.dataKeys, tenantId, request.params.id, request.body.tax_id)),
  );
  app.get(`${PREFIX}/consignors/:id/tax-id`, { schema: { tags, params: IdParams, response: { 200: TaxIdReveal } }, preHandler: guard('payouts:approve') }, async (request, reply) => {
    reply.header('cache-control', 'private, no-store');
    return read(request, (trx, tenantId) => revealTaxId(trx, config.dataKeys, tenantId, request.params.id));
  });
  app.get(
    `${PREFIX}/consignors/:id/tax-id/access-log`,
    { schema: { tags, params: IdParams, response: { 200: Type.Object({ items: Type.Array(AccessLogEntry) }) } }, preHandler: guard('consignment:read') },
    (request) => read(request, async (trx, tenantId) => ({ items: await taxIdAccessLog(trx, tenantId, (await requireConsignor(trx, tenantId, request.params.id)).id) })),
  );
  app.post(`${PREFIX}/tax-id-rotations`, { schema: { ...writeSchema, response: { 202: Type.Object({ job_id: Type.String() }) } }, preHandler: guard('payouts:approve') }, (request, reply) =>
    write(request, reply, 202, async (trx, tenantId) => ({
      job_id: await platform.jobs.enqueue(rotateTaxIdsJob, {}, { trx, tenantId, jobKey: `consignment.rotate-tax-ids:${tenantId}` }),
    })),
  );

  // Agreement acceptance: staff record an in-store signature; the portal records its own with channel `portal`.
  app.post(
    `${PREFIX}/consignors/:id/agreement-acceptances`,
    { schema: { ...writeSchema, params: IdParams, body: AcceptanceInput, response: { 201: Acceptance } }, preHandler: guard('consignment:write') },
    (request, reply) =>
      write(request, reply, 201, (trx, tenantId) =>
        acceptAgreement(trx, tenantId, request.params.id, {
          agreement_version: request.body.agreement_version,
          ip_address: request.ip,
          user_agent: request.headers['user-agent'] ?? null,
          channel: 'in_store',
        }),
      ),
  );
  app.get(
    `${PREFIX}/consignors/:id/agreement-acceptances`,
    { schema: { tags, params: IdParams, response: { 200: Type.Object({ items: Type.Array(Acceptance) }) } }, preHandler: guard('consignment:read') },
    (request) => read(request, async (trx, tenantId) => ({ items: await acceptancesOf(trx, tenantId, (await requireConsignor(trx, tenantId, request.params.id)).id) })),
  );

  // Terms: the store's defaults, the consignor's overrides, commission by category.
  app.get(`${PREFIX}/terms`, { schema: { tags, response: { 200: StoreTerms } }, preHandler: guard('consignment:read') }, (request) =>
    read(request, (trx, tenantId) => storeTerms(trx, tenantId)),
  );
  app.patch(`${PREFIX}/terms`, { schema: { ...writeSchema, body: StoreTermsPatch, response: { 200: StoreTerms } }, preHandler: guard('consignment:write') }, (request, reply) =>
    write(request, reply, 200, (trx, tenantId) => updateStoreTerms(trx, tenantId, request.body)),
  );
  app.get(`${PREFIX}/consignors/:id/terms`, { schema: { tags, params: IdParams, response: { 200: ConsignorTerms } }, preHandler: guard('consignment:read') }, (request) =>
    read(request, async (trx, tenantId) => consignorTerms(trx, tenantId, (await requireConsignor(trx, tenantId, request.params.id)).id)),
  );
  app.put(
    `${PREFIX}/consignors/:id/terms`,
    { schema: { ...writeSchema, params: IdParams, body: ConsignorTermsInput, response: { 200: ConsignorTerms } }, preHandler: guard('consignment:write') },
    (request, reply) => write(request, reply, 200, async (trx, tenantId) => putConsignorTerms(trx, tenantId, (await requireConsignor(trx, tenantId, request.params.id)).id, request.body)),
  );
  app.get(
    `${PREFIX}/category-commissions`,
    { schema: { tags, response: { 200: Type.Object({ items: Type.Array(CategoryCommission) }) } }, preHandler: guard('consignment:read') },
    (request) => read(request, async (trx, tenantId) => ({ items: await listCategoryCommissions(trx, tenantId) })),
  );
  app.put(
    `${PREFIX}/category-commissions/:category_id`,
    { schema: { ...writeSchema, params: CategoryParams, body: CategoryCommissionInput, response: { 200: CategoryCommission } }, preHandler: guard('consignment:write') },
    (request, reply) => write(request, reply, 200, (trx, tenantId) => putCategoryCommission(trx, tenantId, request.params.category_id, request.body.commission_percent)),
  );
  app.delete(
    `${PREFIX}/category-commissions/:category_id`,
    { schema: { tags, params: CategoryParams, response: { 204: Type.Null({ description: 'Deleted' }) } }, preHandler: guard('consignment:write') },
    (request, reply) => write(request, reply, 204, (trx, tenantId) => deleteCategoryCommission(trx, tenantId, request.params.category_id).then(() => null)),
  );

  // Intake batches
  app.get(`${PREFIX}/batches`, { schema: { tags, querystring: BatchListQuery, response: { 200: pageSchema(BatchSummary) } }, preHandler: guard('consignment:read') }, (request) =>
    read(request, (trx, tenantId) => listBatches(trx, tenantId, request.query)),
  );
  app.post(`${PREFIX}/batches`, { schema: { ...writeSchema, body: BatchInput, response: { 201: Batch } }, preHandler: guard('consignment:write') }, (request, reply) =>
    write(request, reply, 201, (trx, tenantId) => createBatch(trx, tenantId, request.body)),
  );
  app.get(`${PREFIX}/batches/:id`, { schema: { tags, params: IdParams, response: { 200: Batch } }, preHandler: guard('consignment:read') }, (request) =>
    read(request, (trx, tenantId) => getBatch(trx, tenantId, request.params.id)),
  );
  app.post(
    `${PREFIX}/batches/:id/items`,
    { schema: { ...writeSchema, params: IdParams, body: ItemsInput, response: { 200: Batch } }, preHandler: guard('consignment:write') },
    (request, reply) => write(request, reply, 200, (trx, tenantId) => addItems(trx, tenantId, request.params.id, request.body.items)),
  );
  app.post(
    `${PREFIX}/batches/:id/accept`,
    {
      schema: { ...writeSchema, params: IdParams, response: { 200: Batch }, description: 'Creates the items as one-of-a-kind catalog products and puts them on the floor.' },
      preHandler: guard('consignment:write'),
    },
    (request, reply) => write(request, reply, 200, (trx, tenantId) => acceptBatch(trx, tenantId, request.params.id)),
  );
  app.post(`${PREFIX}/batches/:id/reject`, { schema: { ...writeSchema, params: IdParams, response: { 200: Batch } }, preHandler: guard('consignment:write') }, (request, reply) =>
    write(request, reply, 200, (trx, tenantId) => rejectBatch(trx, tenantId, request.params.id)),
  );
  app.get(
    `${PREFIX}/batches/:id/price-tags`,
    { schema: { tags, params: IdParams, produces: ['application/pdf'], response: { 200: PdfResponse } }, preHandler: guard('consignment:read') },
    async (request, reply) => {
      const tenantId = tenantOf(request);
      const { batch, consignor } = await db.withTenant(tenantId, async (trx) => {
        const found = await getBatch(trx, tenantId, request.params.id);
        return { batch: found, consignor: await getConsignor(trx, tenantId, found.consignor_id) };
      });
      const onFloor = batch.items.filter((item) => item.sku !== null);
      if (onFloor.length === 0) throw new HttpProblem(409, 'No tags yet', 'Price tags are printed once the batch is accepted (its items have SKUs).');
      const pdf = await priceTagsPdf(
        request.tenant!.name,
        onFloor.map((item) => ({ sku: item.sku!, title: item.title, priceMinor: item.price_minor, currency: item.currency, consignorName: consignor?.display_name ?? '' })),
      );
      return reply
        .header('content-type', 'application/pdf')
        .header('content-disposition', `inline; filename="price-tags-${batch.id}.pdf"`)
        .header('cache-control', 'private, no-store')
        .send(pdf);
    },
  );

  // Items on the floor and their price history
  app.get(
    `${PREFIX}/items/expiring`,
    { schema: { tags, querystring: ExpiringQuery, response: { 200: ExpiringItems }, description: 'Items on the floor whose consignment period ends within the window.' }, preHandler: guard('consignment:read') },
    (request) => read(request, (trx, tenantId) => expiringItems(trx, tenantId, request.query)),
  );
  app.get(`${PREFIX}/items`, { schema: { tags, querystring: ItemListQuery, response: { 200: pageSchema(Item) } }, preHandler: guard('consignment:read') }, (request) =>
    read(request, (trx, tenantId) => listItems(trx, tenantId, request.query)),
  );
  app.get(
    `${PREFIX}/items/:id/price-history`,
    { schema: { tags, params: IdParams, response: { 200: Type.Object({ items: Type.Array(PriceHistoryEntry) }) } }, preHandler: guard('consignment:read') },
    (request) => read(request, async (trx, tenantId) => ({ items: await priceHistory(trx, tenantId, request.params.id) })),
  );
}
