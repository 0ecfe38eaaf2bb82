/**
 * One side of the fabric-overhead benchmark, in its own process: `server.ts bare|fabric <databaseUrl> <logFile>`.
 * Both serve the same two routes; `fabric` is the real application pipeline (buildApp) with logs to a file,
 * metrics and tracing at 10 % sampling exported over OTLP; `bare` is Fastify and pg with nothing added.
 * Requests come for the `bench` store's host (`bench.localhost`), so the tenant gateway resolves the store from its
 * cache and takes its budget. Prints the port on stdout once listening; stops on SIGTERM.
 */
import Fastify, { type FastifyInstance } from 'fastify';
import pg from 'pg';
import pino from 'pino';
import { loadConfig } from '../../src/platform/config/config.ts';
import { buildApp } from '../../src/platform/http/app.ts';
import { configureLogging } from '../../src/platform/observability/logger.ts';
import { startObservability } from '../../src/platform/observability/start.ts';
import { modules } from '../../src/modules/index.ts';
import { tenancy } from '../../src/modules/tenancy/service.ts';
import { startPlatform } from '../../src/platform/runtime/start.ts';

const [variant, databaseUrl, logFile] = process.argv.slice(2);
if ((variant !== 'bare' && variant !== 'fabric') || !databaseUrl || !logFile) {
  console.error('usage: server.ts bare|fabric <databaseUrl> <logFile>');
  process.exit(2);
}

const READ = 'select id, name from tenants where subdomain = $1';

function routes(app: FastifyInstance, pool: pg.Pool): void {
  app.get('/bench/trivial', async () => ({ ok: true }));
  app.get('/bench/db', async () => (await pool.query(READ, ['bench'])).rows);
  // CPU time of this process, read before and after a load run: its cost per request, whatever else runs on the machine.
  app.get('/bench/cpu', async () => process.cpuUsage());
}

let app: FastifyInstance;
let close: () => Promise<void>;
if (variant === 'bare') {
  const pool = new pg.Pool({ connectionString: databaseUrl, max: 10 });
  app = Fastify();
  routes(app, pool);
  close = () => pool.end();
} else {
  const config = loadConfig({
    ...process.env,
    APP_PROFILE: 'test',
    DATABASE_URL: databaseUrl,
    SEED_DEMO: 'false',
    LOG_LEVEL: 'info',
    OTEL_TRACES_SAMPLER_ARG: '0.1',
  });
  configureLogging(config, pino.destination({ dest: logFile, sync: false, minLength: 4096 }));
  const tracing = startObservability(config);
  const running = await startPlatform(config, ['web'], modules);
  // The load comes from one address on the bench store's host: lift the store's budget, or most answers are 429.
  const { rows } = await running.platform.db.pool.query<{ id: string }>(`select id from tenants where subdomain = 'bench'`);
  for (const key of ['rate_limit.burst', 'rate_limit.per_second'] as const) {
    await tenancy(running.platform).flags.setOverride({ tenantId: rows[0]!.id, key, value: 1_000_000, reason: 'fabric benchmark' });
  }
  app = await buildApp(running.platform, running.modules);
  routes(app, running.platform.db.pool);
  close = async () => {
    await running.stop();
    await tracing.shutdown();
  };
}
await app.listen({ host: '127.0.0.1', port: 0 });
console.log((app.server.address() as { port: number }).port);
process.once('SIGTERM', async () => {
  await app.close();
  await close();
  process.exit(0);
});
