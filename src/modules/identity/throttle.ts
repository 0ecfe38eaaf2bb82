import { createHash } from 'node:crypto';
import type { Db, Tx } from '../../platform/db/database.ts';
import { deleteFailuresBefore, forgetAttempts, reserveAttemptRows } from './repository.ts';

/**
 * Login throttling over a sliding window of WINDOW_MS. Every attempt is counted against three keys:
 * - the account from one client address (PAIR_LIMIT): a guesser is stopped without locking the owner out elsewhere;
 * - the client address (IP_LIMIT): one address trying many accounts;
 * - the account from anywhere (ACCOUNT_LIMIT): guessing spread over many addresses.
 * Beyond a limit the login answers 429 without checking the password.
 */
export const WINDOW_MS = 15 * 60_000;
export const PAIR_LIMIT = 5;
export const IP_LIMIT = 20;
export const ACCOUNT_LIMIT = 50;

export interface ThrottleKey {
  hash: Buffer;
  limit: number;
}

const digest = (...parts: string[]) => createHash('sha256').update(parts.join('\u0000')).digest();

export function throttleKeys(attempt: { tenantId: string | null; kind: string; email: string; ip: string }): ThrottleKey[] {
  const account = [attempt.tenantId ?? 'platform', attempt.kind, attempt.email];
  return [
    { hash: digest('pair', ...account, attempt.ip), limit: PAIR_LIMIT },
    { hash: digest('ip', attempt.ip), limit: IP_LIMIT },
    { hash: digest('account', ...account), limit: ACCOUNT_LIMIT },
  ];
}

export type Reservation =
  | { granted: true; ids: string[]; /** Earlier failures from this address (any account) within the window. */ priorFailures: number }
  | { granted: false; retryAfterSeconds: number };

/**
 * Counts the attempt before the password is checked, atomically: under an advisory lock per key, the window is
 * counted and, when every key is under its limit, one row per key is written, all in one transaction. Concurrent
 * attempts therefore see each other; 50 parallel guesses get PAIR_LIMIT password checks, not 50.
 */
export function reserveAttempt(db: Db, keys: ThrottleKey[], now = Date.now()): Promise<Reservation> {
  return reserveAttemptRows(db, keys, new Date(now - WINDOW_MS)).then((outcome) => {
    // keys[1] is the address: one with recent failures is suspect whichever account it tries next.
    if ('ids' in outcome) return { granted: true, ids: outcome.ids, priorFailures: outcome.counts[1] ?? 0 };
    const retryAt = outcome.blockedOldest.getTime() + WINDOW_MS;
    return { granted: false, retryAfterSeconds: Math.max(1, Math.ceil((retryAt - now) / 1000)) };
  });
}

/** A successful login takes its reservation back and forgives the account's failures from that address. */
export function forgive(db: Db, keys: ThrottleKey[], reservation: { ids: string[] }): Promise<void> {
  return forgetAttempts(db, reservation.ids, keys[0]!.hash);
}

export function pruneFailures(trx: Tx, now = Date.now()): Promise<number> {
  return deleteFailuresBefore(trx, new Date(now - WINDOW_MS));
}
