/**
 * One side of the fabric-overhead benchmark, in its own process: `server.ts bare|fabric|store <databaseUrl> <logFile>`.
 * All serve the same two routes; `fabric` is the real application pipeline (buildApp) with logs to a file,
 * metrics and tracing at 10 % sampling exported over OTLP; `store` is the same with the embedded trace store on
 * (every span recorded for tail sampling, 1 % of the healthy rest written, as in prod); `bare` is Fastify and
 * pg with nothing added.
 * Prints the port on stdout once listening; stops on SIGTERM. Spawned with an IPC channel, it also serves
 * `{ path, requests }` messages: that many requests through `app.inject`, one after another, answered with the
 * CPU time they took (no socket, no load generator: the pipeline's own work per request).
 */
import Fastify, { type FastifyInstance } from 'fastify';
import pg from 'pg';
import { loadConfig } from '../../src/platform/config/config.ts';
import { buildApp } from '../../src/platform/http/app.ts';
import { configureLogging, logDestination } from '../../src/platform/observability/logger.ts';
import { startObservability } from '../../src/platform/observability/start.ts';
import { modules } from '../../src/modules/index.ts';
import { startPlatform } from '../../src/platform/runtime/start.ts';

const [variant, databaseUrl, logFile] = process.argv.slice(2);
if (!['bare', 'fabric', 'store'].includes(variant ?? '') || !databaseUrl || !logFile) {
  console.error('usage: server.ts bare|fabric|store <databaseUrl> <logFile>');
  process.exit(2);
}

/** Requests served between two turns of the event loop in the in-process phase. */
const YIELD_EVERY = 10;
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
    TRACE_STORE: variant === 'store' ? 'on' : 'off',
    TRACE_STORE_SAMPLE_RATIO: '0.01',
  });
  configureLogging(config, logDestination(logFile));
  const tracing = startObservability(config);
  const running = await startPlatform(config, ['web'], modules);
  app = await buildApp(running.platform, running.modules);
  routes(app, running.platform.db.pool);
  close = async () => {
    await running.stop();
    await tracing.shutdown();
  };
}
await app.listen({ host: '127.0.0.1', port: 0 });
console.log((app.server.address() as { port: number }).port);
process.on('message', async (message: { path: string; requests: number }) => {
  const before = process.cpuUsage();
  for (let i = 0; i < message.requests; i++) {
    const response = await app.inject({ method: 'GET', url: message.path, headers: { host: 'bench.localhost' } });
    if (response.statusCode !== 200) throw new Error(`${message.path} answered ${response.statusCode}`);
    // A server's event loop turns between requests (timers, I/O callbacks, setImmediate); a loop of awaited
    // injects alone never leaves the microtask queue, so whatever a request leaves to a later turn (its
    // response's cleanup, the log file's writes, the span exporter's timer) would pile up for the whole round.
    if (i % YIELD_EVERY === YIELD_EVERY - 1) await new Promise(setImmediate);
  }
  const used = process.cpuUsage(before);
  process.send!({ cpu_us_per_request: (used.user + used.system) / message.requests });
});
process.once('SIGTERM', async () => {
  await app.close();
  await close();
  process.exit(0);
});
