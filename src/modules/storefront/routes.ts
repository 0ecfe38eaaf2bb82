import cookie from '@fastify/cookie';
import formbody from '@fastify/formbody';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { LRUCache } from 'lru-cache';
import { Type } from 'typebox';
import { changeLine, clearCart, pricedCart } from '../checkout/index.ts';
import type { Tx } from '../../platform/db/database.ts';
import { HttpProblem } from '../../platform/http/problem.ts';
import type { Platform } from '../../platform/platform.ts';
import {
  Handle,
  catalogVersion,
  collectionPage,
  listPublicCollections,
  newestProducts,
  publishedProduct,
  searchProducts,
} from '../catalog/index.ts';
import { brandTokens } from '../../../ui/tokens/index.ts';
import { mediaViews, storeLogo } from '../media/index.ts';
import { type Tenant, storeSettings } from '../tenancy/index.ts';
import { type Asset, cartScript, hlsScript, videoScript } from './assets.ts';
import type { CatalogVersions } from './catalog-versions.ts';
import { accountRoutes } from './account-routes.ts';
import { cartView, csrfToken, verifyCsrf } from './cart.ts';
import { checkoutRoutes } from './checkout-routes.ts';
import type { Html } from './html.ts';
import { PageCache } from './page-cache.ts';
import { shopperOf } from './session.ts';
import { renderDuration, templateErrors } from './telemetry.ts';
import { type Branding, layout } from './templates/layout.ts';
import * as pages from './templates/pages.ts';
import { varyOn } from '../../platform/http/vary.ts';

/** Anonymous pages: a CDN may keep them a minute and serve them stale while it revalidates. */
const PUBLIC_CACHE = 'public, max-age=60, stale-while-revalidate=600';
const PRIVATE = 'private, no-store';
const HTML = 'text/html; charset=utf-8';
const CACHE_TTL_MS = 60_000;

const notFound = (what: string) => new HttpProblem(404, 'Not Found', `No such ${what} in this store.`);

function tenantOf(request: FastifyRequest): Tenant {
  if (!request.tenant) throw new HttpProblem(404, 'Not Found', 'The storefront is served on a store host.');
  return request.tenant;
}

export async function loadBranding(platform: Platform, tenant: Tenant): Promise<Branding> {
  const settings = await storeSettings(platform.db, tenant.id);
  return {
    storeName: tenant.name,
    tagline: settings?.tagline ?? null,
    logoUrl: settings?.logo_url ?? null,
    logo: await platform.db.withTenant(tenant.id, (trx) => storeLogo(trx, platform.storage)),
    tokens: brandTokens(settings),
  };
}

