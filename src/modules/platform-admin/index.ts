import type { PlatformModule } from '../../platform/platform.ts';
import { startRuleEngine, stopRuleEngine } from './alerts.ts';
import { platformAdminRoutes } from './routes.ts';
import { telemetry } from './telemetry.ts';

export { storeList } from './service.ts';
export { type NewStore, createStore } from './store-creation.ts';

export const platformAdminModule: PlatformModule = {
  name: 'platform-admin',
  telemetry,
  routes: platformAdminRoutes,
  start: startRuleEngine,
  async stop(platform) {
    stopRuleEngine(platform);
  },
};
