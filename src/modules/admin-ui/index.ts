import type { PlatformModule } from '../../platform/platform.ts';
import { loadAdminBuild } from './assets.ts';
import { ensureAdminBuilt } from './build.ts';
import { adminUiRoutes } from './routes.ts';
import { telemetry } from './telemetry.ts';

/** The merchant back office: serves the Vue admin app built from ui/admin, its bootstrap and its telemetry intake. */
export const adminUiModule: PlatformModule = {
  name: 'admin-ui',
  telemetry,
  async routes(app, platform) {
    await ensureAdminBuilt();
    await adminUiRoutes(app, platform, await loadAdminBuild());
  },
};
