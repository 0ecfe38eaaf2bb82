import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance } from 'fastify';
import Type from 'typebox';
import { requireScopes } from '../../platform/http/auth.ts';
import { HttpProblem } from '../../platform/http/problem.ts';
import type { Platform } from '../../platform/platform.ts';
import { type WebhookJob, replayWebhookEvent, webhookRoutes } from './webhooks.ts';

const ADMIN_PREFIX = '/admin/api/v1';

export async function paymentsRoutes(app: FastifyInstance, platform: Platform, job: WebhookJob): Promise<void> {
  await webhookRoutes(app, platform, job);
  const api = app.withTypeProvider<TypeBoxTypeProvider>();
  const params = Type.Object({ provider: Type.Literal('stripe'), event_id: Type.String({ minLength: 1, maxLength: 255, pattern: '^[A-Za-z0-9_-]+$' }) }, { additionalProperties: false });
  api.post(
    `${ADMIN_PREFIX}/webhook-events/:provider/:event_id/replay`,
    { preHandler: requireScopes('orders:write'), schema: { tags: ['payments'], params, response: { 202: Type.Object({ replayed: Type.Literal(true) }) } } },
    async (request, reply) => {
      const tenantId = request.tenant?.id;
      if (!tenantId) throw new HttpProblem(404, 'Not Found', 'This endpoint is served on a store host.');
      if (!(await replayWebhookEvent(platform, job, tenantId, request.params.provider, request.params.event_id))) {
        throw new HttpProblem(404, 'Not Found', 'No such webhook event in this store.');
      }
      return reply.code(202).send({ replayed: true });
    },
  );
}
