import { type Tracer, SpanStatusCode } from '@opentelemetry/api';
import { sql } from 'kysely';
import type { Db } from '../db/database.ts';
import { currentContext } from '../observability/context.ts';
import { logger } from '../observability/logger.ts';
import './schema.ts';

/**
 * One step of a saga: `run` does a piece of work (often touching the outside world) and returns what its
 * compensation needs; `compensate` undoes it when a later step fails. Steps share a context object the saga's
 * caller owns; a step may read what earlier steps put there.
 */
export interface Step<C> {
  readonly name: string;
  /** Name of the span wrapping the step (defaults to no span of its own). */
  readonly span?: string | undefined;
  run(context: C): Promise<unknown>;
  compensate?(context: C, output: unknown): Promise<void>;
}

export interface StepSpec<C, O> {
  name: string;
  span?: string;
  run(context: C): Promise<O>;
  compensate?(context: C, output: O): Promise<void>;
}

const STEP_NAME = /^[a-z][a-zA-Z0-9-]*$/;

export function defineStep<C, O>(spec: StepSpec<C, O>): Step<C> {
  if (!STEP_NAME.test(spec.name)) throw new Error(`step name "${spec.name}" must be camelCase or kebab-case`);
  const compensate = spec.compensate;
  return {
    name: spec.name,
    span: spec.span,
    run: spec.run,
    ...(compensate ? { compensate: (context: C, output: unknown) => compensate(context, output as O) } : {}),
  };
}

/** A step failed; the steps before it were compensated (`compensated` false when a compensation failed too). */
export class SagaFailed extends Error {
  readonly step: string;
  readonly runId: string;
  readonly compensated: boolean;
  constructor(runId: string, step: string, cause: unknown, compensated: boolean) {
    super(`saga step ${step} failed: ${cause instanceof Error ? cause.message : String(cause)}`, { cause });
    this.name = 'SagaFailed';
    this.runId = runId;
    this.step = step;
    this.compensated = compensated;
  }
}

export interface SagaOptions {
  /** `checkout`, `payout`, …: the saga's kind in the audit table. */
  saga: string;
  /** Spans of the steps that declare one are made with this tracer (e.g. a bounded context's service name). */
  tracer?: Tracer;
  /** Called after each step run or compensation (metrics). */
  observe?(step: string, action: 'run' | 'compensate', outcome: 'succeeded' | 'failed', seconds: number, error?: unknown): void;
  /** Called with the run's id before the first step (steps may use it as their idempotency key). */
  onStart?(runId: string): void;
  /** The error code recorded on the run when a step fails (domain errors carry one). */
  errorCode?(error: unknown): string;
}

const log = logger('steps');

const errorText = (error: unknown) => (error instanceof Error ? `${error.name}: ${error.message}` : String(error)).slice(0, 2000);

/**
 * Runs the steps in order, recording each run and compensation in `saga_steps` (in transactions of its own,
 * so the audit survives whatever the steps' callers roll back). When a step throws, the steps that completed
 * are compensated in reverse order and SagaFailed is thrown with the original error as its cause.
 */
export async function runSaga<C>(db: Db, tenantId: string, steps: readonly Step<C>[], context: C, options: SagaOptions): Promise<{ runId: string }> {
  const runId = await db.withTenant(tenantId, async (trx) => {
    const row = await trx
      .insertInto('saga_runs')
      .values({ tenant_id: tenantId, saga: options.saga, correlation_id: currentContext()?.correlationId ?? null })
      .returning('id')
      .executeTakeFirstOrThrow();
    return row.id;
  });
  options.onStart?.(runId);
  // Step records are kept until the run ends and written with its outcome in one transaction (one commit instead
  // of one per step); a process dying mid-run leaves the run 'running', which is what an operator needs to see.
  const records: { step: string; action: 'run' | 'compensate'; outcome: 'succeeded' | 'failed'; output: string | null; error: string | null; duration_ms: number }[] = [];
  const record = async (step: string, action: 'run' | 'compensate', outcome: 'succeeded' | 'failed', started: number, output: unknown, error?: unknown) => {
    const seconds = (performance.now() - started) / 1000;
    options.observe?.(step, action, outcome, seconds, error);
    records.push({ step, action, outcome, output: output === undefined ? null : JSON.stringify(output), error: error === undefined ? null : errorText(error), duration_ms: seconds * 1000 });
  };
  const finish = (status: string, failedStep: string | null, errorCode: string | null) =>
    db.withTenant(tenantId, async (trx) => {
      await trx.insertInto('saga_steps').values(records.map((row) => ({ tenant_id: tenantId, run_id: runId, ...row }))).execute();
      await trx.updateTable('saga_runs').set({ status, failed_step: failedStep, error_code: errorCode, finished_at: sql`now()` }).where('id', '=', runId).execute();
    });

  const done: { step: Step<C>; output: unknown }[] = [];
  for (const step of steps) {
    const started = performance.now();
    try {
      const output = await inSpan(options.tracer, step.span, () => step.run(context));
      await record(step.name, 'run', 'succeeded', started, output);
      done.push({ step, output });
    } catch (error) {
      await record(step.name, 'run', 'failed', started, undefined, error);
      const compensated = await compensate(done, context, record);
      await finish(compensated ? 'compensated' : 'compensation_failed', step.name, options.errorCode?.(error) ?? 'error');
      throw new SagaFailed(runId, step.name, error, compensated);
    }
  }
  await finish('completed', null, null);
  return { runId };
}

async function compensate<C>(
  done: { step: Step<C>; output: unknown }[],
  context: C,
  record: (step: string, action: 'compensate', outcome: 'succeeded' | 'failed', started: number, output: unknown, error?: unknown) => Promise<void>,
): Promise<boolean> {
  let all = true;
  for (const { step, output } of done.toReversed()) {
    if (!step.compensate) continue;
    const started = performance.now();
    try {
      await step.compensate(context, output);
      await record(step.name, 'compensate', 'succeeded', started, undefined);
    } catch (error) {
      all = false;
      log.error({ err: error, step: step.name }, 'saga compensation failed');
      await record(step.name, 'compensate', 'failed', started, undefined, error);
    }
  }
  return all;
}

async function inSpan<T>(tracer: Tracer | undefined, name: string | undefined, fn: () => Promise<T>): Promise<T> {
  if (!tracer || !name) return fn();
  return tracer.startActiveSpan(name, async (span) => {
    try {
      return await fn();
    } catch (error) {
      span.recordException(error as Error);
      span.setStatus({ code: SpanStatusCode.ERROR });
      throw error;
    } finally {
      span.end();
    }
  });
}
