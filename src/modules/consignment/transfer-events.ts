import type { Platform } from '../../platform/platform.ts';
import { paymentsOf } from '../payments/index.ts';
import { payoutServices } from './ledger-jobs.ts';
import { applyTransferEvent } from './payout-processing.ts';

/** Connect transfer events arrive through the payment layer's webhook pipeline (verified, stored once, queued). */
export function subscribeToTransferEvents(platform: Platform): void {
  paymentsOf(platform).onProviderEvent(async (trx, event) => {
    if (event.type.startsWith('transfer.')) await applyTransferEvent(trx, payoutServices(platform), event.tenantId, event.type, event.object);
  });
}
