import { existsSync } from 'node:fs';
import { logger } from '../../platform/observability/logger.ts';

/** Where `npm run build:ui` writes each browser app: the merchant admin and the platform console. */
export const ADMIN_DIST = new URL('../../../ui/dist/admin/', import.meta.url);
export const CONSOLE_DIST = new URL('../../../ui/dist/console/', import.meta.url);

/**
 * The apps are normally built on `npm install` (the `prepare` script). A checkout installed without scripts
 * builds them here once, at first start, so `npm start` always serves them.
 */
export async function ensureAppsBuilt(): Promise<void> {
  if ([ADMIN_DIST, CONSOLE_DIST].every((dist) => existsSync(new URL('.vite/manifest.json', dist)))) return;
  logger('admin-ui').info('browser apps not built yet; building them now');
  const { buildApps } = await import('../../../ui/build.ts');
  await buildApps();
}
