/**
 * bench/jobs: enqueue rate (one by one and in batches) and processing throughput at concurrency 10 of a no-op job
 * and of a one-statement job, ours against raw graphile-worker on the same database in the same run. Prints one
 * JSON document.
 *
 * DATABASE_URL (a server's owner URL) or, without it, an embedded PostgreSQL in a temporary folder. A scratch
 * database is created and dropped.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { type TaskList, makeWorkerUtils, run } from 'graphile-worker';
import { sql } from 'kysely';
import pg from 'pg';
import Type from 'typebox';
import { loadConfig } from '../../src/platform/config/config.ts';
import { type Tx, createDb } from '../../src/platform/db/database.ts';
import { startEmbeddedPostgres } from '../../src/platform/db/embedded.ts';
import { migrate } from '../../src/platform/db/migrate.ts';
import { dbQueryDuration } from '../../src/platform/db/telemetry.ts';
import { defineJob } from '../../src/platform/jobs/definitions.ts';
import { graphileLogger } from '../../src/platform/jobs/queue-schema.ts';
import { createJobs } from '../../src/platform/jobs/service.ts';
import { startJobWorker } from '../../src/platform/jobs/worker.ts';
import { configureLogging } from '../../src/platform/observability/logger.ts';

const SINGLE = Number(process.env.BENCH_SINGLE ?? 500);
const BATCHES = Number(process.env.BENCH_BATCHES ?? 5);
const BATCH_SIZE = 1_000;
const PROCESS = Number(process.env.BENCH_PROCESS ?? 5_000);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const CONCURRENCY = 10;

configureLogging({ logLevel: 'error', logLevels: {} });

async function server(): Promise<{ adminUrl: string; stop(): Promise<void> }> {
  if (process.env.DATABASE_URL) {
    const url = new URL(process.env.DATABASE_URL);
    url.pathname = '/postgres';
    return { adminUrl: url.toString(), stop: async () => {} };
  }
  const dir = await mkdtemp(join(tmpdir(), 'vs-bench-jobs-'));
  const embedded = await startEmbeddedPostgres(dir);
  return {
    adminUrl: embedded.adminUrl,
    async stop() {
      await embedded.stop();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

async function admin(adminUrl: string, statement: string): Promise<void> {
  const client = new pg.Client({ connectionString: adminUrl });
  await client.connect();
  await client.query(statement);
  await client.end();
}

const perSecond = (count: number, ms: number) => Math.round((count / ms) * 1000);

async function timed(fn: () => Promise<void>): Promise<number> {
  const started = performance.now();
  await fn();
  return performance.now() - started;
}

/** Statements the application pool (the one units of work use) has sent so far. */
async function statementsSent(): Promise<number> {
  const { values } = await dbQueryDuration.get();
  return values.filter((value) => value.metricName?.endsWith('_count')).reduce((sum, value) => sum + value.value, 0);
}

