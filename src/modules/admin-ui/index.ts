import type { PlatformModule } from '../../platform/platform.ts';
import { loadAppBuild } from './assets.ts';
import { ADMIN_DIST, CONSOLE_DIST, ensureAppsBuilt } from './build.ts';
import { consoleRoutes } from './console-routes.ts';
import { adminUiRoutes } from './routes.ts';
import { adminBundleSize, telemetry } from './telemetry.ts';

/**
 * The browser apps' delivery: the merchant back office (ui/admin) under /admin on store hosts, with its bootstrap
 * and telemetry intake, and the platform console (ui/console) under /admin/platform/ on the platform host.
 */
export const adminUiModule: PlatformModule = {
  name: 'admin-ui',
  telemetry,
  async routes(app, platform) {
    await ensureAppsBuilt();
    const [admin, console] = await Promise.all([loadAppBuild(ADMIN_DIST), loadAppBuild(CONSOLE_DIST)]);
    adminBundleSize.set({ type: 'initial' }, admin.initialBytes);
    adminBundleSize.set({ type: 'total' }, admin.totalBytes);
    await adminUiRoutes(app, platform, admin);
    await consoleRoutes(app, console);
  },
};
