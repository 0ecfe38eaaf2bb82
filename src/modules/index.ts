import type { PlatformModule } from '../platform/platform.ts';
import { catalogModule } from './catalog/index.ts';
import { storefrontModule } from './storefront/index.ts';
import { tenancyModule } from './tenancy/index.ts';

/** Every module of the product, in start-up order. */
export const modules: PlatformModule[] = [tenancyModule, catalogModule, storefrontModule];
