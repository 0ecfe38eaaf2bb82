import { randomUUID } from 'node:crypto';
import { LRUCache } from 'lru-cache';
import type { Db } from '../../platform/db/database.ts';
import type { Platform } from '../../platform/platform.ts';
import { type ChangeFeed, type ChangeNotice, listenForChanges } from './changes.ts';
import { TenantDirectory } from './directory.ts';
import { type TxtResolver, txtResolverFromSetting } from './dns.ts';
import { type DomainView, addCustomDomain, listCustomDomains, removeCustomDomain, verifyCustomDomain } from './domains.ts';
import { FeatureFlags } from './flags.ts';
import type { Principal } from '../../platform/http/auth.ts';
import { budgetsFor } from './budgets.ts';
import { type RateLimitDecision, RateLimiter } from './rate-limiter.ts';
import {
  type PlatformCommand,
  type ResolvedTenant,
  type StoreSettings,
  type Tenant,
  type TenantPlan,
  countTenants,
  findStoreSettings,
  findTenantById,
  insertStoreSettings,
  insertTenant,
} from './repository.ts';
import { type SuspensionCommand, platformCommands, resume, suspend } from './suspension.ts';
import { changeNotices } from './telemetry.ts';

export type { PlatformCommand, ResolvedTenant, StoreSettings, SuspensionCommand, Tenant, TenantPlan };

/** A store budget's decision, and which bucket made it. */
export type TenantBudgetDecision = RateLimitDecision & { scope: 'requester' | 'class' };

export const DEMO_SUBDOMAIN = 'demo';
const SETTINGS_TTL_MS = 10_000;

/**
 * What the tenancy module offers the rest of the product, one per platform instance (`tenancy(platform)`):
 * host resolution, suspension, custom domains, feature flags and the rate limiter. Every replica keeps its
 * caches in step through PostgreSQL notifications.
 */
export class TenancyService {
  readonly directory: TenantDirectory;
  readonly flags: FeatureFlags;
  readonly rateLimiter: RateLimiter;
  readonly txtResolver: TxtResolver;
  private readonly platform: Platform;
  private feed: ChangeFeed | undefined;
  /**
   * Store settings as the admin's bootstrap reads them on every load. Edits through this replica drop the entry
   * at once; other replicas show them within the TTL (the storefront keeps branding a minute).
   */
  private readonly settings: LRUCache<string, StoreSettings>;

  constructor(platform: Platform) {
    this.platform = platform;
    const { cacheMax, cacheTtlMs, dnsResolver } = platform.config.tenantGateway;
    this.directory = new TenantDirectory(platform.db, { max: cacheMax, ttlMs: cacheTtlMs });
    this.flags = new FeatureFlags(platform.db);
    this.rateLimiter = new RateLimiter(platform.db);
    this.txtResolver = txtResolverFromSetting(dnsResolver);
    this.settings = new LRUCache({ max: 10_000, ttl: SETTINGS_TTL_MS, fetchMethod: (tenantId) => storeSettings(platform.db, tenantId) });
  }

  /** A store's name and its address on the platform domain, for mail and links sent outside a request. */
  async storeIdentity(tenantId: string): Promise<{ name: string; origin: string } | undefined> {
    const tenant = await findTenantById(this.platform.db, tenantId);
    if (!tenant) return undefined;
    return { name: tenant.name, origin: storeOrigin(this.platform.config, tenant.subdomain) };
  }

  /** A store's settings (branding), cached briefly per replica. */
  async storeSettings(tenantId: string): Promise<StoreSettings | undefined> {
    return this.settings.fetch(tenantId);
  }

  forgetStoreSettings(tenantId: string): void {
    this.settings.delete(tenantId);
  }

  /** Suspends a store (503 everywhere within a second) and records the platform command. */
  async suspendTenant(command: SuspensionCommand): Promise<PlatformCommand> {
    const recorded = await suspend(this.platform.db, command);
    this.directory.invalidate(command.tenantId);
    return recorded;
  }

  /** Resumes a suspended store and records the platform command. */
  async resumeTenant(command: SuspensionCommand): Promise<PlatformCommand> {
    const recorded = await resume(this.platform.db, command);
    this.directory.invalidate(command.tenantId);
    return recorded;
  }

  platformCommands(tenantId: string): Promise<PlatformCommand[]> {
    return platformCommands(this.platform.db, tenantId);
  }

  addCustomDomain(tenantId: string, hostname: string): Promise<DomainView> {
    return addCustomDomain(this.platform.db, this.platform.config.platformDomain, tenantId, hostname);
  }

  async verifyCustomDomain(tenantId: string, hostname: string): Promise<DomainView> {
    const domain = await verifyCustomDomain(this.platform.db, this.txtResolver, tenantId, hostname);
    this.directory.invalidate(tenantId, [domain.hostname]);
    return domain;
  }

  async removeCustomDomain(tenantId: string, hostname: string): Promise<void> {
    await removeCustomDomain(this.platform.db, tenantId, hostname);
    this.directory.invalidate(tenantId, [hostname.toLowerCase()]);
  }

  listCustomDomains(tenantId: string): Promise<DomainView[]> {
    return listCustomDomains(this.platform.db, tenantId);
  }

