import { describe, expect, it } from 'vitest';
import { PageCache } from './page-cache.ts';

describe('page cache', () => {
  it('serves a page at the version it was rendered at, per store and URL', () => {
    const cache = new PageCache({ maxPages: 10, ttlMs: 60_000 });
    const page = cache.set('store-a', '/', '7', '<h1>Home</h1>');
    expect(cache.get('store-a', '/', '7')).toEqual(page);
    expect(page.etag).toMatch(/^"[A-Za-z0-9_-]{27}"$/);
    expect(cache.get('store-a', '/', '8')).toBeUndefined();
    expect(cache.get('store-b', '/', '7')).toBeUndefined();
  });

  it('keeps nothing with room for no pages (STOREFRONT_PAGE_CACHE_MAX=0), and still gives the rendered page its ETag', () => {
    const cache = new PageCache({ maxPages: 0, ttlMs: 60_000 });
    const page = cache.set('store-a', '/', '7', '<h1>Home</h1>');
    expect(page).toMatchObject({ version: '7', html: '<h1>Home</h1>' });
    expect(page.etag).toEqual(new PageCache({ maxPages: 1, ttlMs: 60_000 }).set('store-b', '/', '7', '<h1>Home</h1>').etag);
    expect(cache.get('store-a', '/', '7')).toBeUndefined();
  });
});
