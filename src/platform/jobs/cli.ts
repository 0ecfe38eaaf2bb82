/**
 * `npm run jobs -- <command>`: dead jobs, pausing and queue depth from a shell, against DATABASE_URL (or the
 * embedded server when the application is not running). Same rules as the admin API. The entry point is
 * src/cli/jobs.ts, which passes the product's modules (their job definitions).
 */
import { loadConfig } from '../config/config.ts';
import { createDb } from '../db/database.ts';
import { openOwnerDatabase } from '../db/owner.ts';
import { HttpProblem } from '../http/problem.ts';
import { configureLogging, flushLogs } from '../observability/logger.ts';
import type { PlatformModule } from '../platform.ts';
import { jobDefinitions } from '../runtime/start.ts';
import { JobPayloadError } from './enqueue.ts';
import type { PauseKind } from './pausing.ts';
import { createJobs, type Jobs } from './service.ts';

const USAGE = `usage: npm run jobs -- <command>
  list [task]                 dead jobs, newest first (50)
  show <id>                   one dead job with payload and error history
  requeue <id> [payload-json] enqueue a dead job again, optionally with a fixed payload
  delete <id>                 delete a dead job
  pause task|tenant|job <target> [reason]
  resume task|tenant|job <target>
  paused                      what is paused
  queue                       waiting jobs per priority class`;

class UsageError extends Error {}

const ID = /^[1-9][0-9]{0,18}$/;
const id = (value: string | undefined) => {
  if (!value || !ID.test(value)) throw new UsageError(`expected a numeric id, got ${JSON.stringify(value ?? '')}`);
  return value;
};
const kind = (value: string | undefined): PauseKind => {
  if (value !== 'task' && value !== 'tenant' && value !== 'job') throw new UsageError('expected task, tenant or job');
  return value;
};
const print = (value: unknown) => console.log(JSON.stringify(value, null, 2));

async function run(jobs: Jobs, [command, ...args]: string[]): Promise<number> {
  switch (command) {
    case 'list': {
      const items = await jobs.deadJobs.list({ limit: 50, ...(args[0] ? { task: args[0] } : {}) });
      for (const job of items) {
        console.log([job.id, job.failed_at.toISOString(), job.task, job.priority, job.reason, job.tenant_id ?? '-', job.last_error.split('\n')[0]].join('  '));
      }
      if (items.length === 0) console.log('no dead jobs');
      return 0;
    }
    case 'show': {
      const job = await jobs.deadJobs.get(id(args[0]));
      if (!job) return notFound(`dead job ${args[0]}`);
      print(job);
      return 0;
    }
    case 'requeue': {
      let payload: unknown;
      if (args[1] !== undefined) {
        try {
          payload = JSON.parse(args[1]);
        } catch {
          throw new UsageError('the payload must be JSON');
        }
      }
      const result = await jobs.deadJobs.requeue(id(args[0]), payload);
      if (!result) return notFound(`dead job ${args[0]}`);
      console.log(`requeued as job ${result.jobId}`);
      return 0;
    }
    case 'delete':
      if (!(await jobs.deadJobs.delete(id(args[0])))) return notFound(`dead job ${args[0]}`);
      console.log('deleted');
      return 0;
    case 'pause': {
      const [what, target, reason = ''] = [kind(args[0]), args[1], args[2]];
      if (!target) throw new UsageError('expected a target');
      if (what === 'task') await jobs.pausing.pauseTask(target, reason);
      else if (what === 'tenant') await jobs.pausing.pauseTenant(target, reason);
      else if (!(await jobs.pausing.pauseJob(id(target), reason))) return notFound(`waiting job ${target}`);
      console.log(`paused ${what} ${target}`);
      return 0;
    }
    case 'resume': {
      const [what, target] = [kind(args[0]), args[1]];
      if (!target) throw new UsageError('expected a target');
      const resumed =
        what === 'task' ? await jobs.pausing.resumeTask(target) : what === 'tenant' ? await jobs.pausing.resumeTenant(target) : await jobs.pausing.resumeJob(id(target));
      if (!resumed) return notFound(`paused ${what} ${target}`);
      console.log(`resumed ${what} ${target}`);
      return 0;
    }
    case 'paused':
      print(await jobs.pausing.list());
      return 0;
    case 'queue': {
      const depth = await jobs.depth();
      print({ queued: depth.queued, due: depth.due, oldest_due_age_s: Math.round(depth.oldestDueAgeSeconds), dead_jobs: await jobs.deadJobs.count() });
      return 0;
    }
    default:
      throw new UsageError(command ? `unknown command ${command}` : 'no command');
  }
}

function notFound(what: string): number {
  console.error(`no ${what}`);
  return 1;
}

/** Runs one command of `argv` and returns the exit code. */
export async function jobsCli(modules: readonly PlatformModule[], argv: string[]): Promise<number> {
  const config = loadConfig();
  configureLogging(config);
  const owner = await openOwnerDatabase(config);
  const db = createDb({ ownerUrl: owner.url, appUrl: config.appDatabaseUrl, poolMax: 2, statementTimeoutMs: config.db.statementTimeoutMs });
  let code: number;
  try {
    code = await run(createJobs(db, config.jobs, jobDefinitions(modules)), argv);
  } catch (error) {
    if (error instanceof HttpProblem) {
      console.error(`${error.title}: ${error.message}`);
      code = 1;
    } else if (error instanceof UsageError || error instanceof JobPayloadError) {
      console.error(error instanceof UsageError ? `${error.message}\n${USAGE}` : error.message);
      code = 2;
    } else {
      throw error;
    }
  } finally {
    await db.close();
    await owner.stop();
    await flushLogs();
  }
  return code;
}
