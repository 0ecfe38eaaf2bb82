import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance } from 'fastify';
import Type from 'typebox';
import { requireScopes } from '../http/auth.ts';
import { HttpProblem } from '../http/problem.ts';
import type { Platform } from '../platform.ts';
import type { DeadJob } from './dead-jobs.ts';
import { JobPayloadError } from './enqueue.ts';

const Id = Type.String({ pattern: '^[1-9][0-9]{0,18}$' });
const Uuid = Type.String({ format: 'uuid' });
const TaskName = Type.String({ pattern: '^[a-z][a-z0-9-]*(\\.[a-z][a-z0-9-]*)+$', maxLength: 200 });

const notFound = (what: string) => new HttpProblem(404, 'Not Found', what);

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
  failed_at: job.failed_at,
});

/** The operators' job API (the queue management screen); every route needs `jobs:admin`. */
export async function jobsAdminRoutes(root: FastifyInstance, platform: Platform): Promise<void> {
  const app = root.withTypeProvider<TypeBoxTypeProvider>();
  const { deadJobs, pausing } = platform.jobs;
  app.addHook('preHandler', requireScopes('jobs:admin'));

  app.get('/admin/jobs/queue', async () => {
    const [depth, dead, paused] = await Promise.all([platform.jobs.depth(), deadJobs.count(), pausing.list()]);
    return { queued: depth.queued, due: depth.due, oldest_due_age_s: Math.round(depth.oldestDueAgeSeconds), dead_jobs: dead, paused };
  });

  app.get(
    '/admin/jobs/dead',
    {
      schema: {
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

  app.get('/admin/jobs/dead/:id', { schema: { params: Type.Object({ id: Id }) } }, async (request) => {
    const job = await deadJobs.get(request.params.id);
    if (!job) throw notFound(`No dead job ${request.params.id}.`);
    return job;
  });

  app.post(
    '/admin/jobs/dead/:id/requeue',
    {
      schema: {
        params: Type.Object({ id: Id }),
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

  app.delete('/admin/jobs/dead/:id', { schema: { params: Type.Object({ id: Id }) } }, async (request, reply) => {
    if (!(await deadJobs.delete(request.params.id))) throw notFound(`No dead job ${request.params.id}.`);
    return reply.code(204).send();
  });

  app.get('/admin/jobs/paused', async () => ({ items: await pausing.list() }));

  const PauseTarget = Type.Union([
    Type.Object({ kind: Type.Literal('task'), target: TaskName, reason: Type.Optional(Type.String({ maxLength: 500 })) }, { additionalProperties: false }),
    Type.Object({ kind: Type.Literal('tenant'), target: Uuid, reason: Type.Optional(Type.String({ maxLength: 500 })) }, { additionalProperties: false }),
    Type.Object({ kind: Type.Literal('job'), target: Id, reason: Type.Optional(Type.String({ maxLength: 500 })) }, { additionalProperties: false }),
  ]);

  app.post('/admin/jobs/paused', { schema: { body: PauseTarget } }, async (request, reply) => {
    const { kind, target, reason = '' } = request.body;
    if (kind === 'task') await pausing.pauseTask(target, reason);
    else if (kind === 'tenant') await pausing.pauseTenant(target, reason);
    else if (!(await pausing.pauseJob(target, reason))) {
      throw new HttpProblem(409, 'Job not pausable', `Job ${target} is not waiting: it is unknown, finished, or running right now.`);
    }
    return reply.code(201).send({ kind, target });
  });

  app.delete('/admin/jobs/paused/:kind/:target', { schema: { params: PauseTarget } }, async (request, reply) => {
    const { kind, target } = request.params;
    const resumed = kind === 'task' ? await pausing.resumeTask(target) : kind === 'tenant' ? await pausing.resumeTenant(target) : await pausing.resumeJob(target);
    if (!resumed) throw notFound(`Nothing paused for ${kind} ${target}.`);
    return reply.code(204).send();
  });
}
