import { TypeBoxValidatorCompiler, type TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance, FastifyReply, FastifyRequest, preHandlerAsyncHookHandler } from 'fastify';
import { Type } from 'typebox';
import { requireScopes } from '../../platform/http/auth.ts';
import { HttpProblem } from '../../platform/http/problem.ts';
import type { Platform } from '../../platform/platform.ts';
import { LocalObjectStore, localObjectRoutes } from '../../platform/storage/index.ts';
import { attachProductMedium } from '../catalog/index.ts';
import type { ResolvedTenant } from '../tenancy/index.ts';
import { processJob } from './jobs.ts';
import { findAsset } from './repository.ts';
import { Asset, AssetListQuery, AttachInput, IdParams, Quota, UploadRequest, UploadTicket } from './schemas.ts';
import { getAsset, markForProcessing, playlist, requestUpload, toAsset, usage } from './service.ts';

const ADMIN = '/admin/api/v1';
const tags = ['media'];

function tenantOf(request: FastifyRequest): ResolvedTenant {
  if (!request.tenant) throw new HttpProblem(404, 'Not Found', 'The admin API is served on a store host.');
  return request.tenant;
}

const sameStore: preHandlerAsyncHookHandler = async (request) => {
  const tenant = tenantOf(request);
  const principal = request.principal;
  if (principal && principal.kind !== 'platform' && principal.tenantId !== tenant.id) throw new HttpProblem(403, 'Forbidden', 'The token belongs to another store.');
};
const guard = (...scopes: string[]) => [requireScopes(...scopes), sameStore];

export async function mediaRoutes(root: FastifyInstance, platform: Platform): Promise<void> {
  const { db, storage } = platform;
  // TypeBox itself validates these routes: unknown body fields are refused, not silently dropped, and nothing is coerced.
  root.setValidatorCompiler(TypeBoxValidatorCompiler);
  if (storage instanceof LocalObjectStore) await localObjectRoutes(root, storage);
  const app = root.withTypeProvider<TypeBoxTypeProvider>();

  app.post(`${ADMIN}/media/uploads`, { schema: { tags, body: UploadRequest, response: { 201: UploadTicket } }, preHandler: guard('catalog:write') }, async (request, reply) =>
    reply.code(201).send(await requestUpload(platform, tenantOf(request), request.body)),
  );

  const enqueueProcessing = (request: FastifyRequest, id: string, from: ('awaiting_upload' | 'failed' | 'ready')[]) => {
    const tenant = tenantOf(request);
    return db.withTenant(tenant.id, async (trx) => {
      const row = await markForProcessing(trx, storage, id, from);
      await platform.jobs.enqueue(processJob, { asset_id: row.id }, { trx, tenantId: tenant.id, jobKey: `media.process:${row.id}` });
      return toAsset(storage, row);
    });
  };
  app.post(`${ADMIN}/media/:id/complete`, { schema: { tags, params: IdParams, response: { 202: Asset } }, preHandler: guard('catalog:write') }, async (request, reply) =>
    reply.code(202).send(await enqueueProcessing(request, request.params.id, ['awaiting_upload'])),
  );
  app.post(`${ADMIN}/media/:id/reprocess`, { schema: { tags, params: IdParams, response: { 202: Asset } }, preHandler: guard('catalog:write') }, async (request, reply) =>
    reply.code(202).send(await enqueueProcessing(request, request.params.id, ['failed', 'ready'])),
  );
  app.get(`${ADMIN}/media/:id`, { schema: { tags, params: IdParams, response: { 200: Asset } }, preHandler: guard('catalog:read') }, (request) =>
    db.withTenant(tenantOf(request).id, async (trx) => toAsset(storage, await getAsset(trx, request.params.id))),
  );
  app.get(
    `${ADMIN}/media`,
    { schema: { tags, querystring: AssetListQuery, response: { 200: Type.Object({ items: Type.Array(Asset) }, { additionalProperties: false }) } }, preHandler: guard('catalog:read') },
    (request) =>
      db.withTenant(tenantOf(request).id, async (trx) => {
        let query = trx.selectFrom('media_assets').selectAll().orderBy('created_at', 'desc').orderBy('id', 'desc').limit(100);
        if (request.query.status) query = query.where('status', '=', request.query.status);
        return { items: await Promise.all((await query.execute()).map((row) => toAsset(storage, row))) };
      }),
  );
  app.get(`${ADMIN}/media-usage`, { schema: { tags, response: { 200: Quota } }, preHandler: guard('catalog:read') }, (request) => usage(platform, tenantOf(request)));

  app.post(
    `${ADMIN}/products/:id/media`,
    { schema: { tags, params: IdParams, body: AttachInput, response: { 200: Type.Object({ product_id: Type.String(), media_count: Type.Integer() }, { additionalProperties: false }) } }, preHandler: guard('catalog:write') },
    (request) => {
      const tenant = tenantOf(request);
      return db.withTenant(tenant.id, async (trx) => {
        const asset = await getAsset(trx, request.body.asset_id);
        if (asset.status !== 'ready') throw new HttpProblem(409, 'Conflict', `The asset is ${asset.status}; only ready assets can be shown.`, { extensions: { code: 'media.not_ready' } });
        const product = await attachProductMedium(trx, tenant.id, request.params.id, { asset_id: asset.id, alt: request.body.alt });
        return { product_id: product.id, media_count: product.media.length };
      });
    },
  );

  app.put(
    `${ADMIN}/media-logo`,
    { schema: { tags, body: Type.Object({ asset_id: Type.String({ format: 'uuid' }) }, { additionalProperties: false }), response: { 200: Asset } }, preHandler: guard('settings:write') },
    (request) => {
      const tenant = tenantOf(request);
      return db.withTenant(tenant.id, async (trx) => {
        const asset = await getAsset(trx, request.body.asset_id);
        if (asset.status !== 'ready' || asset.kind !== 'image') {
          throw new HttpProblem(409, 'Conflict', 'The logo must be a ready image asset.', { extensions: { code: 'media.not_ready' } });
        }
        await trx
          .insertInto('media_store_logos')
          .values({ tenant_id: tenant.id, asset_id: asset.id })
          .onConflict((oc) => oc.column('tenant_id').doUpdateSet({ asset_id: asset.id, updated_at: new Date() }))
          .execute();
        return toAsset(storage, asset);
      });
    },
  );

  // Public: the signed HLS playlists of a ready video, on the store's host.
  const Segment = Type.String({ pattern: '^[A-Za-z0-9_-][A-Za-z0-9_.-]{0,40}$' });
  const servePlaylist = async (request: FastifyRequest, reply: FastifyReply, id: string, file: string) => {
    const tenant = tenantOf(request);
    const row = await db.withTenant(tenant.id, (trx) => findAsset(trx, id));
    const body = row && (await playlist(storage, row, file));
    if (!body) throw new HttpProblem(404, 'Not Found', 'No such playlist.');
    return reply.header('cache-control', 'public, max-age=300').type('application/vnd.apple.mpegurl').send(body);
  };
  app.get('/media/:id/hls/:file', { schema: { hide: true, params: Type.Object({ id: Type.String({ format: 'uuid' }), file: Segment }) } }, (request, reply) =>
    servePlaylist(request, reply, request.params.id, request.params.file),
  );
  app.get('/media/:id/hls/:rendition/:file', { schema: { hide: true, params: Type.Object({ id: Type.String({ format: 'uuid' }), rendition: Segment, file: Segment }) } }, (request, reply) =>
    servePlaylist(request, reply, request.params.id, `${request.params.rendition}/${request.params.file}`),
  );
}
