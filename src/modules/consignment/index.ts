import { defineTelemetry } from '../../platform/observability/alerting.ts';
import { logger } from '../../platform/observability/logger.ts';
import type { Platform, PlatformModule } from '../../platform/platform.ts';
import { loadOrder } from '../checkout/index.ts';
import { markSold } from './aging.ts';
import { acceptAgreement } from './agreements.ts';
import { createConsignor, getConsignor } from './consignors.ts';
import { proposeBatch } from './intake.ts';
import { bindConsignmentJobs, consignmentJobs, consignmentSchedules } from './jobs.ts';
import { ledgerJobs, ledgerSchedules, startLedger } from './ledger-jobs.ts';
import { ledgerRoutes } from './ledger-routes.ts';
import { payoutTelemetry } from './ledger-telemetry.ts';
import { consignmentRoutes } from './routes.ts';
import { telemetry } from './telemetry.ts';
import { termsFor } from './terms.ts';
import { subscribeToTransferEvents } from './transfer-events.ts';

export { consignedItemsFor } from './consigned-items.ts';
// The consignor portal's reads: one consignor's own figures.
export type { ConsignorItem, ConsignorProposal } from './consignor-items-view.ts';
export type { ConsignorNotification, ConsignorPayout, ConsignorSale, ConsignorStatement } from './consignor-view.ts';
export { consignorView } from './consignor-view.ts';
export type { Consignor, NewConsignor } from './consignors.ts';
export { type CommissionLayers, type ConsignedItem, type RuleLevel, type SaleLine, type Split, splitFor } from './splits.ts';
export type { EffectiveTerms } from './terms.ts';

const log = logger('consignment');

/** Items sold through checkout leave the floor: no more markdowns or expiry for them. */
function followSales(platform: Platform): void {
  platform.events.on('OrderPaid', (event) =>
    platform.db
      .withTenant(event.tenantId, async (trx) => {
        const order = await loadOrder(trx, { id: event.orderId });
        const variants = (order?.lines ?? []).map((line) => line.variant_id).filter((id): id is string => id !== null);
        await markSold(trx, event.tenantId, variants);
      })
      .catch((error: unknown) => log.error({ err: error, order_id: event.orderId }, 'consigned items of a paid order not marked sold')),
  );
}

/** Consignment: consignors, their agreements and splits, intake batches, aging and markdowns. */
export const consignmentModule: PlatformModule = {
  name: 'consignment',
  telemetry: defineTelemetry({
    alerts: [...(telemetry.alerts ?? []), ...(payoutTelemetry.alerts ?? [])],
    slos: [...(telemetry.slos ?? []), ...(payoutTelemetry.slos ?? [])],
    panels: [...(telemetry.panels ?? []), ...(payoutTelemetry.panels ?? [])],
  }),
  async routes(app, platform) {
    await consignmentRoutes(app, platform);
    await ledgerRoutes(app, platform);
  },
  jobs: [...consignmentJobs, ...ledgerJobs],
  schedules: [...consignmentSchedules, ...ledgerSchedules],
  async start(platform) {
    bindConsignmentJobs(platform);
    startLedger(platform);
    subscribeToTransferEvents(platform);
    if (platform.roles.has('worker')) followSales(platform);
  },
};

/** What other modules may use of consignment (the portal, the ledger). */
export const consignment = {
  getConsignor,
  createConsignor,
  /** The consignor's effective terms (fees, period, commission source). */
  termsFor,
  /** A consignor's own proposal of items, for staff to accept. */
  proposeBatch,
  /** A consignor's acceptance of the agreement (the portal passes channel `portal` and the request's address). */
  acceptAgreement,
};
export { consignorLedger } from './consignor-ledger.ts';
export { notifyConsignor } from './ledger-jobs.ts';
