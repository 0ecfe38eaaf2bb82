import type { Static, TSchema } from 'typebox';
import { Compile } from 'typebox/compile';
import type { JobPriority } from '../config/config.ts';
import type { Tx } from '../db/database.ts';

export { JOB_PRIORITIES, type JobPriority } from '../config/config.ts';

/** graphile-worker runs numerically smaller priorities first. */
export const PRIORITY_NUMBER: Record<JobPriority, number> = { CRITICAL: -20, HIGH: -10, DEFAULT: 0, LOW: 10, BULK: 20 };

export interface JobRunContext {
  /** The job's unit of work: its tenant's (`withTenant`) for tenant jobs, `withPlatform` for platform jobs. */
  trx: Tx;
  tenantId: string | null;
  jobId: string;
  attempt: number;
  maxAttempts: number;
  /** Aborted at the job's timeout and at shutdown; long handlers should stop when it fires. */
  signal: AbortSignal;
}

export interface JobSpec<S extends TSchema> {
  /** `module.action`, e.g. `catalog.import-chunk`; the graphile-worker task identifier. */
  name: string;
  /** Payload schema version. A worker meeting another version sends the job to dead jobs without retrying. */
  version: number;
  payload: S;
  priority: JobPriority;
  maxAttempts: number;
  timeoutMs: number;
  /** `tenant` (default): enqueued for a tenant, runs in its unit of work. `platform`: no tenant. */
  scope?: 'tenant' | 'platform';
  /**
   * One at a time per tenant (a graphile-worker queue per tenant and task): a store's thousand chunks take one
   * runner of the class, so another store's job does not wait behind them all.
   */
  onePerTenant?: boolean;
  /** The worker role that runs it: `worker` (default) or `media-worker` (heavy FFmpeg work, on its own machines). */
  role?: 'worker' | 'media-worker';
  run(payload: Static<S>, context: JobRunContext): Promise<void>;
  /** After the last attempt failed (the job is in dead jobs): record the failure where users look, in its own unit of work. */
  onDead?(payload: Static<S>, context: Pick<JobRunContext, 'trx' | 'tenantId'>): Promise<void>;
}

export interface JobDefinition<P = unknown> {
  readonly name: string;
  readonly version: number;
  readonly priority: JobPriority;
  readonly maxAttempts: number;
  readonly timeoutMs: number;
  readonly scope: 'tenant' | 'platform';
  readonly onePerTenant: boolean;
  readonly role: 'worker' | 'media-worker';
  /** Why the payload is invalid, or undefined when it is valid. */
  validate(payload: unknown): string | undefined;
  run(payload: P, context: JobRunContext): Promise<void>;
  onDead?(payload: P, context: Pick<JobRunContext, 'trx' | 'tenantId'>): Promise<void>;
}

const NAME = /^[a-z][a-z0-9-]*(\.[a-z][a-z0-9-]*)+$/;

export function defineJob<const S extends TSchema>(spec: JobSpec<S>): JobDefinition<Static<S>> {
  if (!NAME.test(spec.name)) throw new Error(`job name "${spec.name}" must look like module.action`);
  if (!Number.isInteger(spec.version) || spec.version < 1) throw new Error(`job ${spec.name}: version must be a positive integer`);
  if (!Number.isInteger(spec.maxAttempts) || spec.maxAttempts < 1) throw new Error(`job ${spec.name}: maxAttempts must be ≥ 1`);
  const validator = Compile(spec.payload);
  return {
    name: spec.name,
    version: spec.version,
    priority: spec.priority,
    maxAttempts: spec.maxAttempts,
    timeoutMs: spec.timeoutMs,
    scope: spec.scope ?? 'tenant',
    onePerTenant: spec.onePerTenant ?? false,
    role: spec.role ?? 'worker',
    validate(payload) {
      if (validator.Check(payload)) return undefined;
      return [...validator.Errors(payload)]
        .slice(0, 5)
        .map((error) => `${error.instancePath || '/'} ${error.message}`)
        .join('; ');
    },
    run: spec.run,
    ...(spec.onDead ? { onDead: spec.onDead } : {}),
  };
}

/** Every definition by name; two definitions with one name are a programming error. */
export function definitionsByName(definitions: readonly JobDefinition<never>[]): Map<string, JobDefinition<never>> {
  const byName = new Map<string, JobDefinition<never>>();
  for (const definition of definitions) {
    if (byName.has(definition.name)) throw new Error(`job ${definition.name} is defined twice`);
    byName.set(definition.name, definition);
  }
  return byName;
}

/** A cron schedule (graphile-worker crontab syntax, UTC) that enqueues a platform job with a fixed payload. */
export interface JobSchedule {
  job: JobDefinition<never>;
  /** e.g. `0 3 * * *` for 03:00 UTC daily. */
  cron: string;
  payload: unknown;
}

export function defineSchedule<P>(job: JobDefinition<P>, cron: string, payload: P): JobSchedule {
  return { job: job as JobDefinition<never>, cron, payload };
}
