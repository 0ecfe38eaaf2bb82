import { AsyncLocalStorage } from 'node:async_hooks';
import { CompiledQuery, type DatabaseConnection, type Kysely, PostgresDialect, type PostgresDialectConfig, PostgresDriver, type TransactionSettings } from 'kysely';
import type { Tx } from './database.ts';
import type { Database } from './schema.ts';

/** The settings statement of the transaction being opened; taken once, by that transaction's BEGIN. */
interface PendingSetup {
  statement: string | undefined;
}
const pending = new AsyncLocalStorage<PendingSetup>();

/** The driver's own connection class (not exported by Kysely): what `acquireConnection` handed out. */
type PostgresConnection = Parameters<PostgresDriver['rollbackTransaction']>[0];

/**
 * Opens transactions with their settings in the same round trip: `begin; <setup>` as one simple query (no
 * parameters, so the setup statement carries its values as literals). A transaction opened outside
 * `transactionWithSetup` sends a plain BEGIN.
 */
class SetupDriver extends PostgresDriver {
  override async beginTransaction(connection: DatabaseConnection, settings: TransactionSettings): Promise<void> {
    const setup = pending.getStore();
    const statement = setup?.statement;
    if (statement === undefined || settings.isolationLevel || settings.accessMode) return super.beginTransaction(connection, settings);
    setup!.statement = undefined;
    try {
      await connection.executeQuery(CompiledQuery.raw(`begin; ${statement}`));
    } catch (error) {
      // BEGIN may have run before the setup failed: the connection goes back to the pool outside any transaction
      // (Kysely only rolls back transactions whose begin succeeded; a failed rollback discards the connection).
      await this.rollbackTransaction(connection as PostgresConnection).catch(() => {});
      throw error;
    }
  }
}

export class SetupDialect extends PostgresDialect {
  readonly #config: PostgresDialectConfig;
  constructor(config: PostgresDialectConfig) {
    super(config);
    this.#config = config;
  }
  override createDriver(): PostgresDriver {
    return new SetupDriver(this.#config);
  }
}

/**
 * Runs `fn` in a transaction of `kysely` (built on `SetupDialect`) whose BEGIN carries `statement`, one round
 * trip for both. `statement` is sent as it is: every value in it must already be a checked or escaped literal.
 */
export function transactionWithSetup<T>(kysely: Kysely<Database>, statement: string, fn: (trx: Tx) => Promise<T>): Promise<T> {
  return pending.run({ statement }, () => kysely.transaction().execute(fn));
}
