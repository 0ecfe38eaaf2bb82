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
  /** Absent when no page is to be kept (`maxPages` 0): every request renders. */
  readonly #cache: LRUCache<string, CachedPage> | undefined;

  constructor(options: { maxPages: number; ttlMs: number }) {
    this.#cache = options.maxPages > 0 ? new LRUCache({ max: options.maxPages, ttl: options.ttlMs }) : undefined;
  }

  get(tenantId: string, url: string, version: string): CachedPage | undefined {
    const page = this.#cache?.get(`${tenantId} ${url}`);
    return page?.version === version ? page : undefined;
  }

  set(tenantId: string, url: string, version: string, html: string): CachedPage {
    const page = { version, html, etag: `"${createHash('sha256').update(html).digest('base64url').slice(0, 27)}"` };
    this.#cache?.set(`${tenantId} ${url}`, page);
    return page;
  }
}
