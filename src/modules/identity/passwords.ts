import { hash, verify } from '@node-rs/bcrypt';
import { BulkheadRejectedError, bulkhead } from 'cockatiel';
import { HttpProblem } from '../../platform/http/problem.ts';
import { passwordWorkShed } from './telemetry.ts';

/** bcrypt reads at most 72 bytes; a longer password would be silently truncated, so it is refused instead. */
export const PASSWORD_MAX_BYTES = 72;
export const PASSWORD_MIN_LENGTH = 10;

/**
 * bcrypt runs on libuv's four-thread pool at about 250 ms a hash (cost 12), so a process manages a handful per
 * second. Each kind of work gets a bounded lane (concurrent hashes, then a short queue); beyond it the request is
 * shed at once with 503 + Retry-After instead of joining an unbounded backlog. Logins from an address with recent
 * failures (`suspect`) get one slot, so a flood of wrong passwords cannot starve the logins of everyone else, and
 * new passwords (registration, reset, change) have their own.
 */
export type PasswordLane = 'login' | 'suspect' | 'new';
const LANES: Record<PasswordLane, ReturnType<typeof bulkhead>> = {
  login: bulkhead(2, 16),
  suspect: bulkhead(1, 2),
  new: bulkhead(1, 8),
};

async function inLane<T>(lane: PasswordLane, work: () => Promise<T>): Promise<T> {
  try {
    return await LANES[lane].execute(work);
  } catch (error) {
    if (!(error instanceof BulkheadRejectedError)) throw error;
    passwordWorkShed.inc({ lane });
    throw new HttpProblem(503, 'Service busy', 'Too many sign-ins are being checked right now; retry in a moment.', {
      headers: { 'retry-after': '1' },
      extensions: { retry_after_seconds: 1 },
    });
  }
}

export function assertAcceptablePassword(password: string): void {
  if (password.length < PASSWORD_MIN_LENGTH || Buffer.byteLength(password) > PASSWORD_MAX_BYTES) {
    throw new HttpProblem(400, 'Validation failed', `A password has ${PASSWORD_MIN_LENGTH} characters at least and ${PASSWORD_MAX_BYTES} bytes at most.`, {
      extensions: { errors: [{ field: 'body/password', message: 'has an unacceptable length' }] },
    });
  }
}

export async function hashPassword(password: string, cost: number): Promise<string> {
  assertAcceptablePassword(password);
  return inLane('new', () => hash(password, { cost }));
}

export function verifyPassword(password: string, passwordHash: string, lane: PasswordLane = 'login'): Promise<boolean> {
  return inLane(lane, () => verify(password, passwordHash));
}
