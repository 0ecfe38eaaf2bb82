/**
 * A worker process for the reliability tests: the platform's job worker running the fixture jobs of
 * `JOB_PREFIX` against DATABASE_URL. Prints `ready` once it heartbeats; SIGTERM stops it gracefully.
 */
import { loadConfig } from '../../src/platform/config/config.ts';
import { createDb } from '../../src/platform/db/database.ts';
import { createJobs } from '../../src/platform/jobs/service.ts';
import { startJobWorker } from '../../src/platform/jobs/worker.ts';
import { configureLogging } from '../../src/platform/observability/logger.ts';
import { processJobs } from './job-fixtures.ts';

const config = loadConfig();
configureLogging(config);
const ownerUrl = config.databaseUrl!;
const db = createDb({ ownerUrl, poolMax: 12, statementTimeoutMs: 10_000 });
const { all } = processJobs(process.env.JOB_PREFIX!);
const jobs = createJobs(db, config.jobs, all);
const worker = await startJobWorker({
  ownerUrl,
  db,
  config: config.jobs,
  definitions: all,
  schedules: [],
  pausing: jobs.pausing,
  deadJobs: jobs.deadJobs,
  shutdownTimeoutMs: 2_000,
});
console.log('ready');
process.once('SIGTERM', async () => {
  await worker.stop();
  await db.close();
  process.exit(0);
});
