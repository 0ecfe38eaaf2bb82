import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance } from 'fastify';
import Type from 'typebox';
import { requireScopes } from '../http/auth.ts';
import { HttpProblem } from '../http/problem.ts';
import type { Platform } from '../platform.ts';
import type { DeadJob } from './dead-jobs.ts';
import type { PausedEntry } from './pausing.ts';
import { JobPayloadError } from './enqueue.ts';

const Id = Type.String({ pattern: '^[1-9][0-9]{0,18}$' });
const Uuid = Type.String({ format: 'uuid' });
const TaskName = Type.String({ pattern: '^[a-z][a-z0-9-]*(\\.[a-z][a-z0-9-]*)+$', maxLength: 200 });

const notFound = (what: string) => new HttpProblem(404, 'Not Found', what);
const tags = ['jobs'];

const DeadJobSummary = Type.Object({
  id: Type.String(),
  job_id: Type.String(),
  task: Type.String(),
  priority: Type.String(),
  tenant_id: Type.Union([Type.String(), Type.Null()]),
  correlation_id: Type.String(),
  reason: Type.String(),
  attempts: Type.Integer(),
  last_error: Type.String(),
  failed_at: Type.String({ format: 'date-time' }),
});
const DeadJobDetail = Type.Object({
  ...DeadJobSummary.properties,
  payload_version: Type.Integer(),
  max_attempts: Type.Integer(),
  payload: Type.Unknown(),
  errors: Type.Array(Type.Object({ attempt: Type.Integer(), error: Type.String(), failed_at: Type.String() })),
});
const PausedEntrySchema = Type.Object({
  kind: Type.String(),
  target: Type.String(),
  reason: Type.String(),
  paused_by: Type.Union([Type.String(), Type.Null()]),
  paused_at: Type.String({ format: 'date-time' }),
});
const QueueSummary = Type.Object({
  /** Jobs waiting, by priority class; `due` those whose run time has come. */
  queued: Type.Record(Type.String(), Type.Integer()),
  due: Type.Record(Type.String(), Type.Integer()),
  oldest_due_age_s: Type.Integer(),
  dead_jobs: Type.Integer(),
  paused: Type.Array(PausedEntrySchema),
});

const summary = (job: DeadJob) => ({
  id: job.id,
  job_id: job.job_id,
  task: job.task,
  priority: job.priority,
  tenant_id: job.tenant_id,
  correlation_id: job.correlation_id,
  reason: job.reason,
  attempts: job.attempts,
  last_error: job.last_error,
  failed_at: job.failed_at.toISOString(),
});
const pausedView = (entry: PausedEntry) => ({ ...entry, paused_at: entry.paused_at.toISOString() });

/** The operators' job API (the queue management screen); every route needs `jobs:admin`. */
export async function jobsAdminRoutes(root: FastifyInstance, platform: Platform): Promise<void> {
  const app = root.withTypeProvider<TypeBoxTypeProvider>();
  const { deadJobs, pausing } = platform.jobs;
  app.addHook('preHandler', requireScopes('jobs:admin'));

  app.get('/admin/jobs/queue', { schema: { tags, response: { 200: QueueSummary } } }, async () => {
    const [depth, dead, paused] = await Promise.all([platform.jobs.depth(), deadJobs.count(), pausing.list()]);
    return { queued: depth.queued, due: depth.due, oldest_due_age_s: Math.round(depth.oldestDueAgeSeconds), dead_jobs: dead, paused: paused.map(pausedView) };
  });

  app.get(
    '/admin/jobs/dead',
    {
      schema: {
        tags,
        response: { 200: Type.Object({ items: Type.Array(DeadJobSummary), next_before: Type.Union([Type.String(), Type.Null()]) }) },
        querystring: Type.Object(
          {
            task: Type.Optional(TaskName),
            tenant_id: Type.Optional(Uuid),
            before: Type.Optional(Id),
            limit: Type.Integer({ minimum: 1, maximum: 500, default: 50 }),
          },
          { additionalProperties: false },
        ),
      },
    },
    async (request) => {
      const { task, tenant_id, before, limit } = request.query;
      const items = await deadJobs.list({ limit, ...(task ? { task } : {}), ...(tenant_id ? { tenantId: tenant_id } : {}), ...(before ? { before } : {}) });
      return { items: items.map(summary), next_before: items.length === limit ? items.at(-1)!.id : null };
    },
  );

  app.get('/admin/jobs/dead/:id', { schema: { tags, params: Type.Object({ id: Id }), response: { 200: DeadJobDetail } } }, async (request) => {
    const job = await deadJobs.get(request.params.id);
    if (!job) throw notFound(`No dead job ${request.params.id}.`);
    return { ...job, failed_at: job.failed_at.toISOString() };
  });

  app.post(
    '/admin/jobs/dead/:id/requeue',
    {
      schema: {
        tags,
        params: Type.Object({ id: Id }),
        response: { 202: Type.Object({ job_id: Type.String() }) },
        body: Type.Optional(Type.Object({ payload: Type.Optional(Type.Unknown()) }, { additionalProperties: false })),
      },
    },
    async (request, reply) => {
      const payload = request.body?.payload;
      let result: { jobId: string } | undefined;
      try {
        result = await deadJobs.requeue(request.params.id, payload);
      } catch (error) {
        if (error instanceof JobPayloadError) throw new HttpProblem(422, 'Invalid payload', error.message);
        throw error;
      }
      if (!result) throw notFound(`No dead job ${request.params.id}.`);
      return reply.code(202).send({ job_id: result.jobId });
    },
  );

  app.delete('/admin/jobs/dead/:id', { schema: { tags, params: Type.Object({ id: Id }) } }, async (request, reply) => {
    if (!(await deadJobs.delete(request.params.id))) throw notFound(`No dead job ${request.params.id}.`);
    return reply.code(204).send();
  });

  app.get('/admin/jobs/paused', { schema: { tags, response: { 200: Type.Object({ items: Type.Array(PausedEntrySchema) }) } } }, async () => ({
    items: (await pausing.list()).map(pausedView),
  }));

  const PauseTarget = Type.Union([
    Type.Object({ kind: Type.Literal('task'), target: TaskName, reason: Type.Optional(Type.String({ maxLength: 500 })) }, { additionalProperties: false }),
    Type.Object({ kind: Type.Literal('tenant'), target: Uuid, reason: Type.Optional(Type.String({ maxLength: 500 })) }, { additionalProperties: false }),
    Type.Object({ kind: Type.Literal('job'), target: Id, reason: Type.Optional(Type.String({ maxLength: 500 })) }, { additionalProperties: false }),
  ]);

  app.post('/admin/jobs/paused', { schema: { tags, body: PauseTarget } }, async (request, reply) => {
    const { kind, target, reason = '' } = request.body;
    if (kind === 'task') await pausing.pauseTask(target, reason);
    else if (kind === 'tenant') await pausing.pauseTenant(target, reason);
    else if (!(await pausing.pauseJob(target, reason))) {
      throw new HttpProblem(409, 'Job not pausable', `Job ${target} is not waiting: it is unknown, finished, or running right now.`);
    }
    return reply.code(201).send({ kind, target });
  });

  app.delete('/admin/jobs/paused/:kind/:target', { schema: { tags, params: PauseTarget } }, async (request, reply) => {
    const { kind, target } = request.params;
    const resumed = kind === 'task' ? await pausing.resumeTask(target) : kind === 'tenant' ? await pausing.resumeTenant(target) : await pausing.resumeJob(target);
    if (!resumed) throw notFound(`Nothing paused for ${kind} ${target}.`);
    return reply.code(204).send();
  });
}
