import type { PlatformModule } from '../../platform/platform.ts';
import { rateLimitBucketPruning, rateLimitBucketPruningSchedule } from './bucket-pruning.ts';
import './events.ts';
import { installGateway } from './gateway.ts';
import { tenancyRoutes } from './routes.ts';
import { seedDemoTenant, tenancy } from './service.ts';
import { telemetry } from './telemetry.ts';

export { type TxtResolver, txtResolverFromSetting } from './dns.ts';
export { type DomainCommand, addDomainCommand, removeDomainCommand, verifyDomainCommand } from './domain-commands.ts';
export { listCustomDomains } from './domains.ts';
export { type CommandCursor, type StoreCommand, asStoreCommand, listPlatformCommands } from './command-log.ts';
export { type OnboardingCommand, type PlanChange, SUBDOMAIN_REFUSALS, changePlan, onboardStore } from './onboarding.ts';
export { resume as resumeStore, suspend as suspendStore } from './suspension.ts';
export { subdomainRefusal } from './subdomain-claim.ts';
export type { DomainView } from './domains.ts';
export type { FeatureFlagValues, FlagKey, FlagReport, FeatureFlags } from './flags.ts';
export type { RateLimit, RateLimitDecision, RateLimiter } from './rate-limiter.ts';
export { setRateLimitHeaders } from './gateway.ts';
export {
  DEMO_SUBDOMAIN,
  type PlatformCommand,
  type ResolvedTenant,
  type SuspensionCommand,
  type Tenant,
  type TenancyService,
  type TenantPlan,
  createTenant,
  storeOrigin,
  storeSettings,
  tenancy,
} from './service.ts';

export const tenancyModule: PlatformModule = {
  name: 'tenancy',
  telemetry,
  hooks(app, platform) {
    installGateway(app, platform, tenancy(platform));
  },
  routes: tenancyRoutes,
  jobs: [rateLimitBucketPruning],
  schedules: [rateLimitBucketPruningSchedule],
  async seed(platform) {
    await seedDemoTenant(platform.db);
  },
  start: (platform) => tenancy(platform).start(),
  stop: (platform) => tenancy(platform).stop(),
};
