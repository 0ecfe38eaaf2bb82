import { randomUUID } from 'node:crypto';
import { ownerClient, testDatabaseUrl } from './platform.ts';

/**
 * Side effects of test jobs: one row per run, written by the job in its unit of work, so tests count what
 * really happened. No tenant_id column (the RLS coverage test would rightly ask for a policy): `tenant`.
 */
export async function createEffectsTable(): Promise<void> {
  const client = await ownerClient();
  try {
    await client.query(`create table if not exists job_test_effects (
      task text not null, n int, attempt int, tenant text, correlation_id text, user_id text, trace_id text, pid int,
      at timestamptz default now())`);
  } catch (error) {
    // Two test files creating it at once: the loser sees a duplicate; the table is there either way.
    if ((error as { code?: string }).code !== '23505') throw error;
  } finally {
    await client.end();
  }
}

export async function ownerQuery<R extends Record<string, unknown>>(text: string, values: unknown[] = []): Promise<R[]> {
  const client = await ownerClient(testDatabaseUrl());
  try {
    return (await client.query<R>(text, values)).rows;
  } finally {
    await client.end();
  }
}

/** A job-name prefix unique to one test file, so parallel files never run each other's jobs. */
export const uniquePrefix = (label: string) => `${label}${randomUUID().replaceAll('-', '').slice(0, 8)}`;

export async function waitFor<T>(probe: () => Promise<T | undefined | false>, what: string, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

/** Skips graphile-worker's retry backoff (seconds, growing) for the given task: the retry is due now. */
export async function makeRetriesDue(task: string): Promise<void> {
  await ownerQuery(
    `update graphile_worker._private_jobs j set run_at = now() from graphile_worker._private_tasks t
      where t.id = j.task_id and t.identifier = $1 and j.locked_at is null`,
    [task],
  );
}

export async function deleteJobs(task: string): Promise<void> {
  await ownerQuery(
    `delete from graphile_worker._private_jobs j using graphile_worker._private_tasks t where t.id = j.task_id and t.identifier = $1`,
    [task],
  );
}

export async function queuedJobs(task: string): Promise<number> {
  const rows = await ownerQuery<{ count: string }>(`select count(*) from graphile_worker.jobs where task_identifier = $1`, [task]);
  return Number(rows[0]!.count);
}

export async function effects(task: string): Promise<Record<string, unknown>[]> {
  return ownerQuery(`select * from job_test_effects where task = $1 order by at`, [task]);
}
