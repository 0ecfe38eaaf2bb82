import { type Kysely, sql } from 'kysely';
import { type Db, TenantIdError, type Tx } from '../db/database.ts';
import type { Database } from '../db/schema.ts';
import { HttpProblem } from '../http/problem.ts';
import { currentContext } from '../observability/context.ts';
import { captureContext } from '../observability/handoff.ts';
import { type JobDefinition, type JobPriority, PRIORITY_NUMBER } from './definitions.ts';
import type { DepthSnapshot } from './depth.ts';
import { type JobEnvelope, taskFlag, tenantFlag } from './envelope.ts';
import { jobMetrics } from './telemetry.ts';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export interface EnqueueOptions {
  /** The unit of work to enqueue in: the job commits or rolls back with it. Without it, enqueue commits alone. */
  trx?: Tx;
  /** The job's tenant; defaults to the current context's. Required for tenant jobs. */
  tenantId?: string;
  runAt?: Date;
  /** graphile-worker job key: a second enqueue with the same key replaces the waiting job. */
  jobKey?: string;
}

/** The payload does not match the job's schema: a programming error in the caller, or bad input to requeue. */
export class JobPayloadError extends Error {
  constructor(task: string, reason: string) {
    super(`invalid payload for job ${task}: ${reason}`);
    this.name = 'JobPayloadError';
  }
}

/** Enqueue refused: the priority class holds as many waiting jobs as its limit allows. */
export class QueueOverflowError extends HttpProblem {
  constructor(priority: JobPriority, depth: number, limit: number) {
    super(503, 'Queue overflow', `The ${priority} job queue is full (${depth} waiting, limit ${limit}); try again later.`, {
      extensions: { priority, depth, limit },
      headers: { 'retry-after': '30' },
    });
    this.name = 'QueueOverflowError';
  }
}

export interface JobSpecRow {
  identifier: string;
  payload: JobEnvelope;
  run_at: string | null;
  max_attempts: number;
  job_key: string | null;
  queue_name: string | null;
  priority: number;
  flags: string[];
}

export function jobSpecRow(definition: JobDefinition<never>, envelope: JobEnvelope, options: Pick<EnqueueOptions, 'runAt' | 'jobKey'> = {}): JobSpecRow {
  return {
    identifier: definition.name,
    payload: envelope,
    run_at: options.runAt?.toISOString() ?? null,
    max_attempts: definition.maxAttempts,
    job_key: options.jobKey ?? null,
    queue_name: definition.onePerTenant && envelope.tenant_id ? `${definition.name}:${envelope.tenant_id}` : null,
    priority: PRIORITY_NUMBER[definition.priority],
    flags: envelope.tenant_id ? [taskFlag(definition.name), tenantFlag(envelope.tenant_id)] : [taskFlag(definition.name)],
  };
}

/** Adds jobs through `app_enqueue_jobs` (graphile-worker's add_jobs as the owner) in the executor's transaction. */
export async function insertJobs(executor: Kysely<Database>, specs: JobSpecRow[]): Promise<string[]> {
  const { rows } = await sql<{ id: string }>`select app_enqueue_jobs(${JSON.stringify(specs)}::jsonb) as id`.execute(executor);
  return rows.map((row) => row.id);
}

export type Enqueue = <P>(definition: JobDefinition<P>, payload: P, options?: EnqueueOptions) => Promise<string>;
export type EnqueueMany = <P>(definition: JobDefinition<P>, payloads: P[], options?: EnqueueOptions) => Promise<string[]>;

export function createEnqueue(db: Db, depth: DepthSnapshot, limits: Record<JobPriority, number>): { enqueue: Enqueue; enqueueMany: EnqueueMany } {
  const enqueueMany: EnqueueMany = async (definition, payloads, options = {}) => {
    if (payloads.length === 0) return [];
    for (const payload of payloads) {
      const invalid = definition.validate(payload);
      if (invalid) throw new JobPayloadError(definition.name, invalid);
    }
    const tenantId = definition.scope === 'tenant' ? (options.tenantId ?? currentContext()?.tenantId ?? null) : null;
    if (definition.scope === 'tenant' && !tenantId) {
      throw new Error(`job ${definition.name} is a tenant job: enqueue it inside a tenant's request or pass tenantId`);
    }
    if (tenantId && !UUID.test(tenantId)) throw new TenantIdError(tenantId);
    const priority = definition.priority;
    const waiting = (await depth.current()).queued[priority];
    if (waiting + payloads.length > limits[priority]) {
      jobMetrics.overflow.inc({ priority });
      throw new QueueOverflowError(priority, waiting, limits[priority]);
    }
    const origin = captureContext() ?? null;
    const specs = payloads.map((data) =>
      jobSpecRow(definition as JobDefinition<never>, { v: definition.version, tenant_id: tenantId, origin, data }, options),
    );
    const ids = await insertJobs(options.trx ?? db.kysely, specs);
    depth.added(priority, ids.length);
    jobMetrics.enqueued.inc({ priority }, ids.length);
    return ids;
  };
  const enqueue: Enqueue = async (definition, payload, options) => {
    const [id] = await enqueueMany(definition, [payload], options);
    return id!;
  };
  return { enqueue, enqueueMany };
}
