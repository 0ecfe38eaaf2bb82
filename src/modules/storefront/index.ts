import type { PlatformModule } from '../../platform/platform.ts';
import { CatalogVersions } from './catalog-versions.ts';
import { storefrontRoutes } from './routes.ts';
import { telemetry } from './telemetry.ts';

export { cartScript } from './assets.ts';
export { csrfToken, verifyCsrf } from './cart.ts';
export { type Html, formatMoney, html } from './html.ts';
export { loadBranding } from './routes.ts';
export { type Branding, layout } from './templates/layout.ts';

const catalogVersions = new CatalogVersions();

/** The server-rendered shop: every non-/admin page of a store host. */
export const storefrontModule: PlatformModule = {
  name: 'storefront',
  telemetry,
  routes: (app, platform) => storefrontRoutes(app, platform, catalogVersions),
  async start(platform) {
    if (platform.roles.has('web')) await catalogVersions.start(platform.db.pool.options);
  },
  stop: () => catalogVersions.stop(),
};
