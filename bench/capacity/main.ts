/**
 * The numbers the Kubernetes sizing rests on (docs/operations/scaling.md): PostgreSQL connections each replica
 * opens (web under a burst, worker with the default classes), start-to-ready time of each role, and the memory
 * of the tenant resolution cache per entry. Real processes (`node src/main.ts` with APP_ROLE=web|worker) on a scratch
 * database; prints one JSON document.
 */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { request } from 'node:http';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { freeLoopbackPort } from '../../src/platform/db/embedded.ts';
import { benchDatabase } from '../support/database.ts';

const STORES = Number(process.env.BENCH_STORES ?? 20_000);
const BURST = 200;


const get = (port: number, path: string) =>
  new Promise<number>((resolve) => {
    request({ host: '127.0.0.1', port, path }, (response) => {
      response.resume();
      response.on('end', () => resolve(response.statusCode ?? 0));
    })
      .on('error', () => resolve(0))
      .end();
  });

async function startRole(role: string, url: string): Promise<{ child: ChildProcess; port: number; readyMs: number }> {
  const port = await freeLoopbackPort();
  const started = performance.now();
  const child = spawn(process.execPath, ['src/main.ts'], {
    env: { ...process.env, APP_ROLE: role, APP_PROFILE: 'dev', DATABASE_URL: url, PORT: String(port), SEED_DEMO: 'false', LOG_LEVEL: 'error' },
    stdio: 'ignore',
  });
  while ((await get(port, '/q/health/ready')) !== 200) {
    if (child.exitCode !== null || performance.now() - started > 60_000) throw new Error(`${role} did not become ready`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  return { child, port, readyMs: Math.round(performance.now() - started) };
}

async function connections(url: string): Promise<Record<string, number>> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  const { rows } = await client.query<{ application_name: string; count: string }>(
    `select application_name, count(*) from pg_stat_activity where datname = current_database() and pid <> pg_backend_pid() group by 1 order by 1`,
  );
  await client.end();
  return Object.fromEntries(rows.map((row) => [row.application_name || '(none)', Number(row.count)]));
}

async function stop(child: ChildProcess): Promise<void> {
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGTERM');
  await exited;
}

const database = await benchDatabase();
try {
  const owner = new pg.Client({ connectionString: database.url });
  await owner.connect();
  await owner.query(`ALTER TABLE tenants DISABLE TRIGGER notify_change;
    INSERT INTO tenants (subdomain, name, plan) SELECT 's' || g, 'Store ' || g, 'growth' FROM generate_series(1, ${STORES}) g;
    ALTER TABLE tenants ENABLE TRIGGER notify_change; ANALYZE tenants;`);
  await owner.end();

  const cache = JSON.parse(
    execFileSync(process.execPath, ['--expose-gc', fileURLToPath(new URL('cache-memory.ts', import.meta.url)), database.url, String(STORES)], {
      encoding: 'utf8',
    }),
  ) as { bytesPerEntry: number; resolutionsPerS: number };

  const web = await startRole('web', database.url);
  const webIdle = await connections(database.url);
  await Promise.all(Array.from({ length: BURST }, () => get(web.port, '/q/health/ready')));
  const webBurst = await connections(database.url);
  await stop(web.child);

  const worker = await startRole('worker', database.url);
  const workerIdle = await connections(database.url);
  await stop(worker.child);

  console.log(
    JSON.stringify(
      {
        benchmark: 'capacity',
        server: database.server,
        node: process.version,
        tenant_cache: {
          stores: STORES,
          bytes_per_entry: Math.round(cache.bytesPerEntry),
          mib_per_100k_entries: Math.round(((cache.bytesPerEntry * 100_000) / 2 ** 20) * 10) / 10,
          uncached_resolutions_per_s: Math.round(cache.resolutionsPerS),
        },
        web: { ready_ms: web.readyMs, connections_after_start: webIdle, connections_after_burst: webBurst, burst_requests: BURST },
        worker: { ready_ms: worker.readyMs, connections_after_start: workerIdle },
      },
      null,
      2,
    ),
  );
} finally {
  await database.drop();
}
