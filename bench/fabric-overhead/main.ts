/**
 * `npm run bench -- fabric-overhead`: what the observability fabric costs per request. The same trivial route
 * and DB-read route are served by bare Fastify and by the full fabric (two server processes), and loaded in
 * turn by autocannon from this process over loopback, in alternating rounds so that drift on a shared machine
 * hits both sides. Prints one JSON document; BENCH_DURATION_S (default 3) is the measured seconds per route,
 * variant and round (BENCH_ROUNDS, default 2), each after 1 s of warm-up. autocannon's latencies have 1 ms
 * resolution, so latency is also measured unloaded: SEQUENTIAL requests one after another on one keep-alive
 * connection, each timed with hrtime. A third server, `store`, is the fabric with the embedded trace store on:
 * its ratio against `fabric` in the same run is the store's own cost.
 * Server CPU per request is process.cpuUsage of the server over a load run; where `perf stat` can count
 * instructions (a machine with hardware counters), instructions per request too. Figures are medians of the
 * rounds. `BENCH_CPU_PROF=<folder>` writes a CPU profile of each server (node --cpu-prof) there.
 * The in-process phase counts the pipeline's own CPU per request, without sockets or a load generator competing
 * for the cores: each server serves BENCH_INPROCESS_REQUESTS (default 5,000) requests to itself through
 * `app.inject`, bare and fabric alternating for BENCH_INPROCESS_ROUNDS (default 7) rounds after one round of
 * warm-up; the added CPU is the median over rounds of fabric minus bare within the round.
 * `BENCH_BASELINE=<checkout>[,<checkout>…]` adds the fabric of other checkouts of this repository (the code
 * before a change, `baseline`, `baseline2`, …) to that phase, so before and after are measured in the same run. `BENCH_PHASES` (default `load,inprocess`)
 * picks the phases, `BENCH_ROUTES` (default `trivial,db`) the routes.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { chmod, mkdtemp, rm } from 'node:fs/promises';
import { Agent, createServer, request } from 'node:http';
import type { AddressInfo } from 'node:net';
import { loadavg, tmpdir } from 'node:os';
import { text } from 'node:stream/consumers';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';
import pg from 'pg';
import { startEmbeddedPostgres } from '../../src/platform/db/embedded.ts';
import { migrate } from '../../src/platform/db/migrate.ts';

const DURATION_S = Number(process.env.BENCH_DURATION_S ?? 3);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const CONNECTIONS = 10;
const HOST = 'bench.localhost';
const SEQUENTIAL = 2000;
const PHASES = (process.env.BENCH_PHASES ?? 'load,inprocess').split(',');
const INPROCESS_REQUESTS = Number(process.env.BENCH_INPROCESS_REQUESTS ?? 5000);
const INPROCESS_ROUNDS = Number(process.env.BENCH_INPROCESS_ROUNDS ?? 7);
const BASELINES = (process.env.BENCH_BASELINE ?? '').split(',').filter(Boolean);
// Issue 19: at most 20 µs of CPU added per request on the trivial route; throughput ratios 0.7 (trivial), 0.8 (DB).
const GOALS = { addedP50Ms: 0.1, addedP99Ms: 1, addedCpuUsTrivial: 20, throughputRatio: { trivial: 0.7, db: 0.8 }, storeThroughputRatioVsFabric: 0.9 };

type Variant = 'bare' | 'fabric' | 'store';
/** `baseline`, `baseline2`, …: the fabric of the checkouts in BENCH_BASELINE, in order. */
type InProcessVariant = 'bare' | 'fabric' | `baseline${string}`;
const baselineName = (index: number): InProcessVariant => `baseline${index === 0 ? '' : index + 1}`;
interface Measure {
  requests_per_s: number;
  latency_p50_ms: number;
  latency_p99_ms: number;
  latency_mean_ms: number;
  /** Server CPU time (user + system) per request. */
  cpu_us_per_request: number;
  /** Instructions the server retired per request (perf stat), null where the machine has no counters. */
  instructions_per_request: number | null;
  non_2xx: number;
}

