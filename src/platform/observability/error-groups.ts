import { type ColumnType, type Selectable, sql } from 'kysely';
import type { Db } from '../db/database.ts';
import type { ErrorFingerprint } from './error-fingerprint.ts';

export interface ErrorGroupsTable {
  fingerprint: string;
  error_type: string;
  message: string;
  top_frames: string[];
  endpoint: string;
  first_seen: ColumnType<Date, never, never>;
  last_seen: ColumnType<Date, never, Date>;
  count: ColumnType<string, never, string>;
  sample_request_id: string;
}

declare module '../db/schema.ts' {
  interface Database {
    error_groups: ErrorGroupsTable;
  }
}

export type ErrorGroup = Selectable<ErrorGroupsTable>;

/** Counts one occurrence: a new group, or first_seen kept and last_seen, count and sample moved on. */
export async function recordErrorGroup(db: Db, error: ErrorFingerprint, occurrence: { endpoint: string; requestId: string }): Promise<void> {
  await db.kysely
    .insertInto('error_groups')
    .values({
      fingerprint: error.fingerprint,
      error_type: error.errorType.slice(0, 200),
      message: error.message,
      top_frames: error.topFrames,
      endpoint: occurrence.endpoint.slice(0, 500),
      sample_request_id: occurrence.requestId,
    })
    .onConflict((conflict) =>
      conflict.column('fingerprint').doUpdateSet({
        count: sql<string>`error_groups.count + 1`,
        last_seen: sql<Date>`now()`,
        endpoint: (eb) => eb.ref('excluded.endpoint'),
        sample_request_id: (eb) => eb.ref('excluded.sample_request_id'),
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
