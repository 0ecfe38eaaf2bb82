import type { PlatformModule } from '../../platform/platform.ts';
import { portalRoutes } from './routes.ts';

/** The consignor portal: consignors' own sign-in and pages under /consignor on the store's host. */
export const consignorPortalModule: PlatformModule = {
  name: 'consignor-portal',
  routes: portalRoutes,
};
