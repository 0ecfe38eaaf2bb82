import { sql } from 'kysely';
import Type from 'typebox';
import type { Tx } from '../../src/platform/db/database.ts';
import { defineJob, type JobDefinition, type JobRunContext } from '../../src/platform/jobs/definitions.ts';

const N = Type.Object({ n: Type.Integer() });

const recordEffect = (trx: Tx, task: string, n: number, context: JobRunContext) =>
  sql`insert into job_test_effects (task, n, attempt, pid) values (${task}, ${n}, ${context.attempt}, ${process.pid})`.execute(trx);

/** The jobs of the worker-process tests; `prefix` keeps them apart from other test files' jobs. */
export function processJobs(prefix: string) {
  const count = defineJob({
    name: `${prefix}.count`,
    version: 1,
    payload: N,
    priority: 'DEFAULT',
    maxAttempts: 3,
    timeoutMs: 10_000,
    scope: 'platform',
    async run({ n }, context) {
      // A little work per job, so that neither process can drain the queue before the other joins in.
      await new Promise((resolve) => setTimeout(resolve, 10));
      await recordEffect(context.trx, `${prefix}.count`, n, context);
    },
  });
  /** Its first attempt says so on stdout and then hangs, for the test to kill the process mid-job. */
  const stall = defineJob({
    name: `${prefix}.stall`,
    version: 1,
    payload: N,
    priority: 'DEFAULT',
    maxAttempts: 3,
    timeoutMs: 60_000,
    scope: 'platform',
    async run({ n }, context) {
      if (context.attempt === 1) {
        console.log(`started ${context.jobId}`);
        await new Promise((_resolve, reject) => context.signal.addEventListener('abort', () => reject(context.signal.reason)));
      }
      await recordEffect(context.trx, `${prefix}.stall`, n, context);
    },
  });
  return { count, stall, all: [count, stall] as JobDefinition<never>[] };
}
