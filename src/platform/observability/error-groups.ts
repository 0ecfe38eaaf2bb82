import { type ColumnType, type Selectable, sql } from 'kysely';
import type { Db } from '../db/database.ts';
import type { ErrorFingerprint } from './error-fingerprint.ts';

export interface ErrorGroupsTable {
  fingerprint: string;
  error_type: string;
  message: string;
  top_frames: string[];
  endpoint: string;
  first_seen: ColumnType<Date, Date | undefined, Date>;
  last_seen: ColumnType<Date, Date | undefined, Date>;
  count: ColumnType<string, never, string>;
  sample_request_id: string;
}

declare module '../db/schema.ts' {
  interface Database {
    error_groups: ErrorGroupsTable;
  }
}

export type ErrorGroup = Selectable<ErrorGroupsTable>;

let lastOccurrenceMicros = 0;

/** Now in microseconds since the epoch, strictly increasing within the process. */
export function occurrenceMicros(): number {
  lastOccurrenceMicros = Math.max(Math.floor((performance.timeOrigin + performance.now()) * 1000), lastOccurrenceMicros + 1);
  return lastOccurrenceMicros;
}

/**
 * Counts one occurrence: a new group, or first_seen kept and last_seen, count and sample moved on. Writes are
 * not awaited by the request, so two occurrences may arrive out of order: the time of the occurrence (not of
 * the write) decides which one is the latest sample.
 */
export async function recordErrorGroup(
  db: Db,
  error: ErrorFingerprint,
  occurrence: { endpoint: string; requestId: string; atMicros?: number },
): Promise<void> {
  const seenAt = sql<Date>`to_timestamp(${occurrence.atMicros ?? occurrenceMicros()}::double precision / 1000000)`;
  await db.kysely
    .insertInto('error_groups')
    .values({
      fingerprint: error.fingerprint,
      error_type: error.errorType.slice(0, 200),
      message: error.message,
      top_frames: error.topFrames,
      endpoint: occurrence.endpoint.slice(0, 500),
      sample_request_id: occurrence.requestId,
      first_seen: seenAt,
      last_seen: seenAt,
    })
    .onConflict((conflict) =>
      conflict.column('fingerprint').doUpdateSet({
        count: sql<string>`error_groups.count + 1`,
        first_seen: sql<Date>`least(error_groups.first_seen, excluded.first_seen)`,
        last_seen: sql<Date>`greatest(error_groups.last_seen, excluded.last_seen)`,
        endpoint: sql<string>`case when excluded.last_seen >= error_groups.last_seen then excluded.endpoint else error_groups.endpoint end`,
        sample_request_id: sql<string>`case when excluded.last_seen >= error_groups.last_seen then excluded.sample_request_id else error_groups.sample_request_id end`,
      }),
    )
    .execute();
}

/** The console's "top errors": the groups seen most recently, most frequent first. */
export function topErrorGroups(db: Db, options: { since: Date; limit: number }): Promise<ErrorGroup[]> {
  return db.kysely
    .selectFrom('error_groups')
    .selectAll()
    .where('last_seen', '>=', options.since)
    .orderBy('count', 'desc')
    .orderBy('last_seen', 'desc')
    .limit(options.limit)
    .execute();
}