  /**
   * One request against the store's budget (its plan's bucket, or its overrides: feature flags rate_limit.*), as
   * shared out by budgets.ts: the requester's bucket first, then its traffic class's. The first refusal decides.
   */
  takeTenantBudget(tenant: ResolvedTenant, principal: Principal | null, ip: string): TenantBudgetDecision | Promise<TenantBudgetDecision> {
    const capacity = this.flags.peek(tenant, 'rate_limit.burst');
    const refillPerSecond = this.flags.peek(tenant, 'rate_limit.per_second');
    if (capacity === undefined || refillPerSecond === undefined) return this.takeTenantBudgetLoadingFlags(tenant, principal, ip);
    return this.takeFromBuckets(budgetsFor(tenant.id, { capacity, refillPerSecond }, principal, ip), 0, undefined);
  }

  private async takeTenantBudgetLoadingFlags(tenant: ResolvedTenant, principal: Principal | null, ip: string): Promise<TenantBudgetDecision> {
    const capacity = this.flags.peek(tenant, 'rate_limit.burst') ?? (await this.flags.evaluate(tenant, 'rate_limit.burst'));
    const refillPerSecond = this.flags.peek(tenant, 'rate_limit.per_second') ?? (await this.flags.evaluate(tenant, 'rate_limit.per_second'));
    return this.takeFromBuckets(budgetsFor(tenant.id, { capacity, refillPerSecond }, principal, ip), 0, undefined);
  }

  /** Bucket by bucket from `index`, a value while every bucket answers from its lease; `first` is the requester's decision. */
  private takeFromBuckets(buckets: ReturnType<typeof budgetsFor>, index: number, first: TenantBudgetDecision | undefined): TenantBudgetDecision | Promise<TenantBudgetDecision> {
    const bucket = buckets[index]!;
    const settle = (decision: RateLimitDecision): TenantBudgetDecision | Promise<TenantBudgetDecision> => {
      const taken = { ...decision, scope: bucket.scope };
      if (!taken.allowed) return taken;
      return index + 1 < buckets.length ? this.takeFromBuckets(buckets, index + 1, first ?? taken) : (first ?? taken);
    };
    const decision = this.rateLimiter.take(bucket.key, bucket.limit);
    return decision instanceof Promise ? decision.then(settle) : settle(decision);
  }

  /** One request on the platform's own host, per client address. */
  takePlatformHostBudget(ip: string): RateLimitDecision | Promise<RateLimitDecision> {
    return this.rateLimiter.take(`platform:ip:${ip}`, this.platform.config.tenantGateway.platformHostBudget);
  }

  async start(): Promise<void> {
    this.feed = await listenForChanges(
      this.platform.db.pool.options,
      (notice) => this.apply(notice),
      () => {
        changeNotices.inc({ kind: 'reset' });
        this.directory.clear();
        this.flags.forgetAll();
      },
    );
  }

  async stop(): Promise<void> {
    await this.feed?.stop();
  }

  private apply(notice: ChangeNotice): void {
    changeNotices.inc({ kind: notice.kind });
    const domain = this.platform.config.platformDomain;
    switch (notice.kind) {
      case 'tenant': {
        const hosts = notice.subdomains.flatMap((sub) => (sub ? [`${sub}.${domain}`] : []));
        this.directory.invalidate(notice.tenant_id, hosts);
        if (notice.previous_status === 'active' && notice.status === 'suspended') {
          this.platform.events.publish('TenantSuspended', { tenantId: notice.tenant_id });
        }
        if (notice.previous_status === 'suspended' && notice.status === 'active') {
          this.platform.events.publish('TenantResumed', { tenantId: notice.tenant_id });
        }
        return;
      }
      case 'domain':
        this.directory.invalidate(notice.tenant_id, [notice.hostname]);
        return;
      case 'flag':
        this.flags.forgetDefinitions();
        return;
      case 'override':
        this.flags.forgetTenant(notice.tenant_id);
        return;
    }
  }
}

const services = new WeakMap<Platform, TenancyService>();

/** The tenancy services of a platform instance. */
/** A store's address on the platform domain, for links sent outside a request (mail, the command line). */
export function storeOrigin(config: { platformDomain: string; profile: string }, subdomain: string): string {
  return `${config.profile === 'prod' ? 'https' : 'http'}://${subdomain}.${config.platformDomain}`;
}

export function tenancy(platform: Platform): TenancyService {
  let service = services.get(platform);
  if (!service) {
    service = new TenancyService(platform);
    services.set(platform, service);
  }
  return service;
}

export async function createTenant(db: Db, input: { subdomain: string; name: string; plan?: TenantPlan; tagline?: string }): Promise<Tenant> {
  // One transaction: a store never exists without its settings.
  const id = randomUUID();
  return db.withTenant(id, async (trx) => {
    const tenant = await insertTenant(trx, { id, subdomain: input.subdomain, name: input.name, ...(input.plan ? { plan: input.plan } : {}) });
    await insertStoreSettings(trx, { tenant_id: id, tagline: input.tagline ?? null });
    return tenant;
  });
}

export function storeSettings(db: Db, tenantId: string): Promise<StoreSettings | undefined> {
  return db.withTenant(tenantId, findStoreSettings);
}

/** On an empty database, the demo store a newcomer sees at http://demo.localhost:<port>/. */
export async function seedDemoTenant(db: Db): Promise<Tenant | undefined> {
  if ((await countTenants(db)) > 0) return undefined;
  return createTenant(db, { subdomain: DEMO_SUBDOMAIN, name: 'Village Demo Boutique', tagline: 'Curated consignment, since this morning.' });
}
