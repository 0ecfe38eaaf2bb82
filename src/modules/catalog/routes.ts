import { Readable } from 'node:stream';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance, FastifyReply, FastifyRequest, preHandlerAsyncHookHandler } from 'fastify';
import { Type } from 'typebox';
import type { Tx } from '../../platform/db/database.ts';
import { requireScopes } from '../../platform/http/auth.ts';
import { acceptOnly } from '../../platform/http/body.ts';
import { idempotent } from '../../platform/http/idempotency.ts';
import { pageSchema } from '../../platform/http/pagination.ts';
import { HttpProblem } from '../../platform/http/problem.ts';
import type { Platform } from '../../platform/platform.ts';
import { createCategory, deleteCategory, listCategories, updateCategory } from './categories.ts';
import { createCollection, deleteCollection, getCollection, listCollections, updateCollection } from './collections.ts';
import { exportCatalog } from './import/export.ts';
import { getImport } from './import/service.ts';
import { stageImport } from './import/staging.ts';
import { adjustInventory, createLocation, levelsOf, listLocations } from './inventory.ts';
import { importChunkJob, publicationJobKey, publishScheduledJob } from './jobs.ts';
import {
  Adjustment,
  AdjustmentInput,
  CatalogImport,
  Category,
  CategoryInput,
  CategoryPatch,
  Collection,
  CollectionInput,
  CollectionPatch,
  IdParams,
  ImportFormatQuery,
  InventoryLevel,
  Location,
  LocationInput,
  Product,
  ProductInput,
  ProductListQuery,
  ProductPatch,
  PublishInput,
  Variant,
  VariantInput,
  VariantPatch,
} from './schemas.ts';
import {
  addVariant,
  createProduct,
  deleteProduct,
  deleteVariant,
  getProduct,
  listProducts,
  publishProduct,
  unpublishProduct,
  updateProduct,
  updateVariant,
} from './service.ts';
import { CatalogSummary, catalogSummary } from './summary.ts';

export const ADMIN_PREFIX = '/admin/api/v1';
/** Upload limit of a bulk import file (100,000 products with 3 variants are about 30 MB of CSV). */
const IMPORT_BODY_LIMIT = 64 * 1024 * 1024;
const IMPORT_CONTENT_TYPES = ['text/csv', 'application/x-ndjson', 'application/jsonl'];

const IdempotencyHeaders = Type.Object({
  'idempotency-key': Type.Optional(Type.String({ description: 'Retries with the same key replay the first response.' })),
});
const NoContent = Type.Null({ description: 'Deleted' });

/** The store of the host, which must be the store the token was minted for. */
function tenantOf(request: FastifyRequest): string {
  const tenant = request.tenant;
  if (!tenant) throw new HttpProblem(404, 'Not Found', 'The admin API is served on a store host.');
  return tenant.id;
}

const sameStore: preHandlerAsyncHookHandler = async (request) => {
  const tenantId = tenantOf(request);
  const principal = request.principal;
  if (principal && principal.kind !== 'platform' && principal.tenantId !== tenantId) {
    throw new HttpProblem(403, 'Forbidden', 'The token belongs to another store.');
  }
};

const guard = (...scopes: string[]) => [requireScopes(...scopes), sameStore];

