import { sql } from 'kysely';
import { LRUCache } from 'lru-cache';
import type { Db } from '../../platform/db/database.ts';
import { logger } from '../../platform/observability/logger.ts';

/** A token bucket: `capacity` requests in a burst, refilled at `refillPerSecond`. */
export interface RateLimit {
  capacity: number;
  refillPerSecond: number;
}

export interface RateLimitDecision {
  allowed: boolean;
  limit: number;
  /** Tokens left (this replica's lease plus the shared bucket when last seen). */
  remaining: number;
  /** Seconds until the bucket is full again. */
  resetSeconds: number;
  /** Seconds until the next request may pass; 0 when allowed. */
  retryAfterSeconds: number;
}

/** Tokens this replica holds for one key, taken from the shared bucket in PostgreSQL. */
interface Lease {
  tokens: number;
  sharedRemaining: number;
  /** When denied: the time (ms) before which asking PostgreSQL again is pointless. */
  deniedUntil: number;
}

const MAX_ROUNDS = 20;
const MIN_REFILL_PER_SECOND = 0.001;

export interface RateLimiterOptions {
  /** Share of a bucket's capacity a replica takes per trip to PostgreSQL (more: fewer trips, coarser sharing). */
  leaseFraction?: number;
  maxKeys?: number;
}

/**
 * Token buckets shared by every replica without Redis. The bucket lives in PostgreSQL
 * (`app_rate_limit_take`); each replica takes a lease of a few tokens at a time and spends them in-process, so
 * most requests cost no round trip. Generic over the key: `tenant:<id>`, `client:<id>`, `ip:<address>`.
 */
export class RateLimiter {
  private readonly db: Db;
  private readonly leaseFraction: number;
  private readonly leases: LRUCache<string, Lease>;
  private readonly pending = new Map<string, Promise<number>>();
  private readonly log = logger('tenancy.rate_limit');

  constructor(db: Db, options: RateLimiterOptions = {}) {
    this.db = db;
    this.leaseFraction = options.leaseFraction ?? 0.1;
    this.leases = new LRUCache({ max: options.maxKeys ?? 100_000, ttl: 60_000 });
  }

  /** The decision, without a promise when this replica's lease answers (nearly every request). */
  take(key: string, requested: RateLimit): RateLimitDecision | Promise<RateLimitDecision> {
    // A mistyped override (0, negative) must not divide by zero or lock a store out for ever.
    const limit = { capacity: Math.max(1, Math.floor(requested.capacity)), refillPerSecond: Math.max(MIN_REFILL_PER_SECOND, requested.refillPerSecond) };
    return this.fromLease(key, limit) ?? this.takeRefilled(key, limit);
  }

  /** A token of the lease, or a refusal while the shared bucket is known empty; undefined when a refill must decide. */
  private fromLease(key: string, limit: RateLimit): RateLimitDecision | undefined {
    const lease = this.leases.get(key);
    if (!lease) return undefined;
    if (lease.tokens >= 1) {
      lease.tokens -= 1;
      return this.decision(true, limit, lease, 0);
    }
    const wait = lease.deniedUntil - Date.now();
    return wait > 0 ? this.decision(false, limit, lease, Math.max(1, Math.ceil(wait / 1000))) : undefined;
  }

  private async takeRefilled(key: string, limit: RateLimit): Promise<RateLimitDecision> {
    // Requests that waited on one shared refill may find its tokens spent by the others: they refill again,
    // until PostgreSQL grants nothing (the bucket is empty) or the round limit is reached.
    for (let round = 0; round < MAX_ROUNDS; round++) {
      if ((await this.refill(key, limit)) === 0) break;
      const decision = this.fromLease(key, limit);
      if (decision) return decision;
    }
    const lease = this.leases.get(key) ?? { tokens: 0, sharedRemaining: 0, deniedUntil: 0 };
    return this.decision(false, limit, lease, Math.max(1, Math.ceil((lease.deniedUntil - Date.now()) / 1000)));
  }

  /** Takes a lease from the shared bucket; resolves with the tokens granted. */
  private refill(key: string, limit: RateLimit): Promise<number> {
    const inFlight = this.pending.get(key);
    if (inFlight) return inFlight;
    const wanted = Math.max(1, Math.floor(limit.capacity * this.leaseFraction));
    const refilling: Promise<number> = sql<{ granted: number; remaining: number }>`
      select granted, remaining from app_rate_limit_take(${key}, ${limit.capacity}, ${limit.refillPerSecond}, ${wanted})`
      .execute(this.db.kysely)
      .then(({ rows }) => {
        const { granted, remaining } = rows[0]!;
        const held = this.leases.get(key)?.tokens ?? 0;
        const missing = Math.max(0, 1 - remaining);
        const lease: Lease = {
          tokens: held + granted,
          sharedRemaining: remaining,
          deniedUntil: granted > 0 ? 0 : Date.now() + (missing / limit.refillPerSecond) * 1000,
        };
        this.leases.set(key, lease);
        return granted;
      })
      .catch((error: unknown) => {
        // Without the database the site is down anyway; a limiter that refuses everything would only add to it.
        this.log.warn({ err: error, key }, 'rate limit bucket unavailable; allowing the request');
        this.leases.set(key, { tokens: 1, sharedRemaining: 0, deniedUntil: 0 });
        return 1;
      })
      .finally(() => this.pending.delete(key));
    this.pending.set(key, refilling);
    return refilling;
  }

  private decision(allowed: boolean, limit: RateLimit, lease: Lease, retryAfterSeconds: number): RateLimitDecision {
    const remaining = Math.max(0, Math.floor(lease.tokens + lease.sharedRemaining));
    return {
      allowed,
      limit: limit.capacity,
      remaining,
      resetSeconds: Math.ceil((limit.capacity - remaining) / limit.refillPerSecond),
      retryAfterSeconds,
    };
  }
}
