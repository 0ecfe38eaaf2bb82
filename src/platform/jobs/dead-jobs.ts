import type { Generated, Selectable } from 'kysely';
import type { Db } from '../db/database.ts';
import { HttpProblem } from '../http/problem.ts';
import type { JobDefinition, JobPriority } from './definitions.ts';
import { type JobSpecRow, JobPayloadError, insertJobs, jobSpecRow } from './enqueue.ts';
import type { JobEnvelope } from './envelope.ts';
import { jobMetrics } from './telemetry.ts';

export type DeadReason = 'exhausted' | 'unknown_version' | 'invalid_payload';

export interface JobError {
  attempt: number;
  error: string;
  failed_at: string;
}

interface DeadJobsTable {
  id: Generated<string>;
  job_id: string;
  task: string;
  priority: JobPriority;
  payload_version: number;
  payload: JobEnvelope;
  tenant_id: string | null;
  correlation_id: string;
  reason: DeadReason;
  attempts: number;
  max_attempts: number;
  last_error: string;
  errors: JobError[];
  failed_at: Generated<Date>;
}

interface JobErrorsTable {
  job_id: string;
  attempt: number;
  error: string;
  failed_at: Generated<Date>;
}

declare module '../db/schema.ts' {
  interface Database {
    dead_jobs: DeadJobsTable;
    job_errors: JobErrorsTable;
  }
}

export type DeadJob = Selectable<DeadJobsTable>;

export type NewDeadJob = Omit<DeadJob, 'id' | 'errors' | 'failed_at'>;

export interface DeadJobFilter {
  task?: string;
  tenantId?: string;
  /** Page: dead jobs with an id below this one. */
  before?: string;
  limit: number;
}

/** Dead jobs (`dead_jobs`): recorded by workers; listed, inspected, requeued and deleted by operators. */
export class DeadJobs {
  private readonly db: Db;
  private readonly definitions: ReadonlyMap<string, JobDefinition<never>>;

  constructor(db: Db, definitions: ReadonlyMap<string, JobDefinition<never>>) {
    this.db = db;
    this.definitions = definitions;
  }

  /** A failed attempt that will be retried, kept for the error history. */
  async recordAttemptError(jobId: string, attempt: number, error: string): Promise<void> {
    await this.db.withPlatform((trx) =>
      trx
        .insertInto('job_errors')
        .values({ job_id: jobId, attempt, error })
        .onConflict((conflict) => conflict.columns(['job_id', 'attempt']).doNothing())
        .execute(),
    );
  }

  /** The job succeeded after failing before: its error history is no longer needed. */
  async forgetAttemptErrors(jobId: string): Promise<void> {
    await this.db.withPlatform((trx) => trx.deleteFrom('job_errors').where('job_id', '=', jobId).execute());
  }

  /** Moves a job to dead jobs with its error history; idempotent per job id (a re-run after a crash adds nothing). */
  async record(job: NewDeadJob, lastAttemptAt: Date): Promise<void> {
    const added = await this.db.withPlatform(async (trx) => {
      const earlier = await trx.deleteFrom('job_errors').where('job_id', '=', job.job_id).returning(['attempt', 'error', 'failed_at']).execute();
      const errors: JobError[] = [
        ...earlier.sort((a, b) => a.attempt - b.attempt).map((row) => ({ ...row, failed_at: row.failed_at.toISOString() })),
        { attempt: job.attempts, error: job.last_error, failed_at: lastAttemptAt.toISOString() },
      ];
      const inserted = await trx
        .insertInto('dead_jobs')
        .values({ ...job, payload: JSON.stringify(job.payload) as never, errors: JSON.stringify(errors) as never })
        .onConflict((conflict) => conflict.column('job_id').doNothing())
        .executeTakeFirst();
      return (inserted.numInsertedOrUpdatedRows ?? 0n) > 0n;
    });
    if (added) jobMetrics.deadAdded.inc({ priority: job.priority, reason: job.reason });
  }

  list(filter: DeadJobFilter): Promise<DeadJob[]> {
    return this.db.withPlatform((trx) => {
      let query = trx.selectFrom('dead_jobs').selectAll().orderBy('id', 'desc').limit(filter.limit);
      if (filter.task) query = query.where('task', '=', filter.task);
      if (filter.tenantId) query = query.where('tenant_id', '=', filter.tenantId);
      if (filter.before) query = query.where('id', '<', filter.before);
      return query.execute();
    });
  }

  get(id: string): Promise<DeadJob | undefined> {
    return this.db.withPlatform((trx) => trx.selectFrom('dead_jobs').selectAll().where('id', '=', id).executeTakeFirst());
  }

  async count(): Promise<number> {
    const row = await this.db.withPlatform((trx) =>
      trx.selectFrom('dead_jobs').select((eb) => eb.fn.countAll<string>().as('count')).executeTakeFirstOrThrow(),
    );
    const count = Number(row.count);
    jobMetrics.deadDepth.set(count);
    return count;
  }

  /**
   * Enqueues the dead job again (fresh attempts, same tenant and correlation) and removes it, in one
   * transaction. With `payload`, the job runs with that payload at the current schema version instead: the fix
   * for a poison payload. Undefined when there is no such dead job.
   */
  async requeue(id: string, payload?: unknown): Promise<{ jobId: string } | undefined> {
    const result = await this.db.withPlatform(async (trx) => {
      const dead = await trx.selectFrom('dead_jobs').selectAll().where('id', '=', id).forUpdate().executeTakeFirst();
      if (!dead) return undefined;
      const spec = this.requeueSpec(dead, payload);
      const [jobId] = await insertJobs(trx, [spec]);
      await trx.deleteFrom('dead_jobs').where('id', '=', id).execute();
      return { jobId: jobId! };
    });
    if (result) jobMetrics.deadRemoved.inc({ action: 'requeue' });
    return result;
  }

  async delete(id: string): Promise<boolean> {
    const deleted = await this.db.withPlatform((trx) => trx.deleteFrom('dead_jobs').where('id', '=', id).executeTakeFirst());
    const removed = deleted.numDeletedRows > 0n;
    if (removed) jobMetrics.deadRemoved.inc({ action: 'delete' });
    return removed;
  }

  private requeueSpec(dead: DeadJob, payload: unknown): JobSpecRow {
    const definition = this.definitions.get(dead.task);
    if (!definition) {
      throw new HttpProblem(409, 'Unknown task', `No job named ${dead.task} is defined in this build, so no worker could run it.`);
    }
    if (payload === undefined) return jobSpecRow(definition, dead.payload);
    const invalid = definition.validate(payload);
    if (invalid) throw new JobPayloadError(dead.task, invalid);
    return jobSpecRow(definition, { ...dead.payload, v: definition.version, data: payload });
  }
}
