/**
 * `npm run bench -- fabric-overhead`: what the observability fabric costs per request. The same trivial route
 * and DB-read route are served by bare Fastify and by the full fabric (two server processes), and loaded in
 * turn by autocannon from this process over loopback, in alternating rounds so that drift on a shared machine
 * hits both sides. Prints one JSON document; BENCH_DURATION_S (default 3) is the measured seconds per route,
 * variant and round (BENCH_ROUNDS, default 2), each after 1 s of warm-up. autocannon's latencies have 1 ms
 * resolution, so latency is also measured unloaded: SEQUENTIAL requests one after another on one keep-alive
 * connection, each timed with hrtime.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { chmod, mkdtemp, rm } from 'node:fs/promises';
import { Agent, createServer, request } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';
import pg from 'pg';
import { startEmbeddedPostgres } from '../../src/platform/db/embedded.ts';
import { migrate } from '../../src/platform/db/migrate.ts';

const DURATION_S = Number(process.env.BENCH_DURATION_S ?? 3);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 2);
const CONNECTIONS = 10;
const SEQUENTIAL = 2000;
/** A store's host: the gateway resolves the store (from its cache) and takes the store's budget, lifted by server.ts. */
const HOST = 'bench.localhost';
const GOALS = { addedP50Ms: 0.1, addedP99Ms: 1, throughputRatio: { trivial: 0.8, db: 0.95 } };

type Variant = 'bare' | 'fabric';
interface Measure {
  requests_per_s: number;
  latency_p50_ms: number;
  latency_p99_ms: number;
  latency_mean_ms: number;
  /** Server CPU time (user + system) per request. */
  cpu_us_per_request: number;
  non_2xx: number;
}

