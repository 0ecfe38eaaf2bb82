import { LRUCache } from 'lru-cache';
import type { Db } from '../../platform/db/database.ts';
import type { HostTarget } from './host.ts';
import { type ResolvedTenant, findTenantByHost } from './repository.ts';

/** A cache entry: the tenant a host serves, or null for a host no store serves (negative caching). */
interface Entry {
  tenant: ResolvedTenant | null;
}

/** What the database is asked: a store subdomain or a custom hostname. */
interface Lookup {
  subdomain: string | null;
  hostname: string | null;
}

export interface Resolution {
  tenant: ResolvedTenant | null;
  /** True when the answer came from this replica's cache. */
  cached: boolean;
}

export interface DirectoryOptions {
  max: number;
  ttlMs: number;
}

/** Unknown hosts are remembered for less time: a store created meanwhile must not wait a full TTL. */
const NEGATIVE_TTL_CAP_MS = 5_000;

/**
 * Host → tenant, through an LRU cache with TTL in front of one indexed query. Concurrent misses on one host
 * share one query. Every replica drops entries when PostgreSQL announces a change (see changes.ts).
 */
export class TenantDirectory {
  private readonly cache: LRUCache<string, Entry, Lookup>;
  private hits = 0;
  private lookups = 0;
  private generation = 0;

  constructor(db: Db, options: DirectoryOptions) {
    const negativeTtl = Math.min(options.ttlMs, NEGATIVE_TTL_CAP_MS);
    this.cache = new LRUCache<string, Entry, Lookup>({
      max: options.max,
      ttl: options.ttlMs,
      fetchMethod: async (_host, _stale, { context, options: entryOptions }) => {
        const tenant = (await findTenantByHost(db, context.subdomain, context.hostname)) ?? null;
        if (!tenant) entryOptions.ttl = negativeTtl;
        return { tenant };
      },
    });
  }

  /** The resolution, without a promise when the host is cached (nearly every request). */
  resolve(target: HostTarget & { kind: 'subdomain' | 'custom' }): Resolution | Promise<Resolution> {
    this.lookups++;
    const cached = this.cache.get(target.host);
    if (cached) {
      this.hits++;
      return { tenant: cached.tenant, cached: true };
    }
    return this.lookUp(target);
  }

  private async lookUp(target: HostTarget & { kind: 'subdomain' | 'custom' }): Promise<Resolution> {
    const context: Lookup =
      target.kind === 'subdomain' ? { subdomain: target.subdomain, hostname: null } : { subdomain: null, hostname: target.host };
    // An invalidation during the lookup aborts it (its answer may predate the change): look up again.
    for (let attempt = 1; ; attempt++) {
      const generation = this.generation;
      try {
        const entry = await this.cache.fetch(target.host, { context });
        return { tenant: entry?.tenant ?? null, cached: false };
      } catch (error) {
        if (generation === this.generation || attempt === 3) throw error;
      }
    }
  }

  /** Share of resolutions answered from the cache since start. */
  hitRatio(): number {
    return this.lookups === 0 ? 0 : this.hits / this.lookups;
  }

  /** Forgets a tenant's hosts and the given hosts (which may be cached as unknown). */
  invalidate(tenantId: string | null, hosts: string[] = []): void {
    this.generation++;
    for (const host of hosts) this.cache.delete(host);
    if (!tenantId) return;
    const stale = [...this.cache.entries()].filter(([, entry]) => entry.tenant?.id === tenantId).map(([host]) => host);
    for (const host of stale) this.cache.delete(host);
  }

  clear(): void {
    this.generation++;
    this.cache.clear();
  }
}
