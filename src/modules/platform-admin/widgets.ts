import type { Db } from '../../platform/db/database.ts';
import { readQueueDepth, readTenantQueueDepth } from '../../platform/jobs/depth.ts';
import { topErrorGroups } from '../../platform/observability/error-groups.ts';
import { errorHeatmap, recentTraces, tenantTraffic } from '../../platform/observability/trace-store/search.ts';
import type { ObservabilityLinksConfig } from '../../platform/config/config.ts';
import { type Identity, impersonationAudit } from '../identity/index.ts';
import { outboundLinks } from './links.ts';
import { findStore } from './repository.ts';
import { subdomainsOf, traceSummary } from './traces.ts';
import { HttpProblem } from '../../platform/http/problem.ts';

/** Refresh rates of the console's widgets, in seconds (the observability spec's widget inventory). */
export const REFRESH_SECONDS = { alerts: 30, errorHeatmap: 60, queueDepth: 30, errorGroups: 60, impersonations: 300, drilldown: 60 } as const;

const asOf = (at: Date, refresh: number) => ({ data_as_of: at.toISOString(), refresh_seconds: refresh });
const rate = (errors: number, requests: number) => (requests > 0 ? errors / requests : null);

/** Error rate by store and time bucket, from the trace store's weighted request rows; empty buckets are zeros. */
export async function errorHeatmapWidget(db: Db, options: { minutes: number; bucketMinutes: number; tenants: number }) {
  const now = new Date();
  const bucketMs = options.bucketMinutes * 60_000;
  const firstBucket = Math.floor((now.getTime() - options.minutes * 60_000) / bucketMs) * bucketMs;
  const buckets: string[] = [];
  for (let at = firstBucket; at <= now.getTime(); at += bucketMs) buckets.push(new Date(at).toISOString());
  const cells = await errorHeatmap(db, { since: new Date(firstBucket), bucketSeconds: options.bucketMinutes * 60, tenants: options.tenants });
  const byTenant = new Map<string, Map<string, { requests: number; errors: number }>>();
  for (const cell of cells) {
    const row = byTenant.get(cell.tenant_id) ?? new Map();
    row.set(cell.bucket.toISOString(), { requests: cell.requests, errors: cell.errors });
    byTenant.set(cell.tenant_id, row);
  }
  const subdomains = await subdomainsOf(db, [...byTenant.keys()]);
  return {
    ...asOf(now, REFRESH_SECONDS.errorHeatmap),
    buckets,
    tenants: [...byTenant].map(([tenantId, row]) => ({
      tenant_id: tenantId,
      subdomain: subdomains.get(tenantId) ?? null,
      cells: buckets.map((bucket) => {
        const cell = row.get(bucket) ?? { requests: 0, errors: 0 };
        return { bucket, requests: cell.requests, errors: cell.errors, error_rate: rate(cell.errors, cell.requests) };
      }),
    })),
  };
}

export async function queueDepthWidget(db: Db) {
  const depth = await readQueueDepth(db);
  return { ...asOf(new Date(depth.readAt), REFRESH_SECONDS.queueDepth), queued: depth.queued, due: depth.due, oldest_due_age_seconds: depth.oldestDueAgeSeconds };
}

export async function errorGroupsWidget(db: Db, limit: number) {
  const now = new Date();
  const groups = await topErrorGroups(db, { since: new Date(now.getTime() - 24 * 3_600_000), limit });
  return {
    ...asOf(now, REFRESH_SECONDS.errorGroups),
    items: groups.map((group) => ({
      fingerprint: group.fingerprint,
      error_type: group.error_type,
      message: group.message,
      top_frames: group.top_frames,
      endpoint: group.endpoint,
      first_seen: group.first_seen.toISOString(),
      last_seen: group.last_seen.toISOString(),
      count: Number(group.count),
      sample_request_id: group.sample_request_id,
    })),
  };
}

export async function impersonationWidget(identity: Identity, limit: number) {
  const now = new Date();
  const page = await impersonationAudit(identity, { event: 'started', limit });
  return {
    ...asOf(now, REFRESH_SECONDS.impersonations),
    items: page.items.map((row) => ({
      impersonation_id: row.impersonation_id,
      store_id: row.tenant_id,
      actor_id: row.actor_id,
      target_user_id: row.target_user_id,
      reason_code: row.reason_code,
      ticket: row.ticket,
      event: row.event,
      occurred_at: row.occurred_at.toISOString(),
    })),
  };
}

/** One store's health over the last `minutes`: error rate, latency, queue depth, recent failed or slow requests. */
export async function storeDrilldown(db: Db, links: ObservabilityLinksConfig, storeId: string, minutes: number) {
  const store = await findStore(db, storeId);
  if (!store) throw new HttpProblem(404, 'Store not found', `No store has id ${storeId}.`);
  const now = new Date();
  const since = new Date(now.getTime() - minutes * 60_000);
  const [traffic, depth, recent] = await Promise.all([
    tenantTraffic(db, storeId, since),
    readTenantQueueDepth(db, storeId),
    recentTraces(db, { tenantId: storeId, since, limit: 20 }),
  ]);
  return {
    ...asOf(now, REFRESH_SECONDS.drilldown),
    store_id: store.id,
    subdomain: store.subdomain,
    window_minutes: minutes,
    requests: traffic.requests,
    errors: traffic.errors,
    error_rate: rate(traffic.errors, traffic.requests),
    latency_ms: { p50: traffic.p50_ms, p95: traffic.p95_ms },
    queue_depth: depth,
    recent_traces: recent.map(traceSummary),
    links: outboundLinks(links, { tenantId: store.id, from: since, to: now }),
  };
}
