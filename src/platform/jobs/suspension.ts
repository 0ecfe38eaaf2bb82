import type { EventBus } from '../events/bus.ts';
import type { Pausing } from './pausing.ts';

/**
 * A suspended store's jobs stop: the gateway's suspension events pause and resume its jobs. Every
 * replica receives the events and writes the same idempotent pause, so one running replica is enough.
 */
export function pauseJobsOfSuspendedTenants(events: EventBus, pausing: Pausing): void {
  events.on('TenantSuspended', ({ tenantId }) => pausing.pauseTenant(tenantId, 'store suspended'));
  events.on('TenantResumed', async ({ tenantId }) => {
    await pausing.resumeTenant(tenantId);
  });
}
