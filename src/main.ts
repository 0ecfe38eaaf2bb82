/**
 * Entry point: `node src/main.ts [web|worker|media-worker|all]` (default all). `npm start` runs web and worker in one
 * process on the embedded default.
 */
import { ConfigError, loadConfig } from './platform/config/config.ts';
import { buildApp } from './platform/http/app.ts';
import { configureLogging, flushLogs, logger } from './platform/observability/logger.ts';
import { startObservability } from './platform/observability/start.ts';
import type { Role } from './platform/platform.ts';
import { startPlatform } from './platform/runtime/start.ts';

const ROLES: Record<string, Role[]> = { web: ['web'], worker: ['worker'], 'media-worker': ['media-worker'], all: ['web', 'worker', 'media-worker'] };

async function main(): Promise<void> {
  const roleArg = process.argv[2] ?? process.env.APP_ROLE ?? 'all';
  const roles = ROLES[roleArg];
  if (!roles) throw new ConfigError('APP_ROLE', `must be one of ${Object.keys(ROLES).join(', ')}, got "${roleArg}"`);
  const config = loadConfig();
  configureLogging(config);
  const tracing = startObservability(config);
  const log = logger('main');

  const running = await startPlatform(config, roles);
  const app = roles.includes('web') ? await buildApp(running.platform) : undefined;
  if (app) {
    const address = await app.listen({ host: config.http.host, port: config.http.port });
    const port = new URL(address).port;
    log.info({ address, roles }, 'Village Storefront is listening');
    console.log(`\n  Village Storefront is running (${roles.join(' + ')}).`);
    console.log(`  Demo store:  http://demo.${config.platformDomain}:${port}/`);
    console.log(`  Health:      http://${config.platformDomain}:${port}/q/health/ready\n`);
  } else {
    log.info({ roles }, 'Village Storefront worker started');
  }

  let stopping = false;
  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    log.info({ signal }, 'shutting down');
    const deadline = setTimeout(() => {
      log.error({ timeout_ms: config.shutdownTimeoutMs }, 'in-flight work did not finish in time; closing anyway');
      app?.server.closeAllConnections();
    }, config.shutdownTimeoutMs);
    try {
      await app?.close();
    } finally {
      clearTimeout(deadline);
    }
    await running.stop();
    await tracing.shutdown().catch((error: unknown) => log.warn({ err: error }, 'spans could not be exported at shutdown'));
    log.info('stopped');
    flushLogs();
    process.exit(0);
  };
  process.once('SIGTERM', () => void shutdown('SIGTERM'));
  process.once('SIGINT', () => void shutdown('SIGINT'));
}

main().catch((error: unknown) => {
  if (error instanceof ConfigError) {
    console.error(`Configuration error: ${error.message}`);
  } else {
    logger('main').fatal({ err: error }, 'start-up failed');
    console.error(error);
  }
  flushLogs();
  process.exit(1);
});
