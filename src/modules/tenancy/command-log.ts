import { sql } from 'kysely';
import type { Db } from '../../platform/db/database.ts';
import type { PlatformCommand } from './repository.ts';

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
