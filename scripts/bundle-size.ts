/**
 * `node scripts/bundle-size.ts` (after `npm run build:ui`): what each browser app costs as served, gzipped at
 * level 9 as the server holds it: `initial` (index.html, the entry chunk, its static imports and their CSS: a
 * first visit's download) and `total` (every asset). Prints one JSON document.
 */
import { loadAppBuild } from '../src/modules/admin-ui/assets.ts';
import { ADMIN_DIST, CONSOLE_DIST } from '../src/modules/admin-ui/build.ts';

const sizes: Record<string, { initial_bytes: number; total_bytes: number; assets: number }> = {};
for (const [app, dist] of [['admin', ADMIN_DIST], ['console', CONSOLE_DIST]] as const) {
  const build = await loadAppBuild(dist);
  sizes[app] = { initial_bytes: build.initialBytes, total_bytes: build.totalBytes, assets: build.assets.size };
}
console.log(JSON.stringify(sizes, null, 2));
