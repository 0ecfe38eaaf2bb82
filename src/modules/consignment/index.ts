import type { PlatformModule } from '../../platform/platform.ts';
import { getConsignor, insertConsignor } from './consignors.ts';
import { ledgerJobs, ledgerSchedules, startLedger } from './ledger-jobs.ts';
import { ledgerRoutes } from './ledger-routes.ts';
import { payoutTelemetry } from './ledger-telemetry.ts';
import { subscribeToTransferEvents } from './transfer-events.ts';

// The consignor portal's reads: one consignor's own figures.
export type { ConsignorNotification, ConsignorPayout, ConsignorSale, ConsignorStatement } from './consignor-view.ts';
export { consignorView } from './consignor-view.ts';
export type { Consignor, NewConsignor } from './consignors.ts';

/** Consignment: consignors, their agreements and splits, intake batches, aging and markdowns. */
export const consignmentModule: PlatformModule = {
  name: 'consignment',
  routes: ledgerRoutes,
  jobs: ledgerJobs,
  schedules: ledgerSchedules,
  telemetry: payoutTelemetry,
  async start(platform) {
    startLedger(platform);
    subscribeToTransferEvents(platform);
  },
};

/** What other modules may use of consignment. */
export const consignment = {
  getConsignor,
  createConsignor: insertConsignor,
};
export { notifyConsignor } from './ledger-jobs.ts';
