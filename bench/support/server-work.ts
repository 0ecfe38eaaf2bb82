import type pg from 'pg';

/** What PostgreSQL did for one database, summed over its statements in pg_stat_statements. */
export interface ServerWork {
  calls: number;
  exec_ms: number;
  shared_blocks: number;
  dirtied_blocks: number;
}

/**
 * The totals of `client`'s database in pg_stat_statements (nested statements, such as triggers', count in their
 * caller's; these reads themselves left out), or why there are none (the extension is not preloaded).
 */
export async function serverWork(client: pg.Client): Promise<ServerWork | string> {
  try {
    const { rows } = await client.query<ServerWork>(
      `select coalesce(sum(calls), 0)::float8 as calls, coalesce(sum(total_exec_time), 0)::float8 as exec_ms,
              coalesce(sum(shared_blks_hit + shared_blks_read), 0)::float8 as shared_blocks,
              coalesce(sum(shared_blks_dirtied), 0)::float8 as dirtied_blocks
         from pg_stat_statements where dbid = (select oid from pg_database where datname = current_database()) and query not like '%pg_stat_statements%'`,
    );
    return rows[0]!;
  } catch (error) {
    return (error as Error).message;
  }
}
