import { type ChildProcessWithoutNullStreams, spawn } from 'node:child_process';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Db } from '../src/platform/db/database.ts';
import { createJobs, type Jobs } from '../src/platform/jobs/service.ts';
import { processJobs } from './support/job-fixtures.ts';
import { createEffectsTable, effects, uniquePrefix, waitFor } from './support/jobs.ts';
import { testConfig, testDatabaseUrl, testDb } from './support/platform.ts';

const prefix = uniquePrefix('proc');
const fixtures = processJobs(prefix);
// Short, so the killed-worker test is quick; not so short that a loaded CI machine's late heartbeat (every third of
// the lease) makes a live worker look dead and its jobs run twice.
const LEASE_MS = 3_000;

interface WorkerProcess {
  child: ChildProcessWithoutNullStreams;
  output: () => string;
  stop(): Promise<void>;
}

async function startWorkerProcess(): Promise<WorkerProcess> {
  const env = {
    ...process.env,
    APP_PROFILE: 'test',
    DATABASE_URL: testDatabaseUrl(),
    JOB_PREFIX: prefix,
    JOB_LEASE_MS: String(LEASE_MS),
    JOB_POLL_INTERVAL_MS: '100',
    JOB_CONCURRENCY: 'DEFAULT=10',
    LOG_LEVEL: 'error',
  };
  const child = spawn(process.execPath, ['test/support/job-worker-process.ts'], { env });
  let output = '';
  child.stdout.on('data', (chunk) => (output += chunk));
  child.stderr.on('data', (chunk) => (output += chunk));
  await waitFor(async () => output.includes('ready') || child.exitCode !== null, 'the worker process to start', 20_000);
  if (!output.includes('ready')) throw new Error(`worker process failed to start:\n${output}`);
  return {
    child,
    output: () => output,
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      await exited;
    },
  };
}

/** real worker processes, killed and racing, lose no job and run none twice. */
describe('job worker processes', () => {
  let db: Db;
  let jobs: Jobs;
  const running: WorkerProcess[] = [];
  const start = async () => {
    const worker = await startWorkerProcess();
    running.push(worker);
    return worker;
  };

  beforeAll(async () => {
    await createEffectsTable();
    db = testDb();
    jobs = createJobs(db, testConfig().jobs, fixtures.all);
  });
  afterEach(async () => {
    for (const worker of running.splice(0)) {
      worker.child.kill('SIGKILL');
    }
  });
  afterAll(() => db.close());

  it('runs a job again on another worker once the lease of a worker killed mid-job expires', async () => {
    const first = await start();
    const jobId = await jobs.enqueue(fixtures.stall, { n: 1 });
    await waitFor(async () => first.output().includes(`started ${jobId}`), 'the job to start');
    first.child.kill('SIGKILL');

    const second = await start();
    const [row] = await waitFor(async () => {
      const rows = await effects(fixtures.stall.name);
      return rows.length > 0 && rows;
    }, 'the job to run again', 15_000);
    expect(row).toMatchObject({ n: 1, attempt: 2, pid: second.child.pid });
    await second.stop();
  });

  it('runs 1,000 jobs across two worker processes exactly once', async () => {
    const [a, b] = await Promise.all([start(), start()]);
    await jobs.enqueueMany(fixtures.count, Array.from({ length: 1_000 }, (_, n) => ({ n })));
    const rows = await waitFor(async () => {
      const done = await effects(fixtures.count.name);
      return done.length >= 1_000 && done;
    }, 'all jobs to run', 30_000);
    await Promise.all([a.stop(), b.stop()]);
    const all = await effects(fixtures.count.name);
    expect(all).toHaveLength(1_000);
    expect(new Set(all.map((row) => row.n)).size).toBe(1_000);
    expect(all.every((row) => row.attempt === 1)).toBe(true);
    const byProcess = new Set(rows.map((row) => row.pid));
    expect(byProcess, 'both processes took jobs').toEqual(new Set([a.child.pid, b.child.pid]));
  }, 60_000);
});
