import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testDb } from '../../../test/support/platform.ts';
import type { Db } from '../../platform/db/database.ts';
import { RateLimiter } from './rate-limiter.ts';

describe('rate limiter (token buckets shared through PostgreSQL)', () => {
  let dbA: Db;
  let dbB: Db;
  beforeAll(() => {
    dbA = testDb();
    dbB = testDb();
  });
  afterAll(async () => {
    await Promise.all([dbA.close(), dbB.close()]);
  });

  it('lets a burst of `capacity` through, then refuses with the wait until the next token', async () => {
    const limiter = new RateLimiter(dbA);
    const key = `ip:${randomUUID()}`;
    const limit = { capacity: 10, refillPerSecond: 0.5 };
    const decisions = [];
    for (let i = 0; i < 12; i++) decisions.push(await limiter.take(key, limit));
    expect(decisions.map((d) => d.allowed)).toEqual([...Array(10).fill(true), false, false]);
    expect(decisions[0]).toMatchObject({ limit: 10, remaining: 9, retryAfterSeconds: 0 });
    expect(decisions[11]).toMatchObject({ allowed: false, remaining: 0, retryAfterSeconds: 2, resetSeconds: 20 });
  });

  it('makes two replicas share one budget', async () => {
    const replicaA = new RateLimiter(dbA);
    const replicaB = new RateLimiter(dbB);
    const key = `client:${randomUUID()}`;
    const limit = { capacity: 20, refillPerSecond: 0.01 };
    const decisions = await Promise.all(
      Array.from({ length: 40 }, (_, i) => (i % 2 === 0 ? replicaA : replicaB).take(key, limit)),
    );
    expect(decisions.filter((d) => d.allowed).length).toBe(20);
  });

  it('keeps keys apart', async () => {
    const limiter = new RateLimiter(dbA);
    const limit = { capacity: 1, refillPerSecond: 0.01 };
    const a = `tenant:${randomUUID()}`;
    const b = `tenant:${randomUUID()}`;
    expect((await limiter.take(a, limit)).allowed).toBe(true);
    expect((await limiter.take(a, limit)).allowed).toBe(false);
    expect((await limiter.take(b, limit)).allowed).toBe(true);
  });
});
