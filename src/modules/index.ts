import type { PlatformModule } from '../platform/platform.ts';
import { adminUiModule } from './admin-ui/index.ts';
import { catalogModule } from './catalog/index.ts';
import { checkoutModule } from './checkout/index.ts';
import { consignmentModule } from './consignment/index.ts';
import { consignorPortalModule } from './consignor-portal/index.ts';
import { identityModule } from './identity/index.ts';
import { mediaModule } from './media/index.ts';
import { onboardingModule } from './onboarding/index.ts';
import { paymentsModule } from './payments/index.ts';
import { platformAdminModule } from './platform-admin/index.ts';
import { storefrontModule } from './storefront/index.ts';
import { tenancyModule } from './tenancy/index.ts';

/** Every module of the product, in start-up order. */
export const modules: PlatformModule[] = [
  tenancyModule,
  identityModule,
  platformAdminModule,
  catalogModule,
  mediaModule,
  paymentsModule,
  checkoutModule,
  storefrontModule,
  consignmentModule,
  consignorPortalModule,
  onboardingModule,
  adminUiModule,
];