const work = await mkdtemp(join(tmpdir(), 'vs-bench-fabric-'));
await chmod(work, 0o755); // as root, the embedded PostgreSQL runs as `postgres` and must enter it
const servers: ChildProcess[] = [];
let collector: ReturnType<typeof createServer> | undefined;
let stopPostgres = async () => {};
try {
  let adminUrl = process.env.DATABASE_URL;
  if (!adminUrl) {
    const server = await startEmbeddedPostgres(join(work, 'pg'));
    adminUrl = server.adminUrl;
    stopPostgres = server.stop;
  }
  const name = `vs_bench_${process.pid}`;
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  await admin.query(`create database ${name}`);
  const databaseUrl = Object.assign(new URL(adminUrl), { pathname: `/${name}` }).toString();
  await migrate(databaseUrl, 'up');
  const owner = new pg.Client({ connectionString: databaseUrl });
  await owner.connect();
  await owner.query(`insert into tenants (subdomain, name) values ('bench', 'Bench Boutique')`);
  await owner.end();
  stopPostgres = ((stop) => async () => {
    await admin.query(`drop database ${name} with (force)`);
    await admin.end();
    await stop();
  })(stopPostgres);

  // An OTLP endpoint that accepts and discards, so the fabric pays for exporting its sampled spans.
  collector = createServer((request, response) => {
    request.resume();
    request.on('end', () => response.writeHead(200, { 'content-type': 'application/x-protobuf' }).end());
  });
  collector.listen(0, '127.0.0.1');
  await once(collector, 'listening');
  const otlp = `http://127.0.0.1:${(collector.address() as AddressInfo).port}`;

  const start = async (variant: Variant) => {
    const child = spawn(process.execPath, [fileURLToPath(new URL('server.ts', import.meta.url)), variant, databaseUrl, join(work, `${variant}.log`)], {
      env: { ...process.env, OTEL_EXPORTER_OTLP_ENDPOINT: otlp },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    servers.push(child);
    const [line] = (await once(child.stdout!, 'data')) as [Buffer];
    return Number(line.toString().trim());
  };
  const ports = { bare: await start('bare'), fabric: await start('fabric') };

  const cpu = (port: number) =>
    new Promise<number>((resolve, reject) => {
      request({ host: '127.0.0.1', port, path: '/bench/cpu', headers: { host: HOST } }, (response) => {
        let body = '';
        response.setEncoding('utf8').on('data', (chunk: string) => (body += chunk));
        response.on('end', () => {
          if (response.statusCode !== 200) return reject(new Error(`/bench/cpu answered ${response.statusCode}: ${body}`));
          const usage = JSON.parse(body) as NodeJS.CpuUsage;
          resolve(usage.user + usage.system);
        });
      })
        .on('error', reject)
        .end();
    });
  const load = async (port: number, path: string, seconds: number): Promise<Measure> => {
    const cpuBefore = await cpu(port);
    const result = await autocannon({
      url: `http://127.0.0.1:${port}${path}`,
      headers: { host: HOST },
      connections: CONNECTIONS,
      duration: seconds,
    });
    const cpuUsed = (await cpu(port)) - cpuBefore;
    return {
      requests_per_s: result.requests.average,
      latency_p50_ms: result.latency.p50,
      latency_p99_ms: result.latency.p99,
      latency_mean_ms: result.latency.average,
      cpu_us_per_request: round(cpuUsed / result.requests.total),
      non_2xx: result.non2xx + result.errors,
    };
  };
  /** p50/p99 of requests sent one at a time: the latency a request pays when nothing queues. */
  const sequential = async (port: number, path: string) => {
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    const once = () =>
      new Promise<number>((resolve, reject) => {
        const started = process.hrtime.bigint();
        request({ host: '127.0.0.1', port, path, agent, headers: { host: HOST } }, (response) => {
          response.resume();
          response.on('end', () => resolve(Number(process.hrtime.bigint() - started) / 1e6));
        })
          .on('error', reject)
          .end();
      });
    for (let i = 0; i < 200; i++) await once();
    const times: number[] = [];
    for (let i = 0; i < SEQUENTIAL; i++) times.push(await once());
    agent.destroy();
    times.sort((a, b) => a - b);
    return { p50_ms: round(times[Math.floor(SEQUENTIAL * 0.5)]!), p99_ms: round(times[Math.floor(SEQUENTIAL * 0.99)]!) };
  };
  const mean = (runs: Measure[]): Measure => {
    const average = (pick: (run: Measure) => number) => round(runs.reduce((sum, run) => sum + pick(run), 0) / runs.length);
    return {
      requests_per_s: average((run) => run.requests_per_s),
      latency_p50_ms: average((run) => run.latency_p50_ms),
      latency_p99_ms: average((run) => run.latency_p99_ms),
      latency_mean_ms: average((run) => run.latency_mean_ms),
      cpu_us_per_request: average((run) => run.cpu_us_per_request),
      non_2xx: runs.reduce((sum, run) => sum + run.non_2xx, 0),
    };
  };

  const routes = { trivial: '/bench/trivial', db: '/bench/db' } as const;
  const results: Record<string, unknown> = {};
  for (const [route, path] of Object.entries(routes) as [keyof typeof routes, string][]) {
    const runs: Record<Variant, Measure[]> = { bare: [], fabric: [] };
    const unloaded: Record<Variant, { p50_ms: number; p99_ms: number }[]> = { bare: [], fabric: [] };
    for (let round = 0; round < ROUNDS; round++) {
      const order: Variant[] = round % 2 === 0 ? ['bare', 'fabric'] : ['fabric', 'bare'];
      for (const variant of order) {
        await load(ports[variant], path, 1);
        runs[variant].push(await load(ports[variant], path, DURATION_S));
        unloaded[variant].push(await sequential(ports[variant], path));
      }
    }
    const bare = mean(runs.bare);
    const fabric = mean(runs.fabric);
    const unloadedMean = (variant: Variant, pick: 'p50_ms' | 'p99_ms') =>
      round(unloaded[variant].reduce((sum, run) => sum + run[pick], 0) / unloaded[variant].length);
    const ratio = fabric.requests_per_s / bare.requests_per_s;
    results[route] = {
      bare,
      fabric,
      throughput_ratio: round(ratio),
      added_latency_p50_ms: round(fabric.latency_p50_ms - bare.latency_p50_ms),
      added_latency_p99_ms: round(fabric.latency_p99_ms - bare.latency_p99_ms),
      unloaded: {
        bare: { p50_ms: unloadedMean('bare', 'p50_ms'), p99_ms: unloadedMean('bare', 'p99_ms') },
        fabric: { p50_ms: unloadedMean('fabric', 'p50_ms'), p99_ms: unloadedMean('fabric', 'p99_ms') },
        added_p50_ms: round(unloadedMean('fabric', 'p50_ms') - unloadedMean('bare', 'p50_ms')),
        added_p99_ms: round(unloadedMean('fabric', 'p99_ms') - unloadedMean('bare', 'p99_ms')),
      },
      added_cpu_us_per_request: round(fabric.cpu_us_per_request - bare.cpu_us_per_request),
      meets_throughput_goal: ratio >= GOALS.throughputRatio[route],
    };
  }
  console.log(
    JSON.stringify(
      {
        benchmark: 'fabric-overhead',
        date: new Date().toISOString(),
        node: process.version,
        database: process.env.DATABASE_URL ? 'DATABASE_URL' : 'embedded',
        connections: CONNECTIONS,
        duration_s: DURATION_S,
        rounds: ROUNDS,
        autocannon_latency_resolution_ms: 1,
        sequential_requests: SEQUENTIAL,
        goals: GOALS,
        results,
      },
      null,
      2,
    ),
  );
} finally {
  for (const server of servers) {
    server.kill('SIGTERM');
    if (server.exitCode === null) await once(server, 'exit');
  }
  collector?.close();
  await stopPostgres();
  await rm(work, { recursive: true, force: true });
}

function round(value: number): number {
  return Math.round(value * 1000) / 1000;
}
