import { AsyncLocalStorage } from 'node:async_hooks';
import {
  CompiledQuery,
  type DatabaseConnection,
  type Kysely,
  PostgresDialect,
  type PostgresDialectConfig,
  PostgresDriver,
  type QueryResult,
  type TransactionSettings,
} from 'kysely';
import type { Tx } from './database.ts';
import type { Database } from './schema.ts';

/** The settings statement of the transaction being opened; taken once, by that transaction's BEGIN. */
interface PendingSetup {
  statement: string | undefined;
}
const pending = new AsyncLocalStorage<PendingSetup>();

/** The driver's own connection class (not exported by Kysely): what the pool hands out. */
type PostgresConnection = Parameters<PostgresDriver['rollbackTransaction']>[0];

/** Sends a transaction's opening (or closing) statement on the pool connection. */
type Open = (connection: PostgresConnection) => Promise<void>;

/**
 * What Kysely holds for a query or a transaction: a pool connection taken at the first statement, with the
 * transaction's BEGIN sent just before that statement. A transaction that issues no statement takes no connection
 * and sends nothing, not even its COMMIT.
 */
class LazyConnection implements DatabaseConnection {
  readonly #acquire: () => Promise<PostgresConnection>;
  #connection: Promise<PostgresConnection> | undefined;
  /** The open transaction: how to send its BEGIN and, once the first statement asked for it, that sending. */
  #transaction: { open: Open; sent?: Promise<void>; ended?: true } | undefined;

  constructor(acquire: () => Promise<PostgresConnection>) {
    this.#acquire = acquire;
  }

  begin(open: Open): void {
    this.#transaction = { open };
  }

  async executeQuery<R>(query: CompiledQuery): Promise<QueryResult<R>> {
    return (await this.#ready()).executeQuery<R>(query);
  }

  async *streamQuery<R>(query: CompiledQuery, chunkSize: number): AsyncIterableIterator<QueryResult<R>> {
    yield* (await this.#ready()).streamQuery<R>(query, chunkSize);
  }

  /** Ends a begun transaction with `end`; a BEGIN that failed fails the commit too (the caller may have caught it). */
  commit(end: Open): Promise<void> {
    return this.#end(end, true);
  }

  /** Ends a begun transaction with `end`; after a failed BEGIN there is nothing to roll back (it rolled back itself). */
  rollback(end: Open): Promise<void> {
    return this.#end(end, false);
  }

  /** The pool connection, if one was taken. */
  taken(): Promise<PostgresConnection | undefined> | undefined {
    return this.#connection?.catch(() => undefined);
  }

  async #ready(): Promise<PostgresConnection> {
    const transaction = this.#transaction;
    this.#connection ??= this.#acquire();
    const connection = await this.#connection;
    if (transaction) {
      // Shared: statements issued at once (Promise.all in a unit of work) wait for one BEGIN.
      if (!transaction.ended) transaction.sent ??= transaction.open(connection);
      await transaction.sent;
      // A statement still waiting when its unit of work ended (a job's timeout) must not run outside it.
      if (transaction.ended) throw new Error('the transaction ended before this statement was sent');
    }
    return connection;
  }

  async #end(end: Open, failWithBegin: boolean): Promise<void> {
    const transaction = this.#transaction;
    this.#transaction = undefined;
    if (transaction) transaction.ended = true;
    const sent = transaction?.sent;
    if (!sent) return;
    try {
      await sent;
    } catch (error) {
      if (failWithBegin) throw error;
      return;
    }
    await end(await this.#connection!);
  }
}

/**
 * Opens a transaction at its first statement, with its settings in the BEGIN's round trip: `begin; <setup>` as one
 * simple query (no parameters, so the setup statement carries its values as literals). A transaction opened outside
 * `transactionWithSetup` sends a plain BEGIN, as late.
 */
class SetupDriver extends PostgresDriver {
  override async acquireConnection(): Promise<DatabaseConnection> {
    return new LazyConnection(() => super.acquireConnection() as Promise<PostgresConnection>);
  }

  override async releaseConnection(connection: DatabaseConnection): Promise<void> {
    const taken = await (connection as LazyConnection).taken();
    if (taken) await super.releaseConnection(taken);
  }

  override async beginTransaction(connection: DatabaseConnection, settings: TransactionSettings): Promise<void> {
    const setup = pending.getStore();
    const statement = setup?.statement;
    const plain = statement === undefined || settings.isolationLevel || settings.accessMode;
    if (!plain) setup!.statement = undefined;
    (connection as LazyConnection).begin(async (pooled) => {
      try {
        if (plain) await super.beginTransaction(pooled, settings);
        else await pooled.executeQuery(CompiledQuery.raw(`begin; ${statement}`));
      } catch (error) {
        // BEGIN may have run before the setup failed: the connection goes back to the pool outside any transaction
        // (a failed rollback discards the connection).
        await super.rollbackTransaction(pooled).catch(() => {});
        throw error;
      }
    });
  }

  override commitTransaction(connection: DatabaseConnection): Promise<void> {
    return (connection as LazyConnection).commit((pooled) => super.commitTransaction(pooled));
  }

  override rollbackTransaction(connection: DatabaseConnection): Promise<void> {
    return (connection as LazyConnection).rollback((pooled) => super.rollbackTransaction(pooled));
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
 * Runs `fn` in a transaction of `kysely` (built on `SetupDialect`) whose BEGIN carries `statement`, one round trip
 * for both, sent with the transaction's first statement. `statement` is sent as it is: every value in it must
 * already be a checked or escaped literal.
 */
export function transactionWithSetup<T>(kysely: Kysely<Database>, statement: string, fn: (trx: Tx) => Promise<T>): Promise<T> {
  return pending.run({ statement }, () => kysely.transaction().execute(fn));
}
