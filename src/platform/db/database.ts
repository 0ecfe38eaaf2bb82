import { Kysely, type Transaction } from 'kysely';
import pg from 'pg';
import { currentContext } from '../observability/context.ts';
import { observePool } from './observed-pool.ts';
import type { Database } from './schema.ts';
import { SetupDialect, transactionWithSetup } from './transaction-setup.ts';

/** The role every request and job runs as: no BYPASSRLS, not a table owner, so row-level security applies. */
export const APP_ROLE = 'storefront_app';

export type Tx = Transaction<Database>;

export interface Db {
  pool: pg.Pool;
  /** Query builder on the application pool. Tenant-scoped tables show no rows outside `withTenant`. */
  kysely: Kysely<Database>;
  /**
   * The unit of work: runs `fn` in a transaction that set `app.tenant_id` locally (in the BEGIN's round trip), opened
   * at `fn`'s first statement: one that issues none sends nothing.
   */
  withTenant<T>(tenantId: string, fn: (trx: Tx) => Promise<T>): Promise<T>;
  /** Platform-wide work (platform console, cross-tenant jobs): a transaction flagged `app.platform = on`. */
  withPlatform<T>(fn: (trx: Tx) => Promise<T>): Promise<T>;
  close(): Promise<void>;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export class TenantIdError extends Error {
  constructor(value: string) {
    super(`not a tenant id: ${JSON.stringify(value).slice(0, 60)}`);
    this.name = 'TenantIdError';
  }
}

export interface DbOptions {
  /** Owner connection; used with `SET ROLE storefront_app` when no application URL is given. */
  ownerUrl: string | undefined;
  appUrl?: string | undefined;
  poolMax: number;
  statementTimeoutMs: number;
}

/**
 * A session that sits idle inside an open transaction, or waits on a lock, holds a pool connection and blocks
 * others; both are bounded (lock waits by a fraction of the statement timeout, so the caller can answer first).
 */
function sessionTimeouts(statementTimeoutMs: number): string[] {
  const lockTimeoutMs = statementTimeoutMs === 0 ? 5_000 : Math.max(1, Math.min(5_000, Math.floor(statementTimeoutMs / 3)));
  return [`-c lock_timeout=${lockTimeoutMs}`, '-c idle_in_transaction_session_timeout=30000'];
}

export function createDb(options: DbOptions): Db {
  const connectionString = options.appUrl ?? options.ownerUrl;
  if (!connectionString) throw new Error('createDb needs an application or an owner connection URL');
  const startup = [`-c statement_timeout=${options.statementTimeoutMs}`, ...sessionTimeouts(options.statementTimeoutMs)];
  if (!options.appUrl) startup.push(`-c role=${APP_ROLE}`);
  const pool = new pg.Pool({
    connectionString,
    max: options.poolMax,
    options: startup.join(' '),
    connectionTimeoutMillis: 5_000,
    idleTimeoutMillis: 30_000,
    application_name: 'village-storefront',
  });
  // A client losing its server (restart, failover, the server shutting down under running work) must not crash the
  // process: idle ones are replaced by the pool; a checked-out one between queries fails its next query.
  pool.on('error', () => {});
  pool.on('connect', (client) => client.on('error', () => {}));
  const unobserve = observePool(pool, 'app');
  const kysely = new Kysely<Database>({ dialect: new SetupDialect({ pool }) });

  // Literals, not parameters: the settings ride on BEGIN in one simple query (see transaction-setup.ts).
  const actor = () => pg.escapeLiteral(currentContext()?.userId ?? '');

  return {
    pool,
    kysely,
    withTenant(tenantId, fn) {
      if (!UUID.test(tenantId)) return Promise.reject(new TenantIdError(tenantId));
      // A checked UUID: nothing in it needs quoting.
      return transactionWithSetup(kysely, `select set_config('app.tenant_id', '${tenantId}', true), set_config('app.user_id', ${actor()}, true)`, fn);
    },
    withPlatform(fn) {
      return transactionWithSetup(kysely, `select set_config('app.platform', 'on', true), set_config('app.user_id', ${actor()}, true)`, fn);
    },
    close: async () => {
      unobserve();
      await kysely.destroy();
    },
  };
}
