import { ROOT_CONTEXT, context as otelContext, propagation, trace } from '@opentelemetry/api';
import { InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { NodeTracerProvider } from '@opentelemetry/sdk-trace-node';
import { sql } from 'kysely';
import Type from 'typebox';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEffectsTable, deleteJobs, effects, makeRetriesDue, ownerQuery, queuedJobs, uniquePrefix, waitFor } from '../../../test/support/jobs.ts';
import { makeTenant, testConfig, testDatabaseUrl, testDb, type Tenant } from '../../../test/support/platform.ts';
import type { Db, Tx } from '../db/database.ts';
import { currentContext, runWithContext } from '../observability/context.ts';
import { registry } from '../observability/metrics.ts';
import { defineJob, type JobDefinition, type JobPriority, type JobRunContext } from './definitions.ts';
import { JobPayloadError, QueueOverflowError } from './enqueue.ts';
import { taskFlag } from './envelope.ts';
import { Pausing } from './pausing.ts';
import { createJobs, type Jobs } from './service.ts';
import { type JobWorker, startJobWorker } from './worker.ts';

const prefix = uniquePrefix('jobs');
const recordEffect = (trx: Tx, task: string, n: number, context: JobRunContext) =>
  sql`insert into job_test_effects (task, n, attempt, tenant, correlation_id, user_id, trace_id, pid)
      values (${task}, ${n}, ${context.attempt}, app_current_tenant()::text, ${currentContext()?.correlationId ?? null},
              ${currentContext()?.userId ?? null}, ${trace.getActiveSpan()?.spanContext().traceId ?? null}, ${process.pid})`.execute(trx);

const NumberPayload = Type.Object({ n: Type.Integer() }, { additionalProperties: false });

const recorder = (name: string, priority: JobPriority = 'DEFAULT') =>
  defineJob({
    name,
    version: 1,
    payload: NumberPayload,
    priority,
    maxAttempts: 3,
    timeoutMs: 5_000,
    async run({ n }, context) {
      await recordEffect(context.trx, name, n, context);
    },
  });

const record = recorder(`${prefix}.record`);
const other = recorder(`${prefix}.other`);

let poisonFixed = false;
const poison = defineJob({
  name: `${prefix}.poison`,
  version: 1,
  payload: NumberPayload,
  priority: 'DEFAULT',
  maxAttempts: 2,
  timeoutMs: 5_000,
  async run({ n }, context) {
    await recordEffect(context.trx, `${prefix}.poison`, n, context);
    if (!poisonFixed) throw new Error(`cannot digest ${n}`);
  },
});

const hang = defineJob({
  name: `${prefix}.hang`,
  version: 1,
  payload: NumberPayload,
  priority: 'DEFAULT',
  maxAttempts: 1,
  timeoutMs: 100,
  scope: 'platform',
  run: (_payload, { signal }) => new Promise((_resolve, reject) => signal.addEventListener('abort', () => reject(signal.reason))),
});

/** Same task as `record`, one payload version ahead: what an old worker meets after a newer deploy enqueued. */
const recordV2 = defineJob({ ...specOf(record), version: 2 });

const bulkSlow = defineJob({
  name: `${prefix}.bulk-slow`,
  version: 1,
  payload: NumberPayload,
  priority: 'BULK',
  maxAttempts: 1,
  timeoutMs: 5_000,
  scope: 'platform',
  async run({ n }, context) {
    await new Promise((resolve) => setTimeout(resolve, 100));
    await recordEffect(context.trx, `${prefix}.bulk-slow`, n, context);
  },
});

const critical = defineJob({
  name: `${prefix}.critical`,
  version: 1,
  payload: NumberPayload,
  priority: 'CRITICAL',
  maxAttempts: 1,
  timeoutMs: 5_000,
  scope: 'platform',
  async run({ n }, context) {
    await recordEffect(context.trx, `${prefix}.critical`, n, context);
  },
});

function specOf<P>(definition: JobDefinition<P>) {
  return {
    name: definition.name,
    payload: NumberPayload,
    priority: definition.priority,
    maxAttempts: definition.maxAttempts,
    timeoutMs: definition.timeoutMs,
    run: definition.run as never,
  };
}

const definitions = [record, other, poison, hang, bulkSlow, critical] as JobDefinition<never>[];

