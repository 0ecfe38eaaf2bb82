import { createHash } from 'node:crypto';
import { LRUCache } from 'lru-cache';

/**
 * Rendered anonymous pages, per tenant and URL, tagged with the catalog version (the tenant's latest domain
 * event id) they were rendered at: a catalog change makes every cached page of that tenant stale at once. The
 * TTL bounds what no event announces (a scheduled product reaching its time, branding edits).
 */
export interface CachedPage {
  version: string;
  html: string;
  etag: string;
}

export class PageCache {
  readonly #cache: LRUCache<string, CachedPage>;

  constructor(options: { maxPages: number; ttlMs: number }) {
    this.#cache = new LRUCache({ max: options.maxPages, ttl: options.ttlMs });
  }

  get(tenantId: string, url: string, version: string): CachedPage | undefined {
    const page = this.#cache.get(`${tenantId} ${url}`);
    return page?.version === version ? page : undefined;
  }

  set(tenantId: string, url: string, version: string, html: string): CachedPage {
    const page = { version, html, etag: `"${createHash('sha256').update(html).digest('base64url').slice(0, 27)}"` };
    this.#cache.set(`${tenantId} ${url}`, page);
    return page;
  }
}
