import type { CapturedContext } from '../observability/handoff.ts';

/**
 * A job's graphile-worker payload: the module's payload with its schema version, the tenant, and the context of
 * the code that enqueued it (correlation, user, trace), null outside any.
 * Cron jobs add graphile-worker's `_cron` key, which is ignored.
 */
export interface JobEnvelope {
  v: number;
  tenant_id: string | null;
  origin: CapturedContext | null;
  data: unknown;
}

export function isEnvelope(value: unknown): value is JobEnvelope {
  if (typeof value !== 'object' || value === null) return false;
  const candidate = value as Partial<JobEnvelope>;
  return typeof candidate.v === 'number' && typeof candidate.origin === 'object' && 'data' in candidate;
}

/** Flags every job carries, so workers can skip a paused task or tenant (graphile-worker's forbiddenFlags). */
export const taskFlag = (task: string) => `task:${task}`;
export const tenantFlag = (tenantId: string) => `tenant:${tenantId}`;
/** The flag of one paused job. */
export const PAUSED_FLAG = 'paused';
