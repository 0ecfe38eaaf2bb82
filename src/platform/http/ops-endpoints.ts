import proxyAddr from '@fastify/proxy-addr';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { METRICS_CONTENT_TYPE, OPENMETRICS_CONTENT_TYPE, scrapeMetrics, scrapeOpenMetrics } from '../observability/metrics.ts';
import type { Platform } from '../platform.ts';
import { sendProblem } from './problem.ts';

export const OPS_PREFIX = '/q/';

/**
 * The operational endpoints (/q/health/*, /q/metrics) answer only clients on the allow-list (OPS_ALLOWED_ADDRESSES:
 * the scraper's and the orchestrator's probe addresses; loopback by default), judged by the client address that
 * TRUST_PROXY lets through. Anyone else, on any host, gets the same 404 as for a route that does not exist.
 */
export function registerOpsEndpoints(app: FastifyInstance, platform: Platform): void {
  const allowed = proxyAddr.compile(platform.config.http.opsAllowList);
  // On these routes only (a hook of their own, not one on every request); any other /q/ path is not found anyway.
  const onRequest = (request: FastifyRequest, reply: FastifyReply, done: () => void) => {
    if (allowed(request.ip, 0)) return done();
    sendProblem(request, reply, 404, 'Not Found', `No route for ${request.method} ${request.url.split('?')[0]}`);
  };
  app.get('/q/health/live', { onRequest }, async () => platform.health.live());
  app.get('/q/health/ready', { onRequest }, async (_request, reply) => {
    const report = await platform.health.ready();
    return reply.code(report.status === 'UP' ? 200 : 503).header('cache-control', 'no-store').send(report);
  });
  // Prometheus asks for OpenMetrics (with exemplars) first; everything else gets the text format.
  app.get('/q/metrics', { onRequest }, async (request, reply) =>
    (request.headers.accept ?? '').includes('application/openmetrics-text')
      ? reply.type(OPENMETRICS_CONTENT_TYPE).send(await scrapeOpenMetrics())
      : reply.type(METRICS_CONTENT_TYPE).send(await scrapeMetrics()),
  );
}
