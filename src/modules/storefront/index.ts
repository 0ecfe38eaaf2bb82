import type { PlatformModule } from '../../platform/platform.ts';
import { storefrontRoutes } from './routes.ts';

/** The server-rendered shop: every non-/admin page of a store host. */
export const storefrontModule: PlatformModule = {
  name: 'storefront',
  routes: storefrontRoutes,
};