async function waitUntilEmpty(pool: pg.Pool): Promise<void> {
  for (;;) {
    const { rows } = await pool.query('select count(*)::int as n from graphile_worker._private_jobs');
    if (rows[0].n === 0) return;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

const srv = await server();
const name = `vs_bench_jobs_${Date.now()}`;
await admin(srv.adminUrl, `create database ${name}`);
const ownerUrl = Object.assign(new URL(srv.adminUrl), { pathname: `/${name}` }).toString();
try {
  await migrate(ownerUrl, 'up');
  const config = loadConfig({ APP_PROFILE: 'test', DATABASE_URL: ownerUrl, JOB_CONCURRENCY: `DEFAULT=${CONCURRENCY}`, JOB_POLL_INTERVAL_MS: '1000' });
  const db = createDb({ ownerUrl, poolMax: CONCURRENCY + 4, statementTimeoutMs: 30_000 });
  const spec = {
    version: 1,
    payload: Type.Object({ n: Type.Integer() }),
    priority: 'DEFAULT',
    maxAttempts: 3,
    timeoutMs: 10_000,
    scope: 'platform',
  } as const;
  const selectOne = async (trx: Tx) => {
    await sql`select 1`.execute(trx);
  };
  const noop = defineJob({ ...spec, name: 'bench.noop', run: async () => {} });
  const statement = defineJob({ ...spec, name: 'bench.statement', run: (_payload, { trx }) => selectOne(trx) });
  const definitions = [noop, statement];
  const jobs = createJobs(db, config.jobs, definitions);
  const ownerPool = new pg.Pool({ connectionString: ownerUrl, max: CONCURRENCY + 4 });
  ownerPool.on('error', () => {});
  ownerPool.on('connect', (client) => client.on('error', () => {}));
  const utils = await makeWorkerUtils({ pgPool: ownerPool, logger: graphileLogger() });
  const payloads = (count: number) => Array.from({ length: count }, (_, n) => ({ n }));

  const median = (values: number[]) => [...values].sort((x, y) => x - y)[Math.floor(values.length / 2)]!;
  const single = { raw: [] as number[], ours: [] as number[] };
  const batch = { raw: [] as number[], ours: [] as number[] };
  // Alternated rounds, median of each, so no side gets only the cold or only the warm database.
  for (let round = 0; round < ROUNDS; round++) {
    single.raw.push(perSecond(SINGLE, await timed(async () => { for (let n = 0; n < SINGLE; n++) await utils.addJob('raw.noop', { n }); })));
    single.ours.push(perSecond(SINGLE, await timed(async () => { for (let n = 0; n < SINGLE; n++) await jobs.enqueue(noop, { n }); })));
    batch.raw.push(perSecond(BATCHES * BATCH_SIZE, await timed(async () => {
      for (let b = 0; b < BATCHES; b++) await utils.addJobs(payloads(BATCH_SIZE).map((payload) => ({ identifier: 'raw.noop', payload })));
    })));
    batch.ours.push(perSecond(BATCHES * BATCH_SIZE, await timed(async () => {
      for (let b = 0; b < BATCHES; b++) await jobs.enqueueMany(noop, payloads(BATCH_SIZE));
    })));
    await ownerPool.query('delete from graphile_worker._private_jobs');
  }
  const enqueueSingle = { raw: median(single.raw), ours: median(single.ours), runs: single };
  const enqueueBatch = { raw: median(batch.raw), ours: median(batch.ours), runs: batch };

  /**
   * Two job shapes, each run by raw graphile-worker and by ours: a no-op (ours opens no transaction for it, so raw
   * runs it bare), and one statement through the unit of work (raw runs it in the same `withPlatform`).
   */
  const rawTasks: TaskList = { 'raw.noop': async () => {}, 'raw.statement': () => db.withPlatform(selectOne) };
  const processRaw = async (identifier: 'raw.noop' | 'raw.statement') => {
    await utils.addJobs(payloads(PROCESS).map((payload) => ({ identifier, payload })));
    let runner: Awaited<ReturnType<typeof run>> | undefined;
    const ms = await timed(async () => {
      runner = await run({ pgPool: ownerPool, taskList: rawTasks, concurrency: CONCURRENCY, pollInterval: 1000, noHandleSignals: true, parsedCronItems: [], logger: graphileLogger() });
      await waitUntilEmpty(ownerPool);
    });
    await runner!.stop();
    return perSecond(PROCESS, ms);
  };
  const processOurs = async (definition: typeof noop) => {
    await jobs.enqueueMany(definition, payloads(PROCESS));
    let worker: Awaited<ReturnType<typeof startJobWorker>> | undefined;
    const ms = await timed(async () => {
      worker = await startJobWorker({ ownerUrl, db, config: config.jobs, definitions, schedules: [], pausing: jobs.pausing, deadJobs: jobs.deadJobs, shutdownTimeoutMs: 5_000 });
      await waitUntilEmpty(ownerPool);
    });
    await worker!.stop();
    return perSecond(PROCESS, ms);
  };
  const sides = {
    raw: () => processRaw('raw.noop'),
    raw_with_statement: () => processRaw('raw.statement'),
    ours: () => processOurs(noop),
    ours_with_statement: () => processOurs(statement),
  };
  type Side = keyof typeof sides;
  const order = Object.keys(sides) as Side[];
  const perSide = <T>(make: () => T) => Object.fromEntries(order.map((side) => [side, make()])) as Record<Side, T>;
  const runs = perSide<number[]>(() => []);
  const cpu = perSide<number[]>(() => []);
  const statements = perSide(() => 0);
  /**
   * Runs one side; keeps its rate, this process's CPU per job (the worker runs here, whichever side) and the
   * application pool's statements it sent (the unit of work's round trips).
   */
  const measured = async (side: Side) => {
    const before = await statementsSent();
    const cpuBefore = process.cpuUsage();
    runs[side].push(await sides[side]());
    const used = process.cpuUsage(cpuBefore);
    cpu[side].push(Math.round(((used.user + used.system) / PROCESS) * 10) / 10);
    statements[side] += (await statementsSent()) - before;
  };
  // Alternated order, so that drift on a shared machine does not always fall on the same side.
  for (let round = 0; round < ROUNDS; round++) {
    for (const side of round % 2 === 0 ? order : [...order].reverse()) await measured(side);
  }
  const perJob = (count: number) => Math.round((count / (PROCESS * ROUNDS)) * 100) / 100;
  const medians = (values: Record<Side, number[]>) => Object.fromEntries(order.map((side) => [side, median(values[side])])) as Record<Side, number>;
  const cpuPerJob = medians(cpu);
  const processing = {
    ...medians(runs),
    runs,
    cpu_us_per_job: cpuPerJob,
    app_pool_statements_per_job: Object.fromEntries(order.map((side) => [side, perJob(statements[side])])),
  };

  await utils.release();
  await ownerPool.end();
  await db.close();
  const ratio = (side: { raw: number; ours: number }) => Math.round((side.ours / side.raw) * 1000) / 1000;
  console.log(
    JSON.stringify(
      {
        benchmark: 'jobs',
        date: new Date().toISOString(),
        database: process.env.DATABASE_URL ? 'DATABASE_URL' : 'embedded',
        load_average: loadavg().map((value) => Math.round(value * 10) / 10),
        concurrency: CONCURRENCY,
        enqueue_single_per_s: { ...enqueueSingle, ratio: ratio(enqueueSingle), count: SINGLE },
        enqueue_batch_per_s: { ...enqueueBatch, ratio: ratio(enqueueBatch), count: BATCHES * BATCH_SIZE, batch: BATCH_SIZE },
        processed_per_s: {
          ...processing,
          ratio: ratio(processing),
          ratio_with_statement: ratio({ raw: processing.raw_with_statement, ours: processing.ours_with_statement }),
          // The rate ratio a CPU-bound worker process would reach: raw's CPU per job over ours (a count, steadier than
          // rates on a shared machine).
          cpu_ratio: ratio({ raw: cpuPerJob.ours, ours: cpuPerJob.raw }),
          cpu_ratio_with_statement: ratio({ raw: cpuPerJob.ours_with_statement, ours: cpuPerJob.raw_with_statement }),
          count: PROCESS,
          rounds: ROUNDS,
        },
        goal: 'processing: a no-op job >= 0.8 x raw without a transaction; a one-statement job >= 0.9 x raw with the same unit of work and statement; >= 2,000 jobs/s processed',
      },
      null,
      2,
    ),
  );
} finally {
  await admin(srv.adminUrl, `drop database if exists ${name} with (force)`);
  await srv.stop();
}