export async function catalogRoutes(root: FastifyInstance, platform: Platform): Promise<void> {
  const app = root.withTypeProvider<TypeBoxTypeProvider>();
  const { db } = platform;

  const read = <T>(request: FastifyRequest, fn: (trx: Tx) => Promise<T>) => db.withTenant(tenantOf(request), fn);
  const write = async <T>(request: FastifyRequest, reply: FastifyReply, status: number, fn: (trx: Tx, tenantId: string) => Promise<T>) => {
    const tenantId = tenantOf(request);
    const result = await db.withTenant(tenantId, (trx) => idempotent(trx, tenantId, request, async () => ({ status, body: await fn(trx, tenantId) })));
    if (result.replayed) reply.header('idempotent-replayed', 'true');
    return reply.code(result.status).send(result.body);
  };

  const tags = ['catalog'];
  const inventoryTags = ['inventory'];
  const p = ADMIN_PREFIX;

  // Products and variants
  app.get(`${p}/products`, { schema: { tags, querystring: ProductListQuery, response: { 200: pageSchema(Product) } }, preHandler: guard('catalog:read') }, (request) =>
    read(request, (trx) => listProducts(trx, request.query)),
  );
  app.post(
    `${p}/products`,
    { schema: { tags, headers: IdempotencyHeaders, body: ProductInput, response: { 201: Product } }, preHandler: guard('catalog:write') },
    (request, reply) => write(request, reply, 201, (trx, tenantId) => createProduct(trx, tenantId, request.body)),
  );
  app.get(`${p}/products/:id`, { schema: { tags, params: IdParams, response: { 200: Product } }, preHandler: guard('catalog:read') }, (request) =>
    read(request, (trx) => getProduct(trx, request.params.id)),
  );
  app.patch(
    `${p}/products/:id`,
    { schema: { tags, headers: IdempotencyHeaders, params: IdParams, body: ProductPatch, response: { 200: Product } }, preHandler: guard('catalog:write') },
    (request, reply) => write(request, reply, 200, (trx, tenantId) => updateProduct(trx, tenantId, request.params.id, request.body)),
  );
  app.delete(`${p}/products/:id`, { schema: { tags, params: IdParams, response: { 204: NoContent } }, preHandler: guard('catalog:write') }, (request, reply) =>
    write(request, reply, 204, (trx, tenantId) => deleteProduct(trx, tenantId, request.params.id).then(() => null)),
  );
  app.post(
    `${p}/products/:id/publish`,
    { schema: { tags, headers: IdempotencyHeaders, params: IdParams, body: Type.Optional(PublishInput), response: { 200: Product } }, preHandler: guard('catalog:write') },
    (request, reply) =>
      write(request, reply, 200, async (trx, tenantId) => {
        const product = await publishProduct(trx, tenantId, request.params.id, request.body ?? {});
        const at = new Date(product.published_at!);
        if (at.getTime() > Date.now()) {
          const payload = { product_id: product.id, published_at: product.published_at! };
          await platform.jobs.enqueue(publishScheduledJob, payload, { trx, tenantId, runAt: at, jobKey: publicationJobKey(tenantId, product.id) });
        }
        return product;
      }),
  );
  app.post(
    `${p}/products/:id/unpublish`,
    { schema: { tags, headers: IdempotencyHeaders, params: IdParams, response: { 200: Product } }, preHandler: guard('catalog:write') },
    (request, reply) => write(request, reply, 200, (trx, tenantId) => unpublishProduct(trx, tenantId, request.params.id)),
  );
  app.post(
    `${p}/products/:id/variants`,
    { schema: { tags, headers: IdempotencyHeaders, params: IdParams, body: VariantInput, response: { 201: Variant } }, preHandler: guard('catalog:write') },
    (request, reply) => write(request, reply, 201, (trx, tenantId) => addVariant(trx, tenantId, request.params.id, request.body)),
  );
  app.patch(
    `${p}/variants/:id`,
    { schema: { tags, headers: IdempotencyHeaders, params: IdParams, body: VariantPatch, response: { 200: Variant } }, preHandler: guard('catalog:write') },
    (request, reply) => write(request, reply, 200, (trx, tenantId) => updateVariant(trx, tenantId, request.params.id, request.body)),
  );
  app.delete(`${p}/variants/:id`, { schema: { tags, params: IdParams, response: { 204: NoContent } }, preHandler: guard('catalog:write') }, (request, reply) =>
    write(request, reply, 204, (trx, tenantId) => deleteVariant(trx, tenantId, request.params.id).then(() => null)),
  );

  // Categories
  app.get(`${p}/categories`, { schema: { tags, response: { 200: Type.Object({ items: Type.Array(Category) }) } }, preHandler: guard('catalog:read') }, (request) =>
    read(request, async (trx) => ({ items: await listCategories(trx) })),
  );
  app.post(
    `${p}/categories`,
    { schema: { tags, headers: IdempotencyHeaders, body: CategoryInput, response: { 201: Category } }, preHandler: guard('catalog:write') },
    (request, reply) => write(request, reply, 201, (trx, tenantId) => createCategory(trx, tenantId, request.body)),
  );
  app.patch(
    `${p}/categories/:id`,
    { schema: { tags, headers: IdempotencyHeaders, params: IdParams, body: CategoryPatch, response: { 200: Category } }, preHandler: guard('catalog:write') },
    (request, reply) => write(request, reply, 200, (trx, tenantId) => updateCategory(trx, tenantId, request.params.id, request.body)),
  );
  app.delete(`${p}/categories/:id`, { schema: { tags, params: IdParams, response: { 204: NoContent } }, preHandler: guard('catalog:write') }, (request, reply) =>
    write(request, reply, 204, (trx, tenantId) => deleteCategory(trx, tenantId, request.params.id).then(() => null)),
  );

  // Collections
  app.get(`${p}/collections`, { schema: { tags, response: { 200: Type.Object({ items: Type.Array(Collection) }) } }, preHandler: guard('catalog:read') }, (request) =>
    read(request, async (trx) => ({ items: await listCollections(trx) })),
  );
  app.post(
    `${p}/collections`,
    { schema: { tags, headers: IdempotencyHeaders, body: CollectionInput, response: { 201: Collection } }, preHandler: guard('catalog:write') },
    (request, reply) => write(request, reply, 201, (trx, tenantId) => createCollection(trx, tenantId, request.body)),
  );
  app.get(`${p}/collections/:id`, { schema: { tags, params: IdParams, response: { 200: Collection } }, preHandler: guard('catalog:read') }, (request) =>
    read(request, (trx) => getCollection(trx, request.params.id)),
  );
  app.patch(
    `${p}/collections/:id`,
    { schema: { tags, headers: IdempotencyHeaders, params: IdParams, body: CollectionPatch, response: { 200: Collection } }, preHandler: guard('catalog:write') },
    (request, reply) => write(request, reply, 200, (trx, tenantId) => updateCollection(trx, tenantId, request.params.id, request.body)),
  );
  app.delete(`${p}/collections/:id`, { schema: { tags, params: IdParams, response: { 204: NoContent } }, preHandler: guard('catalog:write') }, (request, reply) =>
    write(request, reply, 204, (trx, tenantId) => deleteCollection(trx, tenantId, request.params.id).then(() => null)),
  );

  app.get(`${p}/catalog/summary`, { schema: { tags, response: { 200: CatalogSummary } }, preHandler: guard('catalog:read') }, (request) =>
    read(request, catalogSummary),
  );

  // Inventory
  app.get(
    `${p}/inventory/locations`,
    { schema: { tags: inventoryTags, response: { 200: Type.Object({ items: Type.Array(Location) }) } }, preHandler: guard('inventory:read') },
    (request) => read(request, async (trx) => ({ items: await listLocations(trx) })),
  );
  app.post(
    `${p}/inventory/locations`,
    { schema: { tags: inventoryTags, headers: IdempotencyHeaders, body: LocationInput, response: { 201: Location } }, preHandler: guard('inventory:write') },
    (request, reply) => write(request, reply, 201, (trx, tenantId) => createLocation(trx, tenantId, request.body)),
  );
  app.get(
    `${p}/variants/:id/inventory`,
    { schema: { tags: inventoryTags, params: IdParams, response: { 200: Type.Object({ items: Type.Array(InventoryLevel) }) } }, preHandler: guard('inventory:read') },
    (request) => read(request, async (trx) => ({ items: await levelsOf(trx, request.params.id) })),
  );
  app.post(
    `${p}/inventory/adjustments`,
    { schema: { tags: inventoryTags, headers: IdempotencyHeaders, body: AdjustmentInput, response: { 201: Adjustment } }, preHandler: guard('inventory:write') },
    (request, reply) => write(request, reply, 201, (trx, tenantId) => adjustInventory(trx, tenantId, request.body)),
  );

  // Bulk import and export. The file parser and the large limit exist only on the import route, and only for the
  // formats it documents (others are a 415 before the body is read); scopes are checked before it is read.
  await app.register(async (scope) => {
    scope.addContentTypeParser(IMPORT_CONTENT_TYPES, { parseAs: 'string' }, (_request, body, done) => done(null, body));
    scope.withTypeProvider<TypeBoxTypeProvider>().post(
      `${p}/imports`,
      {
        bodyLimit: IMPORT_BODY_LIMIT,
        schema: {
          tags,
          description: 'Uploads a CSV (text/csv) or JSONL (application/x-ndjson) catalog file and imports it in the background.',
          headers: IdempotencyHeaders,
          querystring: ImportFormatQuery,
          body: { content: Object.fromEntries(IMPORT_CONTENT_TYPES.map((type) => [type, { schema: Type.String() }])) },
          response: { 202: CatalogImport },
        },
        onRequest: acceptOnly(IMPORT_CONTENT_TYPES),
        preHandler: guard('catalog:write'),
      },
      (request, reply) =>
        write(request, reply, 202, async (trx, tenantId) => {
          const staged = await stageImport(trx, tenantId, Readable.from([request.body as string]), request.query.format);
          const chunks = Array.from({ length: staged.chunks }, (_, seq) => ({ import_id: staged.importId, seq }));
          if (chunks.length > 0) await platform.jobs.enqueueMany(importChunkJob, chunks, { trx, tenantId });
          return getImport(trx, staged.importId);
        }),
    );
  });
  app.get(`${p}/imports/:id`, { schema: { tags, params: IdParams, response: { 200: CatalogImport } }, preHandler: guard('catalog:write') }, (request) =>
    read(request, (trx) => getImport(trx, request.params.id)),
  );
  app.get(
    `${p}/catalog/export`,
    {
      schema: { tags, querystring: ImportFormatQuery, description: 'The whole catalog in the import format (one line per variant), streamed.' },
      preHandler: guard('catalog:read'),
    },
    (request, reply) => {
      const format = request.query.format;
      reply
        .header('content-type', format === 'csv' ? 'text/csv; charset=utf-8' : 'application/x-ndjson; charset=utf-8')
        .header('content-disposition', `attachment; filename="catalog.${format}"`)
        .header('cache-control', 'private, no-store');
      return reply.send(exportCatalog(db, tenantOf(request), format));
    },
  );
}
