import type { PlatformModule } from '../../platform/platform.ts';
import { tenancy } from '../tenancy/index.ts';
import { onboardingRoutes } from './routes.ts';

/** Merchant onboarding pages: self-service sign-up on the platform host, the owner's first password on the store host. */
export const onboardingModule: PlatformModule = {
  name: 'onboarding',
  routes: onboardingRoutes,
  /** Self-service sign-up is on in development (the seed runs only there); production opens it by changing the flag. */
  async seed(platform) {
    await tenancy(platform).flags.setPlatformValue('platform.signup', true);
  },
};
