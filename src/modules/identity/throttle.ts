import { createHash } from 'node:crypto';
import type { Db, Tx } from '../../platform/db/database.ts';
import { clearFailures, deleteFailuresBefore, insertFailures, recentFailures } from './repository.ts';

/**
 * Login throttling over a sliding window: at most ACCOUNT_LIMIT failures per account and IP_LIMIT per client
 * IP within WINDOW_MS; beyond that, logins answer 429 without checking the password.
 */
export const WINDOW_MS = 15 * 60_000;
export const ACCOUNT_LIMIT = 5;
export const IP_LIMIT = 20;

export interface ThrottleKeys {
  account: Buffer;
  ip: Buffer;
}

const digest = (...parts: string[]) => createHash('sha256').update(parts.join('\u0000')).digest();

export function throttleKeys(attempt: { tenantId: string | null; kind: string; email: string; ip: string }): ThrottleKeys {
  return { account: digest('account', attempt.tenantId ?? 'platform', attempt.kind, attempt.email), ip: digest('ip', attempt.ip) };
}

/** Seconds until the caller may try again, or 0 when not throttled. */
export async function throttledFor(db: Db, keys: ThrottleKeys, now = Date.now()): Promise<number> {
  const rows = await recentFailures(db, [keys.account, keys.ip], new Date(now - WINDOW_MS));
  let retryAt = 0;
  for (const row of rows) {
    const limit = row.key.equals(keys.account) ? ACCOUNT_LIMIT : IP_LIMIT;
    if (row.count >= limit) retryAt = Math.max(retryAt, row.oldest.getTime() + WINDOW_MS);
  }
  return retryAt === 0 ? 0 : Math.max(1, Math.ceil((retryAt - now) / 1000));
}

export function recordFailure(db: Db, keys: ThrottleKeys): Promise<void> {
  return insertFailures(db, [keys.account, keys.ip]);
}

/** A successful login forgives the account's failures (not the IP's). */
export function forgiveAccount(db: Db, keys: ThrottleKeys): Promise<void> {
  return clearFailures(db, keys.account);
}

export function pruneFailures(trx: Tx, now = Date.now()): Promise<number> {
  return deleteFailuresBefore(trx, new Date(now - WINDOW_MS));
}
