import type { PlatformModule } from '../../platform/platform.ts';
import { platformAdminRoutes } from './routes.ts';

export const platformAdminModule: PlatformModule = {
  name: 'platform-admin',
  routes: platformAdminRoutes,
};
