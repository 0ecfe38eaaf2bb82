/**
 * `npm run platform -- stores|domains <command>`: onboarding, plan changes, suspension and custom domains from a shell, against
 * DATABASE_URL (or the embedded server). Each change is the same audited platform command as in the console;
 * the actor is `cli:<os user>`.
 */
import { userInfo } from 'node:os';
import { parseArgs } from 'node:util';
import { createStore, storeList } from '../modules/platform-admin/index.ts';
import {
  type TenantPlan,
  addDomainCommand,
  changePlan,
  listCustomDomains,
  removeDomainCommand,
  resumeStore,
  storeOrigin,
  suspendStore,
  txtResolverFromSetting,
  verifyDomainCommand,
} from '../modules/tenancy/index.ts';
import { type Config, loadConfig } from '../platform/config/config.ts';
import { type Db, createDb } from '../platform/db/database.ts';
import { openOwnerDatabase } from '../platform/db/owner.ts';
import { HttpProblem } from '../platform/http/problem.ts';
import { type Mail, createMail } from '../platform/mail/mail.ts';
import { configureLogging, flushLogs } from '../platform/observability/logger.ts';

const USAGE = `usage: npm run platform -- stores <command> [--reason <why>] [--ticket <id>]
  list [search]                          stores, newest first (50)
  create <subdomain> <name> --owner-email <e-mail> --owner-name <name> [--plan p]
                                         onboard a store (plan: free, starter, growth, enterprise) and e-mail
                                         its owner the link that sets a password
  plan <store-id> <plan>                 change a store's plan
  suspend <store-id>                     503 on every host of the store
  resume <store-id>                      serve the store again
       npm run platform -- domains <command> [--reason <why>] [--ticket <id>]
  show <store-id>                        the store's domains with the TXT record each must publish
  add <store-id> <hostname>              a pending custom domain (prints its TXT record)
  verify <store-id> <hostname>           check the TXT record; activates the domain when it matches
  remove <store-id> <hostname>           stop serving the store there`;

class UsageError extends Error {}
const PLANS: readonly string[] = ['free', 'starter', 'growth', 'enterprise'];

function plan(value: string | undefined): TenantPlan {
  if (!value || !PLANS.includes(value)) throw new UsageError(`expected a plan (${PLANS.join(', ')}), got ${JSON.stringify(value ?? '')}`);
  return value as TenantPlan;
}

async function domains(db: Db, config: Config, command: string | undefined, args: string[], values: { reason?: string | undefined; ticket?: string | undefined }): Promise<void> {
  const [tenantId, hostname] = args;
  if (!tenantId) throw new UsageError('expected a store id');
  const print = (value: unknown) => console.log(JSON.stringify(value, null, 2));
  if (command === 'show') return print(await listCustomDomains(db, tenantId));
  if (!hostname) throw new UsageError('expected a hostname');
  if (!values.reason) throw new UsageError('--reason is required: every change is an audited platform command');
  const change = { tenantId, hostname, actor: `cli:${userInfo().username}`, reason: values.reason, ...(values.ticket ? { ticket: values.ticket } : {}) };
  switch (command) {
    case 'add':
      return print(await addDomainCommand(db, config.platformDomain, change));
    case 'verify':
      return print(await verifyDomainCommand(db, txtResolverFromSetting(config.tenantGateway.dnsResolver), change));
    case 'remove':
      return print(await removeDomainCommand(db, change));
    default:
      throw new UsageError(command ? `unknown command ${command}` : 'no command');
  }
}

async function run(db: Db, mail: Mail, config: Config, argv: string[]): Promise<void> {
  const { positionals, values } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: { reason: { type: 'string' }, ticket: { type: 'string' }, plan: { type: 'string' }, 'owner-email': { type: 'string' }, 'owner-name': { type: 'string' } },
  });
  const [scope, command, ...args] = positionals;
  if (scope === 'domains') return domains(db, config, command, args, values);
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
      const email = values['owner-email'];
      const name = values['owner-name'];
      if (!email || !/^[^@\s]+@[^@\s]+$/.test(email) || !name) throw new UsageError('--owner-email and --owner-name are required: the owner is invited by e-mail');
      const origin = (subdomain: string) => storeOrigin(config, subdomain);
      const created = await createStore(db, mail, origin, { subdomain: target, name: argument, owner: { email, name }, ...(values.plan ? { plan: plan(values.plan) } : {}), ...audit });
      print(created);
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
  const mail = createMail(config.mail, db);
  try {
    await run(db, mail, config, argv);
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
    await mail.stop();
    await db.close();
    await owner.stop();
    await flushLogs();
  }
}

process.exit(await main(process.argv.slice(2)));
