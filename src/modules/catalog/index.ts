import type { PlatformModule } from '../../platform/platform.ts';
import { catalogJobs } from './jobs.ts';
import { catalogRoutes } from './routes.ts';
import { seedDemoCatalog } from './seed.ts';
import { telemetry } from './telemetry.ts';

export { catalogVersion } from './events.ts';
export {
  type PublicCollection,
  type PublicProduct,
  type PublicProductSummary,
  type SearchResults,
  collectionPage,
  listPublicCollections,
  newestProducts,
  publishedProduct,
  searchProducts,
} from './public-catalog.ts';
export type { Medium } from './repository.ts';
export { Handle } from './schemas.ts';
export { attachProductMedium } from './service.ts';

export const catalogModule: PlatformModule = {
  name: 'catalog',
  telemetry,
  routes: catalogRoutes,
  seed: seedDemoCatalog,
  jobs: catalogJobs,
};

/** What other modules may use of the catalog: purchasable variants and stock holds. */
export { type CheckoutVariant, type PublicCartVariant, cartVariants, checkoutVariants } from './public-catalog.ts';
export {
  type CreatedOneOfAKind,
  type OneOfAKindInput,
  archiveProducts,
  createOneOfAKindProducts,
  setVariantPrices,
} from './one-of-a-kind.ts';
export { OutOfStock, type StockLine, commitStock, releaseExpiredStock, releaseStock, reserveStock } from './reservations.ts';
