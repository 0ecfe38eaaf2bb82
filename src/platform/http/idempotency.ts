import { createHash } from 'node:crypto';
import type { FastifyRequest } from 'fastify';
import { sql } from 'kysely';
import type { Tx } from '../db/database.ts';
import type { AuditColumns } from '../db/schema.ts';
import { HttpProblem } from './problem.ts';

interface IdempotencyKeysTable extends AuditColumns {
  tenant_id: string;
  principal: string;
  key: string;
  fingerprint: string;
  status_code: number | null;
  response: unknown;
  expires_at: Date;
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
/** How long a key is remembered (Stripe's window): a retry within it replays, after it the key is free again. */
export const IDEMPOTENCY_KEY_TTL_HOURS = 24;

/** Who sent the request: keys of different principals of one store never meet. */
const principalOf = (request: FastifyRequest) => (request.principal ? `${request.principal.kind}:${request.principal.subject}` : 'anonymous');

/** The whole request: method, path with its query string, and a hash of the body as received. */
function fingerprintOf(request: FastifyRequest): string {
  const body = typeof request.body === 'string' ? request.body : JSON.stringify(request.body ?? null);
  return createHash('sha256').update(`${request.method} ${request.url}\n`).update(body).digest('base64url');
}

/**
 * Runs a write at most once per `Idempotency-Key`, per store and principal, inside the caller's unit of work: the
 * key is claimed first (with the write, so a rolled-back write leaves no key behind). A retry after the first
 * finished replays its response; the same key with another method, path, query or body is a 422; a duplicate
 * arriving while the first is still running gets a 409 at once instead of waiting on it. Keys expire after 24 h.
 * Without the header the write simply runs. Any module's retryable write (checkout, payments, imports) uses this.
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
  const principal = principalOf(request);
  const fingerprint = fingerprintOf(request);
  // Whoever is running a request with this key holds this lock until its transaction ends; no one waits for it.
  const { rows } = await sql<{ acquired: boolean }>`
    select pg_try_advisory_xact_lock(('x' || substr(md5(${`${tenantId}\n${principal}\n${header}`}), 1, 16))::bit(64)::bigint) as acquired`.execute(trx);
  if (!rows[0]?.acquired) {
    throw new HttpProblem(409, 'Request in progress', 'A request with this Idempotency-Key is still being processed; retry later.', {
      headers: { 'retry-after': '1' },
    });
  }
  const expiresAt = sql<Date>`now() + make_interval(hours => ${IDEMPOTENCY_KEY_TTL_HOURS})`;
  const claimed = await trx
    .insertInto('idempotency_keys')
    .values({ tenant_id: tenantId, principal, key: header, fingerprint, status_code: null, response: null, expires_at: expiresAt })
    .onConflict((oc) =>
      oc
        .columns(['tenant_id', 'principal', 'key'])
        .doUpdateSet({ fingerprint, status_code: null, response: null, expires_at: expiresAt })
        .where('idempotency_keys.expires_at', '<=', sql<Date>`now()`),
    )
    .returning('key')
    .executeTakeFirst();
  if (!claimed) {
    const stored = await trx
      .selectFrom('idempotency_keys')
      .select(['fingerprint', 'status_code', 'response'])
      .where('principal', '=', principal)
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
    .where('principal', '=', principal)
    .where('key', '=', header)
    .execute();
  return { ...result, replayed: false };
}

/** Deletes expired keys of every store, in batches so no run holds many row locks (an owner-rights SQL function). */
export async function deleteExpiredIdempotencyKeys(trx: Tx, batch = 10_000): Promise<number> {
  const { rows } = await sql<{ n: number }>`select app_delete_expired_idempotency_keys(${batch}) as n`.execute(trx);
  return rows[0]?.n ?? 0;
}
