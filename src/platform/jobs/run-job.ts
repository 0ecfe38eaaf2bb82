import { SpanStatusCode } from '@opentelemetry/api';
import type { Job, JobHelpers, Task } from 'graphile-worker';
import type { Db, Tx } from '../db/database.ts';
import { activeSpan } from '../observability/context.ts';
import { type CapturedContext, runWithCapturedContext } from '../observability/handoff.ts';
import { logger } from '../observability/logger.ts';
import { observeWithTrace } from '../observability/metrics.ts';
import type { DeadJobs, DeadReason } from './dead-jobs.ts';
import type { JobDefinition } from './definitions.ts';
import { isEnvelope, type JobEnvelope } from './envelope.ts';
import { jobMetrics } from './telemetry.ts';

export class JobTimeoutError extends Error {
  constructor(task: string, timeoutMs: number) {
    super(`job ${task} timed out after ${timeoutMs} ms`);
    this.name = 'JobTimeoutError';
  }
}

const message = (error: unknown) => (error instanceof Error ? `${error.name}: ${error.message}` : String(error));

/** Settles with `work`, or rejects when `signal` aborts first; `work` may go on, its outcome is then ignored. */
function untilAborted<T>(work: Promise<T>, signal: AbortSignal, reason: () => Error): Promise<T> {
  work.catch(() => {});
  if (signal.aborted) return Promise.reject(reason());
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(reason());
    signal.addEventListener('abort', onAbort, { once: true });
    work.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
  });
}

/** The context a job runs in: its enqueuer's (correlation, user, trace), with the job's own tenant. */
function restoredContext(envelope: JobEnvelope | undefined, jobId: string): CapturedContext {
  const { tenantId: _enqueuer, storeId: _store, ...origin } = envelope?.origin ?? { correlationId: `job-${jobId}` };
  const tenantId = envelope?.tenant_id;
  return tenantId ? { ...origin, tenantId, storeId: tenantId } : origin;
}

/**
 * The graphile-worker task of a job definition: restores the enqueuer's context and trace (the fabric's
 * handoff), checks the payload version, runs the job in its unit of work within its timeout, counts it, keeps
 * failed attempts' errors, and moves the job to dead jobs after its last attempt (graphile-worker then deletes
 * it as done).
 */
