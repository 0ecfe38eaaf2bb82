import { sql } from 'kysely';
import type { Db, Tx } from '../../platform/db/database.ts';
import { HttpProblem } from '../../platform/http/problem.ts';
import type { PlatformCommand } from './repository.ts';

/** Who changes which store, and why: the row every platform command writes. */
export interface StoreCommand {
  tenantId: string;
  actor: string;
  reason: string;
  ticket?: string | undefined;
}

/**
 * A change to one store and its `platform_commands` row in one transaction, speaking as the platform and as the
 * store (so tenant-scoped rows pass row-level security). 404 when the store does not exist.
 */
export function asStoreCommand<T>(db: Db, command: StoreCommand, name: string, change: (trx: Tx, store: { id: string; name: string; subdomain: string }) => Promise<T>) {
  return db.withPlatform(async (trx) => {
    const store = await trx.selectFrom('tenants').select(['id', 'name', 'subdomain']).where('id', '=', command.tenantId).executeTakeFirst();
    if (!store) throw new HttpProblem(404, 'Store not found', `No store has the id ${command.tenantId}.`);
    await sql`select set_config('app.tenant_id', ${command.tenantId}, true)`.execute(trx);
    const result = await change(trx, store);
    const recorded: PlatformCommand = await trx
      .insertInto('platform_commands')
      .values({ tenant_id: command.tenantId, command: name, actor: command.actor, reason: command.reason, ticket: command.ticket ?? null })
      .returningAll()
      .executeTakeFirstOrThrow();
    return { result, command: recorded };
  });
}

/** Position after a command in the log: its time as PostgreSQL prints it (microseconds) and its id. */
export interface CommandCursor {
  at: string;
  id: string;
}

/**
 * The platform command log across the fleet (or one store), newest first, one page past `after`. Every door
 * (console, HTTP API, CLI) writes the same table, so this is the whole audit of fleet changes.
 */
export function listPlatformCommands(
  db: Db,
  filter: { tenantId?: string | undefined; command?: string | undefined; after?: CommandCursor | undefined; limit: number },
): Promise<(PlatformCommand & { cursor_at: string })[]> {
  return db.withPlatform((trx) => {
    let query = trx
      .selectFrom('platform_commands')
      .selectAll()
      .select(sql<string>`to_char(at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')`.as('cursor_at'));
    if (filter.tenantId) query = query.where('tenant_id', '=', filter.tenantId);
    if (filter.command) query = query.where('command', '=', filter.command);
    const after = filter.after;
    if (after) query = query.where((eb) => eb(eb.refTuple('at', 'id'), '<', eb.tuple(sql<Date>`${after.at}::timestamptz`, after.id)));
    return query.orderBy('at', 'desc').orderBy('id', 'desc').limit(filter.limit).execute();
  });
}
