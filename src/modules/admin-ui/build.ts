import { existsSync } from 'node:fs';
import { logger } from '../../platform/observability/logger.ts';

/** Where `npm run build:ui` writes the admin app. */
export const ADMIN_DIST = new URL('../../../ui/dist/admin/', import.meta.url);
const MANIFEST = new URL('.vite/manifest.json', ADMIN_DIST);

/**
 * The admin is normally built on `npm install` (the `prepare` script). A checkout installed without scripts
 * builds it here once, at first start, so `npm start` always serves an admin.
 */
export async function ensureAdminBuilt(): Promise<void> {
  if (existsSync(MANIFEST)) return;
  logger('admin-ui').info('admin app not built yet; building it now');
  const { buildApps } = await import('../../../ui/build.ts');
  await buildApps();
}
