/**
 * The composition root: `node src/main.ts` with APP_ROLE=web|worker|media-worker|all (default all) chooses the
 * roles; the product's modules are chosen here and passed into the platform. `npm start` runs every role in one
 * process on the embedded default.
 */
import { inspect } from 'node:util';
import { modules } from './modules/index.ts';
import { ConfigError, loadConfig } from './platform/config/config.ts';
import { buildApp } from './platform/http/app.ts';
import { buildOperationalApp } from './platform/http/operational.ts';
import { configureLogging, flushLogs, logger } from './platform/observability/logger.ts';
import { startObservability } from './platform/observability/start.ts';
import type { Role } from './platform/platform.ts';
import { startPlatform } from './platform/runtime/start.ts';
import { StartupError } from './platform/startup-error.ts';

const ROLES: Record<string, Role[]> = { web: ['web'], worker: ['worker'], 'media-worker': ['media-worker'], all: ['web', 'worker', 'media-worker'] };

function rolesFromEnvironment(): Role[] {
  if (process.argv.length > 2) {
    throw new ConfigError('APP_ROLE', `the role is chosen by APP_ROLE, not by arguments (got "${process.argv.slice(2).join(' ')}")`);
  }
  const role = process.env.APP_ROLE || 'all';
  const roles = ROLES[role];
  if (!roles) throw new ConfigError('APP_ROLE', `must be one of ${Object.keys(ROLES).join(', ')}, got "${role}"`);
  return roles;
}

async function listen(app: Awaited<ReturnType<typeof buildApp>>, host: string, port: number): Promise<string> {
  try {
    return await app.listen({ host, port });
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'EADDRINUSE') throw new StartupError(`Port ${port} on ${host} is in use by another process`, 'Stop that process, or set PORT to a free port.', { cause: error });
    if (code === 'EACCES') throw new StartupError(`Port ${port} on ${host} may not be opened by this user`, 'Use a port above 1023 (PORT), or run with the right to bind low ports.', { cause: error });
    if (code === 'EADDRNOTAVAIL') throw new StartupError(`${host} is not an address of this machine`, 'Set HOST to one of its addresses (127.0.0.1, 0.0.0.0).', { cause: error });
    throw error;
  }
}

async function main(): Promise<void> {
  const roles = rolesFromEnvironment();
  const config = loadConfig();
  configureLogging(config);
  const tracing = startObservability(config);
  const log = logger('main');

  const running = await startPlatform(config, roles, modules);
  const serves = roles.includes('web');
  let app: Awaited<ReturnType<typeof buildApp>> | undefined;
  try {
    // Roles without store traffic still listen on PORT for their probes and the Prometheus scrape.
    app = serves ? await buildApp(running.platform, running.modules) : await buildOperationalApp(running.platform);
    const address = await listen(app, config.http.host, config.http.port);
    if (serves) {
      const port = new URL(address).port;
      log.info({ address, roles }, 'Village Storefront is listening');
      console.log(`\n  Village Storefront is running (${roles.join(' + ')}).`);
      console.log(`  Demo store:  http://demo.${config.platformDomain}:${port}/`);
      console.log(`  Health:      http://${config.platformDomain}:${port}/q/health/ready\n`);
    } else {
      log.info({ address, roles }, 'Village Storefront worker started');
    }
  } catch (error) {
    await app?.close();
    await running.stop();
    throw error;
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
    await flushLogs();
    process.exit(0);
  };
  process.once('SIGTERM', () => void shutdown('SIGTERM'));
  process.once('SIGINT', () => void shutdown('SIGINT'));
}

main().catch(async (error: unknown) => {
  if (error instanceof ConfigError) {
    console.error(`Configuration error: ${error.message}`);
  } else if (error instanceof StartupError) {
    logger('main').fatal({ err: error, hint: error.hint }, `start-up failed: ${error.message}`);
    console.error(`\nStart-up failed: ${error.message}\n  ${error.hint}\n`);
  } else {
    logger('main').fatal({ err: error }, 'start-up failed');
    console.error('\nStart-up failed:', error instanceof Error ? error : `a non-error value was thrown: ${inspect(error)}`);
  }
  await flushLogs();
  process.exit(1);
});