const work = await mkdtemp(join(tmpdir(), 'vs-bench-fabric-'));
await chmod(work, 0o755); // as root, the embedded PostgreSQL runs as `postgres` and must enter it
const servers = new Map<Variant | InProcessVariant, ChildProcess>();
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
  const { rows } = await owner.query<{ id: string }>(`insert into tenants (subdomain, name) values ('bench', 'Bench Boutique') returning id`);
  // The bench store's request budget is raised out of the way: the load is one client address, and the
  // benchmark measures the fabric, not the rate limiter's refusals.
  await owner.query(`select set_config('app.tenant_id', $1, false)`, [rows[0]!.id]);
  await owner.query(
    `insert into feature_flag_overrides (tenant_id, flag_key, value, reason)
     values ($1, 'rate_limit.burst', '1000000', 'benchmark load'), ($1, 'rate_limit.per_second', '1000000', 'benchmark load')`,
    [rows[0]!.id],
  );
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

  const start = async (variant: Variant | InProcessVariant) => {
    const profile = process.env.BENCH_CPU_PROF ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_CPU_PROF}`, `--cpu-prof-name=${variant}.cpuprofile`] : [];
    const checkout = BASELINES.find((_, index) => baselineName(index) === variant);
    const server = checkout ? join(checkout, 'bench/fabric-overhead/server.ts') : fileURLToPath(new URL('server.ts', import.meta.url));
    const child = spawn(process.execPath, [...profile, server, checkout ? 'fabric' : variant, databaseUrl, join(work, `${variant}.log`)], {
      env: { ...process.env, OTEL_EXPORTER_OTLP_ENDPOINT: otlp },
      stdio: ['ignore', 'pipe', 'inherit', 'ipc'],
    });
    servers.set(variant, child);
    const [line] = (await once(child.stdout!, 'data')) as [Buffer];
    return Number(line.toString().trim());
  };
  // The store server is needed by the load phase only.
  const ports = { bare: await start('bare'), fabric: await start('fabric'), store: PHASES.includes('load') ? await start('store') : 0 };
  for (const [index] of BASELINES.entries()) await start(baselineName(index));
  const pids = Object.fromEntries([...servers].map(([variant, server]) => [variant, server.pid!])) as Record<string, number>;
  const countsInstructions = (await perfInstructions(process.pid, async () => {})) !== null;

  const cpu = async (port: number) => {
    // fetch() sets Host from the URL; node:http sends the store's.
    const usage = await new Promise<NodeJS.CpuUsage>((resolve, reject) => {
      request({ host: '127.0.0.1', port, path: '/bench/cpu', headers: { host: HOST } }, (response) => {
        let body = '';
        response.on('data', (chunk) => (body += chunk));
        response.on('end', () => (response.statusCode === 200 ? resolve(JSON.parse(body)) : reject(new Error(`/bench/cpu answered ${response.statusCode}`))));
      })
        .on('error', reject)
        .end();
    });
    return usage.user + usage.system;
  };
  const load = async (variant: Variant, path: string, seconds: number): Promise<Measure> => {
    const port = ports[variant];
    const cpuBefore = await cpu(port);
    let result: autocannon.Result | undefined;
    // Host `bench.localhost` is the bench store (its budget raised); the platform host allows 5 requests a second.
    const run = async () => {
      result = await autocannon({ url: `http://127.0.0.1:${port}${path}`, headers: { host: HOST }, connections: CONNECTIONS, duration: seconds });
    };
    let instructions: number | null = null;
    if (countsInstructions) instructions = await perfInstructions(pids[variant]!, run);
    else await run();
    const cpuUsed = (await cpu(port)) - cpuBefore;
    if (!result) throw new Error('autocannon gave no result');
    return {
      requests_per_s: result.requests.average,
      latency_p50_ms: result.latency.p50,
      latency_p99_ms: result.latency.p99,
      latency_mean_ms: result.latency.average,
      cpu_us_per_request: round(cpuUsed / result.requests.total),
      instructions_per_request: instructions === null ? null : Math.round(instructions / result.requests.total),
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
  const median = (runs: Measure[]): Measure => {
    const middle = (pick: (run: Measure) => number) => round(runs.map(pick).sort((a, b) => a - b)[Math.floor((runs.length - 1) / 2)]!);
    return {
      requests_per_s: middle((run) => run.requests_per_s),
      latency_p50_ms: middle((run) => run.latency_p50_ms),
      latency_p99_ms: middle((run) => run.latency_p99_ms),
      latency_mean_ms: middle((run) => run.latency_mean_ms),
      cpu_us_per_request: middle((run) => run.cpu_us_per_request),
      instructions_per_request: countsInstructions ? middle((run) => run.instructions_per_request ?? 0) : null,
      non_2xx: runs.reduce((sum, run) => sum + run.non_2xx, 0),
    };
  };

  /** CPU (and instructions) per request of `requests` requests a server serves to itself. */
  const inProcess = async (variant: InProcessVariant, path: string, requests: number) => {
    const server = servers.get(variant)!;
    let cpuUs = 0;
    const run = async () => {
      server.send({ path, requests });
      const [answer] = (await once(server, 'message')) as [{ cpu_us_per_request: number }];
      cpuUs = answer.cpu_us_per_request;
    };
    let instructions: number | null = null;
    if (countsInstructions) instructions = await perfInstructions(pids[variant]!, run);
    else await run();
    return { cpu_us_per_request: cpuUs, instructions_per_request: instructions === null ? null : Math.round(instructions / requests) };
  };

  const routes = Object.fromEntries(
    Object.entries({ trivial: '/bench/trivial', db: '/bench/db' } as const).filter(([route]) => (process.env.BENCH_ROUTES ?? 'trivial,db').split(',').includes(route)),
  ) as Partial<Record<'trivial' | 'db', string>>;
  const results: Record<string, unknown> = {};
  const inProcessResults: Record<string, unknown> = {};
  const inProcessLoad: number[][] = [];
  if (PHASES.includes('inprocess')) {
    inProcessLoad.push(loadavg().map((value) => round(value)));
    const variants: InProcessVariant[] = ['bare', 'fabric', ...BASELINES.map((_, index) => baselineName(index))];
    for (const [route, path] of Object.entries(routes) as ['trivial' | 'db', string][]) {
      const runs = new Map(variants.map((variant) => [variant, [] as { cpu_us_per_request: number; instructions_per_request: number | null }[]]));
      for (const variant of variants) await inProcess(variant, path, INPROCESS_REQUESTS);
      for (let round = 0; round < INPROCESS_ROUNDS; round++) {
        for (const variant of round % 2 === 0 ? variants : [...variants].reverse()) runs.get(variant)!.push(await inProcess(variant, path, INPROCESS_REQUESTS));
      }
      const middle = (values: number[]) => round(values.sort((a, b) => a - b)[Math.floor((values.length - 1) / 2)]!);
      const cpuOf = (variant: InProcessVariant) => middle(runs.get(variant)!.map((run) => run.cpu_us_per_request));
      const instructionsOf = (variant: InProcessVariant) => (countsInstructions ? middle(runs.get(variant)!.map((run) => run.instructions_per_request ?? 0)) : null);
      // Each round measures every variant back to back, so the difference within a round sees one load.
      const addedOf = (variant: InProcessVariant) => middle(runs.get(variant)!.map((run, index) => run.cpu_us_per_request - runs.get('bare')![index]!.cpu_us_per_request));
      inProcessResults[route] = {
        cpu_us_per_request: Object.fromEntries(variants.map((variant) => [variant, cpuOf(variant)])),
        rounds_cpu_us_per_request: Object.fromEntries(variants.map((variant) => [variant, runs.get(variant)!.map((run) => round(run.cpu_us_per_request))])),
        added_cpu_us_per_request: addedOf('fabric'),
        ...Object.fromEntries(BASELINES.map((_, index) => [`${baselineName(index)}_added_cpu_us_per_request`, addedOf(baselineName(index))])),
        instructions_per_request: countsInstructions
          ? Object.fromEntries(variants.map((variant) => [variant, instructionsOf(variant)]))
          : 'perf stat counts no instructions on this machine',
        ...(route === 'trivial' ? { meets_cpu_goal: addedOf('fabric') <= GOALS.addedCpuUsTrivial } : {}),
      };
    }
    inProcessLoad.push(loadavg().map((value) => round(value)));
  }
  for (const [route, path] of Object.entries(PHASES.includes('load') ? routes : {}) as ['trivial' | 'db', string][]) {
    const runs: Record<Variant, Measure[]> = { bare: [], fabric: [], store: [] };
    const unloaded: Record<Variant, { p50_ms: number; p99_ms: number }[]> = { bare: [], fabric: [], store: [] };
    for (let round = 0; round < ROUNDS; round++) {
      const order: Variant[] = round % 2 === 0 ? ['bare', 'fabric', 'store'] : ['store', 'fabric', 'bare'];
      for (const variant of order) {
        await load(variant, path, 1);
        runs[variant].push(await load(variant, path, DURATION_S));
        unloaded[variant].push(await sequential(ports[variant], path));
      }
    }
    const bare = median(runs.bare);
    const fabric = median(runs.fabric);
    const store = median(runs.store);
    const storeRatio = store.requests_per_s / fabric.requests_per_s;
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
      added_instructions_per_request: countsInstructions ? fabric.instructions_per_request! - bare.instructions_per_request! : 'perf stat counts no instructions on this machine',
      meets_throughput_goal: ratio >= GOALS.throughputRatio[route],
      ...(route === 'trivial' ? { meets_cpu_goal: fabric.cpu_us_per_request - bare.cpu_us_per_request <= GOALS.addedCpuUsTrivial } : {}),
      trace_store: {
        store,
        throughput_ratio_vs_fabric: round(storeRatio),
        added_cpu_us_per_request_vs_fabric: round(store.cpu_us_per_request - fabric.cpu_us_per_request),
        unloaded: { p50_ms: unloadedMean('store', 'p50_ms'), p99_ms: unloadedMean('store', 'p99_ms') },
        unloaded_added_p50_ms_vs_fabric: round(unloadedMean('store', 'p50_ms') - unloadedMean('fabric', 'p50_ms')),
        meets_goal: storeRatio >= GOALS.storeThroughputRatioVsFabric,
      },
    };
  }
  console.log(
    JSON.stringify(
      {
        benchmark: 'fabric-overhead',
        date: new Date().toISOString(),
        node: process.version,
        database: process.env.DATABASE_URL ? 'DATABASE_URL' : 'embedded',
        load_average: loadavg().map((value) => round(value)),
        connections: CONNECTIONS,
        duration_s: DURATION_S,
        rounds: ROUNDS,
        autocannon_latency_resolution_ms: 1,
        sequential_requests: SEQUENTIAL,
        goals: GOALS,
        results,
        in_process: {
          requests_per_round: INPROCESS_REQUESTS,
          rounds: INPROCESS_ROUNDS,
          baselines: BASELINES,
          load_average: inProcessLoad,
          results: inProcessResults,
        },
      },
      null,
      2,
    ),
  );
} finally {
  for (const server of servers.values()) {
    server.kill('SIGTERM');
    if (server.exitCode === null) await once(server, 'exit');
  }
  collector?.close();
  await stopPostgres();
  await rm(work, { recursive: true, force: true });
}

/**
 * Instructions process `pid` retires while `during` runs, counted by `perf stat`; null when perf is missing or
 * the machine exposes no hardware counters (most virtual machines).
 */
async function perfInstructions(pid: number, during: () => Promise<void>): Promise<number | null> {
  const perf = spawn('perf', ['stat', '-x,', '-e', 'instructions', '-p', String(pid)], { stdio: ['ignore', 'ignore', 'pipe'] });
  const failed = once(perf, 'error').then(() => null);
  const started = await Promise.race([once(perf, 'spawn').then(() => true), failed]);
  if (!started) return null;
  const report = text(perf.stderr!);
  try {
    await during();
  } finally {
    perf.kill('SIGINT');
  }
  const value = Number((await report).split('\n').find((line) => line.includes('instructions'))?.split(',')[0]);
  return Number.isFinite(value) ? value : null;
}

function round(value: number): number {
  return Math.round(value * 1000) / 1000;
}
