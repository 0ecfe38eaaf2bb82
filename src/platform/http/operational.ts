import Fastify, { type FastifyInstance } from 'fastify';
import type { Platform } from '../platform.ts';
import { registerOpsEndpoints } from './ops-endpoints.ts';

/**
 * The listener of roles that serve no store traffic (workers): only the operational endpoints, for the
 * orchestrator's probes and the Prometheus scrape, behind the same address allow-list as on the web role.
 */
export async function buildOperationalApp(platform: Platform): Promise<FastifyInstance> {
  const app = Fastify({ logger: false });
  registerOpsEndpoints(app, platform);
  return app;
}
