import type pg from 'pg';
import { contextComment, withComment } from './sql-comment.ts';
import { dbQueryDuration, watchPool } from './telemetry.ts';

const OPERATIONS = new Set(['select', 'insert', 'update', 'delete', 'with', 'begin', 'commit', 'rollback', 'set', 'savepoint', 'release']);

function operationOf(text: string | undefined): string {
  const keyword = text?.trimStart().slice(0, 10).split(/[\s(]/, 1)[0]?.toLowerCase() ?? '';
  return OPERATIONS.has(keyword) ? keyword : 'other';
}

type QueryArgument = string | { text?: string; name?: string; submit?: unknown } | undefined;

/** Adds the context comment; named prepared statements and streams (cursors) are left as they are. */
function commented(query: QueryArgument): QueryArgument {
  const comment = contextComment();
  if (!comment) return query;
  if (typeof query === 'string') return withComment(query, comment);
  if (query && typeof query.text === 'string' && query.name === undefined && query.submit === undefined) {
    return { ...query, text: withComment(query.text, comment) };
  }
  return query;
}

/** Every query of the pool's clients carries the SQL comment and lands in the query duration histogram. */
function observeClient(client: pg.PoolClient): void {
  const query = client.query as (...args: unknown[]) => unknown;
  client.query = function observedQuery(this: pg.PoolClient, ...args: unknown[]) {
    const text = typeof args[0] === 'string' ? args[0] : (args[0] as { text?: string } | undefined)?.text;
    args[0] = commented(args[0] as QueryArgument);
    const stop = dbQueryDuration.startTimer({ operation: operationOf(text) });
    const last = args.length - 1;
    const callback = args[last];
    if (typeof callback === 'function') {
      args[last] = (...results: unknown[]) => {
        stop();
        return callback(...results);
      };
      return query.apply(this, args);
    }
    const result = query.apply(this, args);
    if (result instanceof Promise) result.then(() => stop(), () => stop());
    return result;
  } as typeof client.query;
}

/** Instruments a pool: SQL comments and query durations on its clients, its sizes in the pool gauges. */
export function observePool(pool: pg.Pool, name: string): () => void {
  pool.on('connect', observeClient);
  return watchPool(pool, name);
}
