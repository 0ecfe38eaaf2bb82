import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testDb } from '../../../test/support/platform.ts';
import type { Db } from '../../platform/db/database.ts';
import { pruneIdleBuckets } from './bucket-pruning.ts';
import { RateLimiter } from './rate-limiter.ts';

describe('rate-limit bucket pruning', () => {
  let db: Db;
  beforeAll(() => {
    db = testDb();
  });
  afterAll(async () => {
    await db.close();
  });

  it('drops buckets idle for a day and keeps the ones in use, which go on limiting', async () => {
    const limiter = new RateLimiter(db);
    const [idle, busy] = [`ip:${randomUUID()}`, `ip:${randomUUID()}`];
    const limit = { capacity: 2, refillPerSecond: 0.01 };
    for (const key of [idle, busy]) for (let i = 0; i < 2; i++) await limiter.take(key, limit);
    await db.withPlatform((trx) => sql`UPDATE rate_limit_buckets SET refilled_at = now() - interval '25 hours' WHERE key = ${idle}`.execute(trx));

    expect(await db.withPlatform((trx) => pruneIdleBuckets(trx))).toBeGreaterThanOrEqual(1);
    const left = await db.withPlatform((trx) => sql<{ key: string }>`SELECT key FROM rate_limit_buckets WHERE key IN (${idle}, ${busy})`.execute(trx));
    expect(left.rows.map((row) => row.key)).toEqual([busy]);
    // A fresh limiter (another replica) still finds the busy bucket empty.
    expect((await new RateLimiter(db).take(busy, limit)).allowed).toBe(false);
  });
});
