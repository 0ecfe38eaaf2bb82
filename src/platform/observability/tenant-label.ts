import { LRUCache } from 'lru-cache';

/**
 * The bounded `tenant_id` metric label. Thousands of tenants times histogram buckets would melt Prometheus,
 * so only allow-listed tenants and the first `topK` tenants to reach `promoteAfter` observations get their
 * own label; every other tenant is `other`, and work outside any tenant is `none`. A promoted tenant keeps its
 * label for the life of the process, so its series never jumps into `other` and back.
 */
export interface TenantLabelOptions {
  allowList: readonly string[];
  topK: number;
  /** Observations a tenant needs before it takes one of the top-K slots. */
  promoteAfter?: number;
  /** How many not-yet-promoted tenants are counted at once (least recently seen forgotten first). */
  candidates?: number;
}

export const OTHER_TENANT = 'other';
export const NO_TENANT = 'none';

export class TenantLabeler {
  private readonly allowed: ReadonlySet<string>;
  private readonly promoted = new Set<string>();
  private readonly counts: LRUCache<string, number>;
  private readonly topK: number;
  private readonly promoteAfter: number;

  constructor(options: TenantLabelOptions) {
    this.allowed = new Set(options.allowList);
    this.topK = options.topK;
    this.promoteAfter = options.promoteAfter ?? 100;
    this.counts = new LRUCache({ max: options.candidates ?? 10_000 });
  }

  label(tenantId: string | undefined | null): string {
    if (!tenantId) return NO_TENANT;
    if (this.allowed.has(tenantId) || this.promoted.has(tenantId)) return tenantId;
    if (this.promoted.size >= this.topK) return OTHER_TENANT;
    const seen = (this.counts.get(tenantId) ?? 0) + 1;
    if (seen < this.promoteAfter) {
      this.counts.set(tenantId, seen);
      return OTHER_TENANT;
    }
    this.counts.delete(tenantId);
    this.promoted.add(tenantId);
    return tenantId;
  }
}

let shared = new TenantLabeler({ allowList: [], topK: 20 });

/** Sets the process-wide labeler from configuration (METRICS_TENANT_ALLOWLIST, METRICS_TENANT_TOP_K). */
export function configureTenantLabels(options: TenantLabelOptions): void {
  shared = new TenantLabeler(options);
}

/** The label value for a tenant, for any metric with a `tenant_id` label. */
export function tenantLabel(tenantId: string | undefined | null): string {
  return shared.label(tenantId);
}
