import type { RouteRecordRaw } from 'vue-router';
import { ok } from '../../shared/api/problem.ts';
import type { AdminContext } from './context.ts';

/** How long a prefetched page may wait for its screen: a link pointed at and clicked within it. */
const FRESH_MS = 10_000;
const pages = new Map<string, { at: number; page: Promise<unknown> }>();

/** What the Products screen shows first: the first 25 products, no filter. */
export const firstProductsPage = (admin: AdminContext) => ok(admin.api.GET('/admin/api/v1/products', { params: { query: { limit: 25 } } }));

const FIRST_PAGES: Record<string, (admin: AdminContext) => Promise<unknown>> = { products: firstProductsPage };

/**
 * Starts what a screen does first, when its menu link is pointed at or focused: the screen's chunk, and for the
 * product list its first page, so the click only renders. A page fetched in the last seconds is not fetched again.
 */
export function prefetchScreen(admin: AdminContext, route: RouteRecordRaw): void {
  if (typeof route.component === 'function') void (route.component as () => Promise<unknown>)();
  const name = String(route.name);
  const load = FIRST_PAGES[name];
  const known = pages.get(name);
  if (!load || (known && Date.now() - known.at < FRESH_MS)) return;
  const page = load(admin);
  // A failed prefetch is not an error to report: the screen loads the page itself.
  page.catch(() => pages.delete(name));
  pages.set(name, { at: Date.now(), page });
}

/** Drops every prefetched page: called on each write, so a screen never shows a page read before it. */
export function forgetPrefetched(): void {
  pages.clear();
}

/** The page prefetched for `name` if it is fresh, taken once (a later visit loads afresh); else `load()`. */
export function takePrefetched<T>(name: string, load: () => Promise<T>): Promise<T> {
  const known = pages.get(name);
  pages.delete(name);
  if (!known || Date.now() - known.at >= FRESH_MS) return load();
  return (known.page as Promise<T>).catch(() => load());
}
