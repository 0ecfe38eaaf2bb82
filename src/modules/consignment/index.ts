import type { PlatformModule } from '../../platform/platform.ts';
import { getConsignor, insertConsignor } from './consignors.ts';

export type { Consignor, NewConsignor } from './consignors.ts';

/** Consignment: consignors, their agreements and splits, intake batches, aging and markdowns. */
export const consignmentModule: PlatformModule = {
  name: 'consignment',
};

/** What other modules may use of consignment. */
export const consignment = {
  getConsignor,
  createConsignor: insertConsignor,
};
export type { ConsignorNotification, ConsignorPayout, ConsignorSale, ConsignorStatement } from './consignor-view.ts';
export { consignorView } from './consignor-view.ts';
