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
 * failures (`suspect`) get one slot and a quarter of a core, so a flood of wrong passwords can neither starve
 * the logins of everyone else nor take more than a quarter of a core from the shop; new passwords (registration,
 * reset, change) have their own lane.
 */
export type PasswordLane = 'login' | 'suspect' | 'new';
const LANES: Record<PasswordLane, ReturnType<typeof bulkhead>> = {
  login: bulkhead(2, 16),
  suspect: bulkhead(1, 1),
  new: bulkhead(1, 8),
};

/**
 * The suspect lane's CPU budget: hashing time it may spend, refilled at a quarter of a core (250 ms a second) up to
 * two seconds banked. At cost 12 that is one suspect hash a second sustained; at the test cost it never binds.
 */
const SUSPECT_BUDGET = { refillMsPerSecond: 250, capacityMs: 2_000 };
const suspectBudget = { ms: SUSPECT_BUDGET.capacityMs, at: Date.now() };
function suspectBudgetLeft(): number {
  const now = Date.now();
  suspectBudget.ms = Math.min(SUSPECT_BUDGET.capacityMs, suspectBudget.ms + ((now - suspectBudget.at) / 1000) * SUSPECT_BUDGET.refillMsPerSecond);
  suspectBudget.at = now;
  return suspectBudget.ms;
}

const shed = (lane: PasswordLane) => {
  passwordWorkShed.inc({ lane });
  return new HttpProblem(503, 'Service busy', 'Too many sign-ins are being checked right now; retry in a moment.', {
    headers: { 'retry-after': '1' },
    extensions: { retry_after_seconds: 1 },
  });
};

/** Sheds at once, before any database work, when the lane is full (a flood costs next to nothing). */
export function assertLaneHasRoom(lane: PasswordLane): void {
  const bulkhead = LANES[lane];
  if ((bulkhead.executionSlots === 0 && bulkhead.queueSlots === 0) || (lane === 'suspect' && suspectBudgetLeft() <= 0)) throw shed(lane);
}

async function inLane<T>(lane: PasswordLane, work: () => Promise<T>): Promise<T> {
  if (lane === 'suspect') assertLaneHasRoom(lane);
  try {
    return await LANES[lane].execute(async () => {
      const started = performance.now();
      try {
        return await work();
      } finally {
        if (lane === 'suspect') suspectBudget.ms -= performance.now() - started;
      }
    });
  } catch (error) {
    if (!(error instanceof BulkheadRejectedError)) throw error;
    throw shed(lane);
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