export async function storefrontRoutes(root: FastifyInstance, platform: Platform, versions: CatalogVersions): Promise<void> {
  await root.register(cookie);
  await root.register(formbody);
  const app = root.withTypeProvider<TypeBoxTypeProvider>();
  const cache = new PageCache({ maxPages: platform.config.storefront.pageCacheMax, ttlMs: CACHE_TTL_MS });
  // Branding changes no domain event, so it is kept no longer than a cached page: both show an edit within the TTL.
  const brandings = new LRUCache<string, Branding>({ max: 10_000, ttl: CACHE_TTL_MS });
  const brandingOf = async (tenant: Tenant) => {
    const known = brandings.get(tenant.id);
    if (known) return known;
    const branding = await loadBranding(platform, tenant);
    brandings.set(tenant.id, branding);
    return branding;
  };

  /**
   * Serves an anonymous, cacheable page: from the page cache when the catalog has not changed (warm: no
   * database work when the change listener is up), else
   * rendered (cold). `render` returns undefined for a missing record (404). Sets ETag and answers 304.
   */
  const page = async (request: FastifyRequest, reply: FastifyReply, name: string, render: (trx: Tx, branding: Branding) => Promise<{ title: string; body: Html; scripts?: string[] } | undefined>) => {
    const tenant = tenantOf(request);
    const started = performance.now();
    const version = versions.version(tenant.id) ?? (await platform.db.withTenant(tenant.id, catalogVersion));
    let served = cache.get(tenant.id, request.url, version);
    const cold = !served;
    if (!served) {
      try {
        const branding = await brandingOf(tenant);
        const content = await platform.db.withTenant(tenant.id, (trx) => render(trx, branding));
        if (content) served = cache.set(tenant.id, request.url, version, layout(branding, content.title, content.body, cartScript.path, content.scripts).value);
      } catch (error) {
        templateErrors.inc({ page: name });
        throw error;
      }
    }
    if (!served) throw notFound(name);
    renderDuration.observe({ page: name, cold: String(cold) }, (performance.now() - started) / 1000);
    reply.header('cache-control', PUBLIC_CACHE).header('etag', served.etag);
    varyOn(reply, 'Accept-Encoding');
    if (request.headers['if-none-match'] === served.etag) return reply.code(304).send();
    return reply.type(HTML).send(served.html);
  };

  app.get('/', async (request, reply) => {
    if (!request.tenant) return reply.type(HTML).send('<!doctype html><title>Village Storefront</title><h1>Village Storefront</h1>');
    return page(request, reply, 'home', async (trx, branding) => {
      const products = await newestProducts(trx);
      const views = await mediaViews(trx, platform.storage, products.flatMap((product) => (product.image?.asset_id ? [product.image.asset_id] : [])));
      return { title: 'Home', body: pages.homePage(branding.storeName, branding.tagline, await listPublicCollections(trx), products, views) };
    });
  });

  app.get('/products/:handle', { schema: { params: Type.Object({ handle: Handle }) } }, (request, reply) =>
    page(request, reply, 'product', async (trx) => {
      const product = await publishedProduct(trx, request.params.handle);
      if (!product) return undefined;
      const views = await mediaViews(trx, platform.storage, product.media.flatMap((medium) => (medium.asset_id ? [medium.asset_id] : [])));
      return { title: product.title, body: pages.productPage(product, views), scripts: [...views.values()].some((view) => view.kind === 'video') ? [hlsScript.path, videoScript.path] : [] };
    }),
  );

  // Keyset pages: `after` (the Next link) or `before` (Previous) carries the sort key of the page's edge product.
  const Cursor = Type.String({ pattern: '^[A-Za-z0-9_-]+$', maxLength: 200 });
  app.get(
    '/collections/:handle',
    { schema: { params: Type.Object({ handle: Handle }), querystring: Type.Object({ after: Type.Optional(Cursor), before: Type.Optional(Cursor) }) } },
    (request, reply) =>
      page(request, reply, 'collection', async (trx) => {
        const { after, before } = request.query;
        if (after !== undefined && before !== undefined) throw new HttpProblem(400, 'Bad Request', 'A page starts after one product or before one, not both.');
        const found = await collectionPage(trx, request.params.handle, after !== undefined ? { after } : before !== undefined ? { before } : undefined);
        return found && { title: found.collection.title, body: pages.collectionPage(found.collection, found.products, found) };
      }),
  );

  app.get('/search', { schema: { querystring: Type.Object({ q: Type.Optional(Type.String({ maxLength: 200 })) }) } }, (request, reply) =>
    page(request, reply, 'search', async (trx) => {
      const query = (request.query.q ?? '').trim();
      return { title: 'Search', body: pages.searchPage(query, query ? await searchProducts(trx, query) : undefined) };
    }),
  );

  // Personalised: never cached.
  app.get('/cart', async (request, reply) => {
    const tenant = tenantOf(request);
    const token = csrfToken(request, reply);
    const { owner } = await shopperOf(platform, request, reply);
    const cart = cartView(await platform.db.withTenant(tenant.id, (trx) => pricedCart(trx, owner)));
    const branding = await brandingOf(tenant);
    reply.header('cache-control', PRIVATE);
    return reply.type(HTML).send(layout(branding, 'Cart', pages.cartPage({ lines: cart.lines, subtotal: cart.subtotal, csrfToken: token }), cartScript.path).value);
  });

  app.get('/cart.json', async (request, reply) => {
    const tenant = tenantOf(request);
    const token = csrfToken(request, reply);
    const { owner } = await shopperOf(platform, request, reply);
    const cart = cartView(await platform.db.withTenant(tenant.id, (trx) => pricedCart(trx, owner)));
    return reply.header('cache-control', PRIVATE).send({ ...cart, csrf_token: token });
  });

  const AddToCart = Type.Object(
    {
      _csrf: Type.String({ maxLength: 100 }),
      variant_id: Type.String({ format: 'uuid' }),
      quantity: Type.Optional(Type.Integer({ minimum: 1, maximum: 99, default: 1 })),
    },
    { additionalProperties: false },
  );
  app.post('/cart/items', { schema: { body: AddToCart } }, async (request, reply) => {
    const tenant = tenantOf(request);
    verifyCsrf(request, request.body._csrf);
    const { owner } = await shopperOf(platform, request, reply, true);
    const cart = await platform.db.withTenant(tenant.id, async (trx) => {
      await changeLine(trx, tenant.id, owner, request.body.variant_id, request.body.quantity ?? 1, 'add');
      return pricedCart(trx, owner);
    });
    reply.header('cache-control', PRIVATE);
    if (request.headers.accept?.includes('application/json')) return reply.send({ ...cartView(cart), csrf_token: request.body._csrf });
    return reply.redirect('/cart', 303);
  });

  app.post('/cart/clear', { schema: { body: Type.Object({ _csrf: Type.String({ maxLength: 100 }) }, { additionalProperties: false }) } }, async (request, reply) => {
    const tenant = tenantOf(request);
    verifyCsrf(request, request.body._csrf);
    const { owner } = await shopperOf(platform, request, reply);
    await platform.db.withTenant(tenant.id, (trx) => clearCart(trx, owner));
    return reply.header('cache-control', PRIVATE).redirect('/cart', 303);
  });

  await checkoutRoutes(app, platform, brandingOf);
  await accountRoutes(app, platform, brandingOf);

  const serveScript = (script: Asset) =>
    app.get(script.path, async (request, reply) => {
      varyOn(reply.header('cache-control', 'public, max-age=31536000, immutable'), 'Accept-Encoding').type('text/javascript; charset=utf-8');
      if (request.headers['accept-encoding']?.includes('gzip')) return reply.header('content-encoding', 'gzip').send(script.gzipped);
      return reply.send(script.body);
    });
  for (const script of [cartScript, hlsScript, videoScript]) serveScript(script);
}
