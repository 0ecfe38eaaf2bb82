/** Events of the Tenant Access Gateway on the platform's in-process bus (`platform.events`). */
declare module '../../platform/events/bus.ts' {
  interface DomainEvents {
    /** A request's host resolved to a store (published on every resolved request). */
    TenantResolved: { tenantId: string; host: string; cached: boolean };
    /** A request's host names no store. */
    TenantMissing: { host: string };
    /** A store was suspended; published on every replica (from PostgreSQL notifications). */
    TenantSuspended: { tenantId: string };
    /** A suspended store was resumed; published on every replica. */
    TenantResumed: { tenantId: string };
  }
}

export {};
