/**
 * `npm run platform -- stores <command>`: onboarding, plan changes and suspension from a shell, against
 * DATABASE_URL (or the embedded server). Each change is the same audited platform command as in the console;
 * the actor is `cli:<os user>`.
 */
import { userInfo } from 'node:os';
import { parseArgs } from 'node:util';
import { storeList } from '../modules/platform-admin/index.ts';
import { type TenantPlan, changePlan, onboardStore, resumeStore, suspendStore } from '../modules/tenancy/index.ts';
import { loadConfig } from '../platform/config/config.ts';
import { type Db, createDb } from '../platform/db/database.ts';
import { openOwnerDatabase } from '../platform/db/owner.ts';
import { HttpProblem } from '../platform/http/problem.ts';
import { configureLogging, flushLogs } from '../platform/observability/logger.ts';

const USAGE = `usage: npm run platform -- stores <command> [--reason <why>] [--ticket <id>]
  list [search]                          stores, newest first (50)
  create <subdomain> <name> [--plan p]   onboard a store (plan: free, starter, growth, enterprise)
  plan <store-id> <plan>                 change a store's plan
  suspend <store-id>                     503 on every host of the store
  resume <store-id>                      serve the store again`;

class UsageError extends Error {}
const PLANS: readonly string[] = ['free', 'starter', 'growth', 'enterprise'];

function plan(value: string | undefined): TenantPlan {
  if (!value || !PLANS.includes(value)) throw new UsageError(`expected a plan (${PLANS.join(', ')}), got ${JSON.stringify(value ?? '')}`);
  return value as TenantPlan;
}

async function run(db: Db, argv: string[]): Promise<void> {
  const { positionals, values } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: { reason: { type: 'string' }, ticket: { type: 'string' }, plan: { type: 'string' } },
  });
  const [scope, command, ...args] = positionals;
  if (scope !== 'stores') throw new UsageError(scope ? `unknown scope ${scope}` : 'no command');
  if (command === 'list') {
    for (const store of (await storeList(db, { search: args[0], limit: 50 })).items) {
      console.log([store.id, store.subdomain, store.status, store.plan, store.name].join('  '));
    }
    return;
  }
  if (!values.reason) throw new UsageError('--reason is required: every change is an audited platform command');
  const audit = { actor: `cli:${userInfo().username}`, reason: values.reason, ...(values.ticket ? { ticket: values.ticket } : {}) };
  const [target, argument] = args;
  if (!target) throw new UsageError('expected a subdomain or store id');
  const print = (value: unknown) => console.log(JSON.stringify(value, null, 2));
  switch (command) {
    case 'create': {
      if (!argument) throw new UsageError('expected the store name');
      print(await onboardStore(db, { subdomain: target, name: argument, ...(values.plan ? { plan: plan(values.plan) } : {}), ...audit }));
      return;
    }
    case 'plan':
      print(await changePlan(db, { tenantId: target, plan: plan(argument), ...audit }));
      return;
    case 'suspend':
      print(await suspendStore(db, { tenantId: target, ...audit }));
      return;
    case 'resume':
      print(await resumeStore(db, { tenantId: target, ...audit }));
      return;
    default:
      throw new UsageError(command ? `unknown command ${command}` : 'no command');
  }
}

async function main(argv: string[]): Promise<number> {
  const config = loadConfig();
  configureLogging(config);
  const owner = await openOwnerDatabase(config);
  const db = createDb({ ownerUrl: owner.url, appUrl: config.appDatabaseUrl, poolMax: 2, statementTimeoutMs: config.db.statementTimeoutMs });
  try {
    await run(db, argv);
    return 0;
  } catch (error) {
    if (error instanceof HttpProblem) {
      console.error(`${error.title}: ${error.message}`);
      return 1;
    }
    if (error instanceof UsageError || (error as { code?: string }).code?.startsWith('ERR_PARSE_ARGS')) {
      console.error(`${(error as Error).message}\n${USAGE}`);
      return 2;
    }
    throw error;
  } finally {
    await db.close();
    await owner.stop();
    flushLogs();
  }
}

process.exit(await main(process.argv.slice(2)));
