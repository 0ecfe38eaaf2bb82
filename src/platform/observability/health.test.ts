import { type Server, type Socket, createConnection, createServer } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type TestApp, startTestApp, testDatabaseUrl } from '../../../test/support/platform.ts';
import { createDb } from '../db/database.ts';
import { databaseCheck } from '../db/health.ts';
import { READINESS_CACHE_MS } from './health.ts';

/** A TCP proxy in front of PostgreSQL that the test can cut and restore, to make the database "unreachable". */
function databaseProxy(target: URL) {
  const sockets = new Set<Socket>();
  let server: Server | undefined;
  let port = 0;
  const open = () =>
    new Promise<void>((resolve) => {
      server = createServer((client) => {
        const upstream = createConnection(Number(target.port || 5432), target.hostname);
        sockets.add(client).add(upstream);
        client.pipe(upstream).pipe(client);
        const end = () => {
          client.destroy();
          upstream.destroy();
        };
        client.on('error', end).on('close', end);
        upstream.on('error', end).on('close', end);
      });
      server.listen(port, '127.0.0.1', () => {
        port = (server!.address() as { port: number }).port;
        resolve();
      });
    });
  const cut = () =>
    new Promise<void>((resolve) => {
      for (const socket of sockets) socket.destroy();
      sockets.clear();
      server!.close(() => resolve());
    });
  return { open, cut, url: () => Object.assign(new URL(target), { port: String(port) }).toString() };
}

async function eventually<T>(probe: () => Promise<T>, done: (value: T) => boolean): Promise<T> {
  const deadline = Date.now() + READINESS_CACHE_MS * 3;
  for (;;) {
    const value = await probe();
    if (done(value) || Date.now() > deadline) return value;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

describe('health', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(() => t.close());

  it('answers live and ready in the MicroProfile shape', async () => {
    const live = await t.app.inject('/q/health/live');
    expect(live.statusCode).toBe(200);
    expect(live.json()).toMatchObject({ status: 'UP', checks: [{ name: 'process', status: 'UP' }] });
    // On a loaded machine one check can miss its 2 s answer budget once (and rightly report DOWN); the shape is what counts.
    const ready = await eventually(() => t.app.inject('/q/health/ready'), (response) => response.statusCode === 200);
    expect(ready.statusCode).toBe(200);
    expect(ready.json()).toMatchObject({
      status: 'UP',
      checks: [
        { name: 'database', status: 'UP', data: { pool_waiting: expect.any(Number) } },
        { name: 'job-queue', status: 'UP' },
        { name: 'object-storage', status: 'UP', data: { driver: 'local' } },
      ],
    });
  });

  it('goes DOWN with 503 when the database is unreachable, and UP again by itself', async () => {
    const proxy = databaseProxy(new URL(testDatabaseUrl()));
    await proxy.open();
    const db = createDb({ ownerUrl: proxy.url(), poolMax: 2, statementTimeoutMs: 5_000 });
    t.platform.health.addReadinessCheck('database', databaseCheck(db));
    try {
      expect((await t.app.inject('/q/health/ready')).statusCode).toBe(200);
      await proxy.cut();
      // Readiness answers are reused for READINESS_CACHE_MS, so the change shows within that time.
      const down = await eventually(() => t.app.inject('/q/health/ready'), (response) => response.statusCode === 503);
      expect(down.statusCode).toBe(503);
      expect(down.json()).toMatchObject({ status: 'DOWN', checks: expect.arrayContaining([{ name: 'database', status: 'DOWN', data: expect.anything() }]) });
      await proxy.open();
      const up = await eventually(() => t.app.inject('/q/health/ready'), (response) => response.statusCode === 200);
      expect(up.statusCode).toBe(200);
      expect(up.json().status).toBe('UP');
    } finally {
      t.platform.health.addReadinessCheck('database', databaseCheck(t.platform.db));
      await db.close();
    }
  });

  it('runs the checks once for a flood of probes, and shows no error text', async () => {
    let runs = 0;
    t.platform.health.addReadinessCheck('probe-counter', async () => {
      runs += 1;
      throw new Error('connect ECONNREFUSED 10.1.2.3:5432');
    });
    try {
      await new Promise((resolve) => setTimeout(resolve, READINESS_CACHE_MS));
      const responses = await Promise.all(Array.from({ length: 50 }, () => t.app.inject('/q/health/ready')));
      expect(runs).toBe(1);
      expect(responses.every((response) => response.statusCode === 503)).toBe(true);
      expect(responses[0]!.body).not.toMatch(/ECONNREFUSED|10\.1\.2\.3/);
    } finally {
      t.platform.health.addReadinessCheck('probe-counter', async () => ({ status: 'UP' }));
    }
  });
});