describe('jobs on graphile-worker', () => {
  let db: Db;
  let jobs: Jobs;
  let worker: JobWorker;
  let a: Tenant;
  let b: Tenant;

  beforeAll(async () => {
    await createEffectsTable();
    db = testDb();
    const config = testConfig({ JOB_POLL_INTERVAL_MS: '50', JOB_LEASE_MS: '2000', JOB_CONCURRENCY: 'CRITICAL=1,DEFAULT=4,BULK=1' }).jobs;
    jobs = createJobs(db, config, definitions);
    worker = await startJobWorker({
      ownerUrl: testDatabaseUrl(),
      db,
      config,
      definitions,
      schedules: [],
      pausing: jobs.pausing,
      deadJobs: jobs.deadJobs,
      shutdownTimeoutMs: 2_000,
    });
    a = await makeTenant(db, 'Jobs A');
    b = await makeTenant(db, 'Jobs B');
  });
  afterAll(async () => {
    await worker.stop();
    await db.close();
  });

  const recorded = (task: string, n: number) => waitFor(async () => (await effects(task)).find((row) => row.n === n), `${task} #${n}`);

  it('runs a tenant job in its tenant unit of work with the enqueuer correlation and user', async () => {
    await runWithContext({ correlationId: 'req-corr-1', userId: 'staff-7', tenantId: a.id }, () => jobs.enqueue(record, { n: 1 }));
    const row = await recorded(record.name, 1);
    expect(row).toMatchObject({ tenant: a.id, correlation_id: 'req-corr-1', user_id: 'staff-7', attempt: 1 });
  });

  it("continues the enqueuing request's trace in the job (traceparent)", async () => {
    // What the fabric registers; without an SDK, propagation is a no-op and jobs start their own traces.
    const exporter = new InMemorySpanExporter();
    const provider = new NodeTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });
    provider.register();
    try {
      const request = trace.setSpanContext(ROOT_CONTEXT, { traceId: '0af7651916cd43dd8448eb211c80319c', spanId: 'b7ad6b7169203331', traceFlags: 1 });
      await runWithContext({ correlationId: 'req-trace' }, () => otelContext.with(request, () => jobs.enqueue(record, { n: 5 }, { tenantId: a.id })));
      expect(await recorded(record.name, 5)).toMatchObject({ trace_id: '0af7651916cd43dd8448eb211c80319c' });
      const span = await waitFor(async () => exporter.getFinishedSpans().find((finished) => finished.name === `Job.execute.${record.name}`), 'the job span');
      expect(span.spanContext().traceId).toBe('0af7651916cd43dd8448eb211c80319c');
      expect(span.parentSpanContext?.spanId).toBe('b7ad6b7169203331');
    } finally {
      await provider.shutdown();
      trace.disable();
      otelContext.disable();
      propagation.disable();
    }
  });

  it('commits a job enqueued in a unit of work with it, and drops it when the unit of work rolls back', async () => {
    await expect(
      db.withTenant(a.id, async (trx) => {
        await jobs.enqueue(record, { n: 2 }, { trx, tenantId: a.id });
        throw new Error('business rule failed');
      }),
    ).rejects.toThrow('business rule failed');
    await db.withTenant(a.id, (trx) => jobs.enqueue(record, { n: 3 }, { trx, tenantId: a.id }));
    await recorded(record.name, 3);
    expect((await effects(record.name)).map((row) => row.n)).not.toContain(2);
  });

  it('refuses an invalid payload and a tenant job without a tenant, enqueuing nothing', async () => {
    const before = await queuedJobs(record.name);
    await expect(jobs.enqueue(record, { n: 'four' } as never, { tenantId: a.id })).rejects.toBeInstanceOf(JobPayloadError);
    await expect(jobs.enqueue(record, { n: 4 })).rejects.toThrow(/tenant job/);
    await expect(jobs.enqueue(record, { n: 4 }, { tenantId: "x' or 1=1" })).rejects.toThrow(/not a tenant id/);
    expect(await queuedJobs(record.name)).toBe(before);
  });

  it('retries a poison payload, moves it to dead jobs with its history, and completes it when requeued after the fix', async () => {
    await runWithContext({ correlationId: 'req-poison' }, () => jobs.enqueue(poison, { n: 10 }, { tenantId: b.id }));
    // A failed attempt rolls back its unit of work, so its trace is the error history, not an effect.
    await waitFor(async () => (await ownerQuery(`select 1 from job_errors e join graphile_worker.jobs j on j.id = e.job_id where j.task_identifier = $1`, [poison.name])).length === 1, 'first attempt');
    await makeRetriesDue(poison.name);
    const dead = await waitFor(async () => (await jobs.deadJobs.list({ task: poison.name, limit: 5 }))[0], 'the dead job');
    expect(dead).toMatchObject({ reason: 'exhausted', attempts: 2, max_attempts: 2, tenant_id: b.id, correlation_id: 'req-poison' });
    expect(dead.errors.map((error) => [error.attempt, error.error])).toEqual([
      [1, 'Error: cannot digest 10'],
      [2, 'Error: cannot digest 10'],
    ]);
    expect(await queuedJobs(poison.name)).toBe(0);
    expect(await ownerQuery('select * from job_errors where job_id = $1', [dead.job_id])).toEqual([]);

    poisonFixed = true;
    expect(await jobs.deadJobs.requeue(dead.id)).toMatchObject({ jobId: expect.any(String) });
    await waitFor(async () => (await effects(poison.name)).some((row) => row.attempt === 1 && row.correlation_id === 'req-poison' && Number(row.n) === 10 && (row.tenant as string) === b.id) && (await queuedJobs(poison.name)) === 0, 'the requeued run');
    expect(await jobs.deadJobs.get(dead.id)).toBeUndefined();
    const metrics = await registry.getSingleMetricAsString('villagecompute_storefront_jobs_dlq_added_total');
    expect(metrics).toContain('priority="DEFAULT",reason="exhausted"');
  });

  it('sends a payload of an unknown version to dead jobs at once, without retrying', async () => {
    const id = await jobs.enqueue(recordV2, { n: 20 }, { tenantId: a.id });
    const dead = await waitFor(async () => (await jobs.deadJobs.list({ task: record.name, limit: 5 })).find((job) => job.job_id === id), 'the dead job');
    expect(dead).toMatchObject({ reason: 'unknown_version', attempts: 1, payload_version: 2 });
    expect((await effects(record.name)).map((row) => row.n)).not.toContain(20);
  });

  it('fails a job at its timeout', async () => {
    const id = await jobs.enqueue(hang, { n: 30 });
    const dead = await waitFor(async () => (await jobs.deadJobs.list({ task: hang.name, limit: 5 })).find((job) => job.job_id === id), 'the timed-out job');
    expect(dead.last_error).toMatch(/timed out after 100 ms/);
  });

  it('reads the paused set once for runners asking at once, and anew after a pause', async () => {
    const pausing = new Pausing(db, 60_000);
    const task = `${prefix}.shared-read`;
    const together = await Promise.all(Array.from({ length: 10 }, () => pausing.forbiddenFlags()));
    expect(new Set(together).size).toBe(1);
    expect(together[0]).not.toContain(taskFlag(task));
    await pausing.pauseTask(task, 'test');
    expect(await pausing.forbiddenFlags()).toContain(taskFlag(task));
    expect(await pausing.resumeTask(task)).toBe(true);
    expect(await pausing.forbiddenFlags()).not.toContain(taskFlag(task));
  });

  it('pauses by task, tenant and job id without losing the jobs, and resumes them', async () => {
    await jobs.pausing.pauseTask(record.name, 'test');
    await jobs.pausing.pauseTenant(b.id, 'suspended');
    const byTask = await jobs.enqueue(record, { n: 40 }, { tenantId: a.id });
    const byJob = await jobs.enqueue(record, { n: 42 }, { tenantId: a.id });
    expect(await jobs.pausing.pauseJob(byJob, 'poison pill')).toBe(true);
    const byTenant = await jobs.enqueue(other, { n: 41 }, { tenantId: b.id });
    // Same class, enqueued after the paused ones: it runs after them unless they are skipped.
    await jobs.enqueue(other, { n: 43 }, { tenantId: a.id });
    await recorded(other.name, 43);
    const untouched = async () =>
      (await ownerQuery<{ id: string; attempts: number }>('select id::text, attempts from graphile_worker.jobs where id = any($1::bigint[])', [[byTask, byJob, byTenant]]))
        .sort((x, y) => Number(x.id) - Number(y.id));
    expect(await untouched()).toEqual([byTask, byJob, byTenant].map((id) => ({ id, attempts: 0 })));

    await jobs.pausing.resumeTask(record.name);
    await recorded(record.name, 40);
    expect((await untouched()).map((row) => row.id)).toEqual([byJob, byTenant]);
    expect(await jobs.pausing.resumeJob(byJob)).toBe(true);
    expect(await jobs.pausing.resumeTenant(b.id)).toBe(true);
    await Promise.all([recorded(record.name, 42), recorded(other.name, 41)]);
    expect((await jobs.pausing.list()).filter((entry) => [record.name, b.id, byJob].includes(entry.target))).toEqual([]);
  });

  it('runs CRITICAL jobs while a BULK backlog waits for its own workers', async () => {
    await jobs.enqueueMany(bulkSlow, Array.from({ length: 20 }, (_, n) => ({ n })));
    await jobs.enqueue(critical, { n: 1 });
    await recorded(critical.name, 1);
    expect((await effects(bulkSlow.name)).length).toBeLessThan(20);
  });

  const overflowCount = async (priority: JobPriority) => {
    const metric = await registry.getSingleMetric('villagecompute_storefront_jobs_queue_overflow_total')?.get();
    return metric?.values.find((value) => value.labels.priority === priority)?.value ?? 0;
  };

  it('refuses to enqueue beyond the class depth limit, counted as overflow', async () => {
    // The limit counts the whole LOW class, which other test files share: set it two above what is queued now and
    // enqueue until refused; whatever the others did meanwhile, the refusal comes at the limit.
    const queued = await ownerQuery<{ count: string }>(`select count(*) from graphile_worker.jobs where priority = 10`);
    const limit = Number(queued[0]!.count) + 2;
    const small = createJobs(db, testConfig({ JOB_DEPTH_LIMITS: `LOW=${limit}` }).jobs, definitions);
    const low = recorder(`${prefix}.low`, 'LOW');
    const overflowBefore = await overflowCount('LOW');
    let accepted = 0;
    let refused: unknown;
    while (refused === undefined && accepted < 10) {
      await small.enqueue(low, { n: accepted }, { tenantId: a.id }).then(
        () => accepted++,
        (error: unknown) => (refused = error),
      );
    }
    expect(refused).toBeInstanceOf(QueueOverflowError);
    expect(refused).toMatchObject({ status: 503, extensions: { priority: 'LOW', limit } });
    expect((refused as QueueOverflowError).extensions.depth as number).toBeGreaterThanOrEqual(limit);
    expect(await queuedJobs(low.name)).toBe(accepted);
    expect(await overflowCount('LOW')).toBe(overflowBefore + 1);
    await deleteJobs(low.name);
  });

  it('finishes in-flight jobs at shutdown, and aborts those that outlast the bound', async () => {
    const started = new Set<number>();
    const slow = defineJob({
      name: `${prefix}.slow`,
      version: 1,
      payload: NumberPayload,
      priority: 'HIGH',
      maxAttempts: 2,
      timeoutMs: 30_000,
      scope: 'platform',
      async run({ n }, context) {
        started.add(n);
        const ms = n === 1 ? 300 : 60_000;
        await new Promise((resolve, reject) => {
          const timer = setTimeout(resolve, ms);
          context.signal.addEventListener('abort', () => {
            clearTimeout(timer);
            reject(context.signal.reason);
          });
        });
        await recordEffect(context.trx, `${prefix}.slow`, n, context);
      },
    });
    const config = testConfig({ JOB_POLL_INTERVAL_MS: '50', JOB_CONCURRENCY: 'HIGH=2' }).jobs;
    const own = await startJobWorker({ ownerUrl: testDatabaseUrl(), db, config, definitions: [slow], schedules: [], pausing: jobs.pausing, deadJobs: jobs.deadJobs, shutdownTimeoutMs: 500 });
    await jobs.enqueueMany(slow, [{ n: 1 }, { n: 2 }]);
    await waitFor(async () => started.size === 2, 'both jobs to start');
    await own.stop();
    expect((await effects(slow.name)).map((row) => row.n)).toEqual([1]);
    // The aborted one is back in the queue for its next attempt, with its error kept.
    const [left] = await ownerQuery<{ attempts: number; last_error: string }>(
      `select attempts, last_error from graphile_worker.jobs where task_identifier = $1`,
      [slow.name],
    );
    expect(left).toMatchObject({ attempts: 1, last_error: expect.stringMatching(/shutting down/) });
    await deleteJobs(slow.name);
  });

  it("keeps each tenant's dead jobs from the other tenants", async () => {
    const id = await jobs.enqueue(recordV2, { n: 50 }, { tenantId: b.id });
    await waitFor(async () => (await jobs.deadJobs.list({ tenantId: b.id, limit: 50 })).some((job) => job.job_id === id), 'a dead job of B');
    const own = await db.withTenant(b.id, (trx) => trx.selectFrom('dead_jobs').select(['tenant_id']).execute());
    expect(own.length).toBeGreaterThan(0);
    expect(own.every((row) => row.tenant_id === b.id)).toBe(true);
    const crossed = await db.withTenant(a.id, (trx) => trx.selectFrom('dead_jobs').selectAll().where('tenant_id', '=', b.id).execute());
    expect(crossed).toEqual([]);
    const deleted = await db.withTenant(a.id, (trx) => trx.deleteFrom('dead_jobs').where('tenant_id', '=', b.id).executeTakeFirst());
    expect(deleted.numDeletedRows).toBe(0n);
    expect(await db.kysely.selectFrom('dead_jobs').selectAll().execute()).toEqual([]);
  });
});
