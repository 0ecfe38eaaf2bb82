import cors from '@fastify/cors';
import { LRUCache } from 'lru-cache';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { type HookStep, runStep } from '../../platform/http/hooks.ts';
import { HttpProblem } from '../../platform/http/problem.ts';
import { updateContext } from '../../platform/observability/context.ts';
import type { Platform } from '../../platform/platform.ts';
import { isAllowedOrigin } from './domains.ts';
import { HostError, type HostTarget, parseHost } from './host.ts';
import { storeNotFoundPage, storeSuspendedPage, wantsHtml } from './pages.ts';
import type { RateLimitDecision } from './rate-limiter.ts';
import type { ResolvedTenant } from './repository.ts';
import type { Resolution } from './directory.ts';
import type { TenancyService, TenantBudgetDecision } from './service.ts';
import { misclassifications, rateLimited, reportCacheHitRatio, resolutionDuration, resolutions } from './telemetry.ts';

declare module 'fastify' {
  interface FastifyRequest {
    /** The store the request's host names; null on the platform's own host and under /q/. */
    tenant: ResolvedTenant | null;
  }
}

const HTML = 'text/html; charset=utf-8';

// Label children bound once: the per-request path skips prom-client's label hashing.
const observeFromCache = resolutionDuration.labels('cache');
const observeFromDatabase = resolutionDuration.labels('database');
const outcome = {
  hit: resolutions.labels('hit'),
  miss: resolutions.labels('miss'),
  unknown: resolutions.labels('unknown'),
  suspended: resolutions.labels('suspended'),
};
const tenantRateLimited = rateLimited.labels('tenant');
const requesterRateLimited = rateLimited.labels('requester');
const platformRateLimited = rateLimited.labels('ip');

const tooMany = (detail: string, decision: RateLimitDecision) =>
  new HttpProblem(429, 'Too Many Requests', detail, { headers: { 'retry-after': String(decision.retryAfterSeconds) } });

/** IETF RateLimit header fields, sent on every store response. */
export function setRateLimitHeaders(reply: FastifyReply, decision: RateLimitDecision): void {
  reply.header('ratelimit-limit', String(decision.limit));
  reply.header('ratelimit-remaining', String(decision.remaining));
  reply.header('ratelimit-reset', String(decision.resetSeconds));
}

function storeNotFound(request: FastifyRequest, reply: FastifyReply, host: string): FastifyReply {
  if (!wantsHtml(request)) throw new HttpProblem(404, 'Store not found', `No store is served at ${host}.`);
  return reply.code(404).type(HTML).send(storeNotFoundPage(host, request.id));
}

function storeSuspended(request: FastifyRequest, reply: FastifyReply, tenant: ResolvedTenant, supportUrl: string): FastifyReply {
  if (!wantsHtml(request)) {
    throw new HttpProblem(503, 'Store suspended', `${tenant.name} is temporarily unavailable; its owner can contact support.`, {
      extensions: { support_url: supportUrl },
    });
  }
  return reply.code(503).type(HTML).send(storeSuspendedPage(tenant.name, supportUrl, request.id));
}

/**
 * The Tenant Access Gateway on every request but /q/*: host → tenant (400 malformed, 404 unknown), 503 when
 * suspended, 429 over the store's budget; fills request.tenant and the request context. CORS origins come from
 * the store's domains.
 */
