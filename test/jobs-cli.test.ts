import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Db } from '../src/platform/db/database.ts';
import { jobTableCleanup } from '../src/platform/jobs/cleanup.ts';
import { createJobs, type Jobs } from '../src/platform/jobs/service.ts';
import { ownerQuery } from './support/jobs.ts';
import { testConfig, testDatabaseUrl, testDb } from './support/platform.ts';

const run = promisify(execFile);

async function cli(...args: string[]): Promise<{ code: number; out: string }> {
  const env = { ...process.env, APP_PROFILE: 'test', DATABASE_URL: testDatabaseUrl(), LOG_LEVEL: 'error' };
  try {
    const { stdout } = await run(process.execPath, ['src/cli/jobs.ts', ...args], { env });
    return { code: 0, out: stdout };
  } catch (error) {
    const failed = error as { code: number; stdout: string; stderr: string };
    return { code: failed.code, out: failed.stdout + failed.stderr };
  }
}

describe('npm run jobs', () => {
  let db: Db;
  let jobs: Jobs;
  let deadId: string;

  beforeAll(async () => {
    db = testDb();
    jobs = createJobs(db, testConfig().jobs, [jobTableCleanup]);
    const jobId = String(9_200_000_000 + Math.floor(Math.random() * 1e6));
    await jobs.deadJobs.record(
      {
        job_id: jobId,
        task: 'legacy.report',
        priority: 'LOW',
        payload_version: 1,
        payload: { v: 1, tenant_id: null, origin: { correlationId: 'req-cli' }, data: {} },
        tenant_id: null,
        correlation_id: 'req-cli',
        reason: 'exhausted',
        attempts: 5,
        max_attempts: 5,
        last_error: 'Error: upstream timeout',
      },
      new Date(),
    );
    deadId = (await ownerQuery<{ id: string }>('select id::text from dead_jobs where job_id = $1', [jobId]))[0]!.id;
  });
  afterAll(() => db.close());

  it('lists, shows and deletes dead jobs', async () => {
    const list = await cli('list', 'legacy.report');
    expect(list).toMatchObject({ code: 0, out: expect.stringContaining('Error: upstream timeout') });
    const show = await cli('show', deadId);
    expect(JSON.parse(show.out)).toMatchObject({ id: deadId, correlation_id: 'req-cli', errors: [{ attempt: 5 }] });
    expect(await cli('requeue', deadId)).toMatchObject({ code: 1, out: expect.stringContaining('Unknown task') });
    expect(await cli('delete', deadId)).toMatchObject({ code: 0 });
    expect(await cli('show', deadId)).toMatchObject({ code: 1, out: expect.stringContaining(`no dead job ${deadId}`) });
  }, 90_000);

  it('refuses bad arguments with usage and exit code 2', async () => {
    expect(await cli('show', 'abc')).toMatchObject({ code: 2, out: expect.stringContaining('usage: npm run jobs') });
    expect(await cli('pause', 'store', 'x')).toMatchObject({ code: 2 });
    expect(await cli('frobnicate')).toMatchObject({ code: 2 });
  }, 90_000);
});
