import { createHash } from 'node:crypto';
import type { FastifyRequest } from 'fastify';
import { sql } from 'kysely';
import type { Tx } from '../db/database.ts';
import type { AuditColumns } from '../db/schema.ts';
import { HttpProblem } from './problem.ts';

interface IdempotencyKeysTable extends AuditColumns {
  tenant_id: string;
  key: string;
  fingerprint: string;
  status_code: number | null;
  response: unknown;
}

declare module '../db/schema.ts' {
  interface Database {
    idempotency_keys: IdempotencyKeysTable;
  }
}

export interface StoredResponse<T> {
  status: number;
  body: T;
  replayed: boolean;
}

const KEY = /^[\x21-\x7e]{1,255}$/;

/**
 * Runs a write at most once per `Idempotency-Key` (per tenant), inside the caller's unit of work: the key is
 * inserted first, so a concurrent request with the same key waits on the row lock and then replays the stored
 * response; a rolled-back write leaves no key behind. The same key with another method, path or body is a 422.
 * Without the header the write simply runs.
 */
export async function idempotent<T>(
  trx: Tx,
  tenantId: string,
  request: FastifyRequest,
  write: () => Promise<{ status: number; body: T }>,
): Promise<StoredResponse<T>> {
  const header = request.headers['idempotency-key'];
  if (header === undefined) return { ...(await write()), replayed: false };
  if (typeof header !== 'string' || !KEY.test(header)) {
    throw new HttpProblem(400, 'Invalid Idempotency-Key', 'Idempotency-Key must be 1-255 visible ASCII characters.');
  }
  const fingerprint = createHash('sha256')
    .update(`${request.method} ${request.url.split('?')[0]}\n${JSON.stringify(request.body ?? null)}`)
    .digest('base64url');
  const claimed = await trx
    .insertInto('idempotency_keys')
    .values({ tenant_id: tenantId, key: header, fingerprint, status_code: null, response: null })
    .onConflict((oc) => oc.doNothing())
    .returning('key')
    .executeTakeFirst();
  if (!claimed) {
    const stored = await trx
      .selectFrom('idempotency_keys')
      .select(['fingerprint', 'status_code', 'response'])
      .where('key', '=', header)
      .executeTakeFirstOrThrow();
    if (stored.fingerprint !== fingerprint) {
      throw new HttpProblem(422, 'Idempotency-Key reused', 'This Idempotency-Key was used with a different request.');
    }
    return { status: stored.status_code ?? 200, body: stored.response as T, replayed: true };
  }
  const result = await write();
  await trx
    .updateTable('idempotency_keys')
    .set({ status_code: result.status, response: sql`${JSON.stringify(result.body ?? null)}::jsonb` })
    .where('key', '=', header)
    .execute();
  return { ...result, replayed: false };
}