export function installGateway(app: FastifyInstance, platform: Platform, service: TenancyService): void {
  const { platformDomain } = platform.config;
  const { supportUrl } = platform.config.tenantGateway;
  app.decorateRequest('tenant', null);
  reportCacheHitRatio(() => service.directory.hitRatio());
  // Requests repeat a few Host values: each is parsed once (malformed ones are not kept).
  const targets = new LRUCache<string, HostTarget>({ max: 10_000 });
  const targetOf = (host: string | undefined) => {
    let target = host === undefined ? undefined : targets.get(host);
    if (!target) {
      target = parseHost(host, platformDomain);
      targets.set(host!, target);
    }
    return target;
  };

  const missing = (request: FastifyRequest, reply: FastifyReply, host: string): FastifyReply => {
    outcome.unknown.inc();
    platform.events.publish('TenantMissing', { host });
    return storeNotFound(request, reply, host);
  };
  /** The reply when the store cannot be served (the hook chain ends with it), nothing when the request goes on. */
  const admitTenant = (request: FastifyRequest, reply: FastifyReply, target: HostTarget, resolution: Resolution, started: number): FastifyReply | undefined => {
    const { tenant, cached } = resolution;
    (cached ? observeFromCache : observeFromDatabase).observe((performance.now() - started) / 1000);
    if (!tenant) return missing(request, reply, target.host);
    request.tenant = tenant;
    updateContext({ tenantId: tenant.id, storeId: tenant.id });
    platform.events.publish('TenantResolved', { tenantId: tenant.id, host: target.host, cached });
    if (tenant.status === 'suspended') {
      outcome.suspended.inc();
      return storeSuspended(request, reply, tenant, supportUrl);
    }
    (cached ? outcome.hit : outcome.miss).inc();
    return undefined;
  };
  const resolveTenant: HookStep = (request, reply) => {
    if (request.url.startsWith('/q/')) return;
    let target: HostTarget;
    try {
      target = targetOf(request.host);
    } catch (error) {
      if (error instanceof HostError) throw new HttpProblem(400, 'Bad Request', error.message);
      throw error;
    }
    if (target.kind === 'platform') return;
    if (target.kind === 'none') return missing(request, reply, target.host);
    const started = performance.now();
    const resolution = service.directory.resolve(target);
    if (resolution instanceof Promise) return resolution.then((resolved) => admitTenant(request, reply, target, resolved, started));
    return admitTenant(request, reply, target, resolution, started);
  };

  const chargePlatformHost = (reply: FastifyReply, decision: RateLimitDecision): void => {
    setRateLimitHeaders(reply, decision);
    if (!decision.allowed) {
      platformRateLimited.inc();
      throw tooMany('This address is sending more requests than the platform host allows; retry later.', decision);
    }
  };
  const chargeStore = (request: FastifyRequest, reply: FastifyReply, tenant: ResolvedTenant, decision: TenantBudgetDecision): void => {
    setRateLimitHeaders(reply, decision);
    if (!decision.allowed) {
      (decision.scope === 'requester' ? requesterRateLimited : tenantRateLimited).inc();
      throw tooMany(
        decision.scope === 'requester'
          ? `You are sending more requests to ${tenant.name} than one visitor may; retry later.`
          : `${tenant.name} is receiving more requests than its plan allows; retry later.`,
        decision,
      );
    }
    const principal = request.principal;
    if (principal?.tenantId && principal.tenantId !== tenant.id) misclassifications.inc();
  };
  const takeBudget: HookStep = (request, reply) => {
    if (request.url.startsWith('/q/')) return;
    const tenant = request.tenant;
    if (!tenant) {
      const decision = service.takePlatformHostBudget(request.ip);
      if (decision instanceof Promise) return decision.then((taken) => chargePlatformHost(reply, taken));
      chargePlatformHost(reply, decision);
      return;
    }
    const decision = service.takeTenantBudget(tenant, request.principal, request.ip);
    if (decision instanceof Promise) return decision.then((taken) => chargeStore(request, reply, tenant, taken));
    chargeStore(request, reply, tenant, decision);
  };

  app.addHook('onRequest', (request, reply, done) => runStep(resolveTenant, request, reply, done));
  // After authentication (every onRequest hook) and before any body is read: the budget depends on who asks.
  app.addHook('preParsing', (request, reply, payload, done) => runStep(takeBudget, request, reply, (error) => done(error ?? null, payload)));

  app.register(cors, {
    hook: 'preHandler',
    delegator: (request, callback) => {
      const origin = request.headers.origin;
      callback(null, { origin: Boolean(request.tenant && origin && isAllowedOrigin(origin, request.tenant, platformDomain)) });
    },
  });
}
