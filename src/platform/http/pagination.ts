import { Type } from 'typebox';
import { HttpProblem } from './problem.ts';

export interface Page<T> {
  items: T[];
  /** Opaque; pass as `cursor` for the next page. Null on the last page. */
  next_cursor: string | null;
}

export const pageSchema = <T extends Parameters<typeof Type.Array>[0]>(item: T) =>
  Type.Object({ items: Type.Array(item), next_cursor: Type.Union([Type.String(), Type.Null()]) });

/** Cursors are opaque to clients: the last key seen, base64url-encoded. */
function encodeCursor(key: string): string {
  return Buffer.from(key, 'utf8').toString('base64url');
}

export function decodeCursor(cursor: string | undefined, valid: (key: string) => boolean): string | undefined {
  if (cursor === undefined) return undefined;
  const key = Buffer.from(cursor, 'base64url').toString('utf8');
  if (!valid(key)) throw new HttpProblem(400, 'Invalid cursor', 'The cursor is not one this list returned.');
  return key;
}

/** Takes `limit + 1` rows from a keyset query and turns them into a page. */
export function toPage<T>(rows: T[], limit: number, keyOf: (row: T) => string): Page<T> {
  const items = rows.slice(0, limit);
  const last = items.at(-1);
  return { items, next_cursor: rows.length > limit && last ? encodeCursor(keyOf(last)) : null };
}
