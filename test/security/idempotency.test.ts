import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN_PREFIX } from '../../src/modules/catalog/routes.ts';
import type { Tenant } from '../../src/modules/tenancy/service.ts';
import { deleteExpiredIdempotencyKeys } from '../../src/platform/http/idempotency.ts';
import { type TestSession, staffSession, storeHost } from '../support/auth.ts';
import { type TestApp, makeTenant, ownerClient, startTestApp } from '../support/platform.ts';

const product = (handle: string) => ({
  handle,
  title: `Product ${handle}`,
  variants: [{ sku: `SKU-${handle}`, title: 'Default', price_minor: 1000, currency: 'USD' }],
});

describe('Idempotency-Key (M10)', () => {
  let t: TestApp;
  let store: Tenant;
  let alice: TestSession;
  let bob: TestSession;

  const post = (session: TestSession, key: string, body: unknown, query = '') =>
    t.app.inject({
      method: 'POST',
      url: `${ADMIN_PREFIX}/products${query}`,
      headers: { host: storeHost(store), ...session.headers, 'idempotency-key': key },
      payload: body as object,
    });
  const productCount = () =>
    t.platform.db.withTenant(store.id, (trx) => trx.selectFrom('products').select((eb) => eb.fn.countAll<string>().as('n')).executeTakeFirstOrThrow()).then((row) => Number(row.n));

  beforeAll(async () => {
    t = await startTestApp();
    store = await makeTenant(t.platform.db, 'Idempotent Store');
    alice = await staffSession(t.platform, store.id, 'manager');
    bob = await staffSession(t.platform, store.id, 'manager');
  });
  afterAll(() => t.close());

  it('replays a retry, and keeps the keys of two principals of one store apart', async () => {
    const first = await post(alice, 'shared-key', product('alice-1'));
    expect(first.statusCode).toBe(201);
    const retry = await post(alice, 'shared-key', product('alice-1'));
    expect(retry.statusCode).toBe(201);
    expect(retry.headers['idempotent-replayed']).toBe('true');
    expect(retry.json().id).toBe(first.json().id);
    const other = await post(bob, 'shared-key', product('bob-1'));
    expect(other.statusCode).toBe(201);
    expect(other.headers['idempotent-replayed']).toBeUndefined();
    expect(other.json().handle).toBe('bob-1');
  });

  it('binds the whole request: another body or another query string with the same key is a 422', async () => {
    expect((await post(alice, 'bound-key', product('bound-1'))).statusCode).toBe(201);
    const before = await productCount();
    expect((await post(alice, 'bound-key', product('bound-2'))).statusCode).toBe(422);
    expect((await post(alice, 'bound-key', product('bound-1'), '?variant=x')).statusCode).toBe(422);
    expect(await productCount()).toBe(before);
  });

  it('answers a duplicate that arrives while the first is still running with an immediate 409', async () => {
    const owner = await ownerClient();
    try {
      await owner.query('begin');
      await owner.query(`select pg_advisory_xact_lock(('x' || substr(md5($1), 1, 16))::bit(64)::bigint)`, [`${store.id}\nstaff:${alice.userId}\nbusy-key`]);
      const started = performance.now();
      const response = await post(alice, 'busy-key', product('busy-1'));
      expect(response.statusCode).toBe(409);
      expect(response.headers['retry-after']).toBeDefined();
      expect(performance.now() - started).toBeLessThan(2_000);
      await owner.query('rollback');
      expect((await post(alice, 'busy-key', product('busy-1'))).statusCode).toBe(201);
    } finally {
      await owner.end();
    }
  });

  it('lets concurrent identical requests create one product', async () => {
    const before = await productCount();
    const responses = await Promise.all(Array.from({ length: 8 }, () => post(alice, 'race-key', product('race-1'))));
    expect(responses.every((response) => [201, 409].includes(response.statusCode))).toBe(true);
    expect(await productCount()).toBe(before + 1);
  });

  it('forgets keys after 24 hours, and the cleanup job deletes them', async () => {
    expect((await post(alice, 'old-key', product('old-1'))).statusCode).toBe(201);
    const owner = await ownerClient();
    try {
      await owner.query(`update idempotency_keys set expires_at = now() - interval '1 second' where key = 'old-key'`);
      // Expired: the key is free for a new request.
      expect((await post(alice, 'old-key', product('old-2'))).statusCode).toBe(201);
      await owner.query(`update idempotency_keys set expires_at = now() - interval '1 second' where key = 'old-key'`);
      const deleted = await t.platform.db.withPlatform((trx) => deleteExpiredIdempotencyKeys(trx));
      expect(deleted).toBeGreaterThanOrEqual(1);
      const { rows } = await owner.query(`select count(*)::int as n from idempotency_keys where key = 'old-key'`);
      expect(rows[0].n).toBe(0);
      const { rows: fresh } = await owner.query(`select count(*)::int as n from idempotency_keys where expires_at > now() + interval '23 hours'`);
      expect(fresh[0].n).toBeGreaterThan(0);
    } finally {
      await owner.end();
    }
  });
});