export function jobTask(definition: JobDefinition<never>, db: Db, deadJobs: DeadJobs): Task {
  const priority = definition.priority;
  const log = logger('jobs');
  return async (rawPayload, helpers) => {
    const job = helpers.job;
    jobMetrics.started.inc({ priority });
    jobMetrics.waitTime.observe({ priority }, Math.max(0, Date.now() - job.run_at.getTime()) / 1000);
    const envelope = isEnvelope(rawPayload) ? rawPayload : undefined;
    const context = restoredContext(envelope, job.id);
    const started = performance.now();
    const seconds = () => (performance.now() - started) / 1000;
    const moveToDead = async (reason: DeadReason, error: string) => {
      await deadJobs.record(
        {
          job_id: job.id,
          task: definition.name,
          priority,
          payload_version: envelope?.v ?? 0,
          payload: envelope ?? { v: 0, tenant_id: null, origin: null, data: rawPayload },
          tenant_id: envelope?.tenant_id ?? null,
          correlation_id: context.correlationId,
          reason,
          attempts: job.attempts,
          max_attempts: job.max_attempts,
          last_error: error,
        },
        new Date(),
      );
      observeWithTrace(jobMetrics.duration, { priority, status: 'dead' }, seconds(), activeSpan());
    };
    const spanName = `Job.execute.${definition.name}`;
    const attributes = { 'job.id': job.id, 'job.task': definition.name, 'job.priority': priority, 'job.attempt': job.attempts };
    await runWithCapturedContext(context, { spanName, attributes }, async () => {
      if (envelope?.v !== definition.version) {
        const error = `payload version ${envelope?.v ?? 'missing'}, this worker runs version ${definition.version}`;
        log.fatal(
          { job_id: job.id, task: definition.name, payload_version: envelope?.v ?? null, expected_version: definition.version },
          'job payload version unknown to this worker; moved to dead jobs without retrying',
        );
        await moveToDead('unknown_version', error);
        return;
      }
      const invalid = definition.validate(envelope.data) ?? (definition.scope === 'tenant' && !envelope.tenant_id ? 'a tenant job without a tenant' : undefined);
      if (invalid) {
        log.error({ job_id: job.id, task: definition.name, error: invalid }, 'job payload invalid; moved to dead jobs without retrying');
        await moveToDead('invalid_payload', invalid);
        return;
      }
      try {
        await runInUnitOfWork(definition, envelope, job, helpers, db);
      } catch (error) {
        const attempt = String(job.attempts);
        jobMetrics.failed.inc({ priority, attempt });
        const fields = { job_id: job.id, task: definition.name, attempt: job.attempts, max_attempts: job.max_attempts, err: error };
        if (job.attempts >= job.max_attempts) {
          jobMetrics.exhausted.inc({ priority });
          log.error(fields, 'job failed its last attempt; moved to dead jobs');
          activeSpan()?.recordException(error instanceof Error ? error : String(error));
          activeSpan()?.setStatus({ code: SpanStatusCode.ERROR, message: message(error) });
          await moveToDead('exhausted', message(error));
          await reportDead(definition, envelope, db).catch((failure: unknown) =>
            log.error({ job_id: job.id, task: definition.name, err: failure }, 'could not record the dead job where its owner looks'),
          );
          return;
        }
        jobMetrics.retried.inc({ priority, attempt });
        observeWithTrace(jobMetrics.duration, { priority, status: 'retry' }, seconds(), activeSpan());
        log.warn(fields, 'job attempt failed; it will be retried');
        await deadJobs.recordAttemptError(job.id, job.attempts, message(error));
        throw error;
      }
      jobMetrics.completed.inc({ priority });
      observeWithTrace(jobMetrics.duration, { priority, status: 'success' }, seconds(), activeSpan());
      if (job.attempts > 1) await deadJobs.forgetAttemptErrors(job.id);
    });
  };
}

function runInUnitOfWork(definition: JobDefinition<never>, envelope: JobEnvelope, job: Job, helpers: JobHelpers, db: Db): Promise<void> {
  const tenantId = envelope.tenant_id;
  // One controller per attempt, its timer cleared when the attempt ends: AbortSignal.timeout's timer and
  // AbortSignal.any's registrations outlived every job by its whole timeout (thousands alive at a few hundred jobs/s).
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(new DOMException('The job reached its timeout', 'TimeoutError')), definition.timeoutMs).unref();
  const shutdown = () => controller.abort(helpers.abortSignal.reason);
  if (helpers.abortSignal.aborted) shutdown();
  else helpers.abortSignal.addEventListener('abort', shutdown, { once: true });
  const signal = controller.signal;
  const work = (trx: Tx) =>
    untilAborted(
      definition.run(envelope.data as never, { trx, tenantId, jobId: job.id, attempt: job.attempts, maxAttempts: job.max_attempts, signal }),
      signal,
      () => (helpers.abortSignal.aborted ? new Error('worker shutting down') : new JobTimeoutError(definition.name, definition.timeoutMs)),
    );
  return (definition.scope === 'tenant' ? db.withTenant(tenantId!, work) : db.withPlatform(work)).finally(() => {
    clearTimeout(timer);
    helpers.abortSignal.removeEventListener('abort', shutdown);
  });
}

/** Runs the definition's `onDead` in the job's own unit of work (its tenant's, or the platform's). */
async function reportDead(definition: JobDefinition<never>, envelope: JobEnvelope, db: Db): Promise<void> {
  const onDead = definition.onDead;
  if (!onDead) return;
  const tenantId = envelope.tenant_id;
  const data = envelope.data as never;
  if (tenantId) await db.withTenant(tenantId, (trx) => onDead(data, { trx, tenantId }));
  else await db.withPlatform((trx) => onDead(data, { trx, tenantId: null }));
}
