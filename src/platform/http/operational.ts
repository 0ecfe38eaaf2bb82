import Fastify, { type FastifyInstance } from 'fastify';
import { METRICS_CONTENT_TYPE, scrapeMetrics } from '../observability/metrics.ts';
import type { Platform } from '../platform.ts';

/** Liveness, readiness and the Prometheus scrape: what Kubernetes probes and Prometheus call on every role. */
export function registerOperationalRoutes(app: FastifyInstance, platform: Platform): void {
  app.get('/q/health/live', async () => platform.health.live());
  app.get('/q/health/ready', async (_request, reply) => {
    const report = await platform.health.ready();
    return reply.code(report.status === 'UP' ? 200 : 503).send(report);
  });
  app.get('/q/metrics', async (_request, reply) => reply.type(METRICS_CONTENT_TYPE).send(await scrapeMetrics()));
}

/** The listener of roles that serve no store traffic (workers): only the operational routes. */
export async function buildOperationalApp(platform: Platform): Promise<FastifyInstance> {
  const app = Fastify({ logger: false });
  registerOperationalRoutes(app, platform);
  return app;
}
