import { request as httpRequest } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Tenant } from '../../src/modules/tenancy/service.ts';
import { staffSession, storeHost } from '../support/auth.ts';
import { type TestApp, makeTenant, startTestApp } from '../support/platform.ts';

const MiB = 1024 * 1024;

interface Outcome {
  status: number;
  elapsedMs: number;
  bytesSent: number;
}

/**
 * Streams `totalBytes` of `{},` JSON-ish filler in 64 KiB chunks (one reused buffer, so the sender's heap stays
 * flat) and resolves at the response, whether or not the server read the rest.
 */
function upload(port: number, path: string, headers: Record<string, string>, totalBytes: number): Promise<Outcome> {
  const chunk = Buffer.from('{},'.repeat(Math.floor((64 * 1024) / 3)));
  const started = performance.now();
  return new Promise((resolve, reject) => {
    let sent = 0;
    const req = httpRequest({ host: '127.0.0.1', port, path, method: 'POST', headers: { ...headers, 'transfer-encoding': 'chunked' } }, (response) => {
      response.resume();
      resolve({ status: response.statusCode ?? 0, elapsedMs: performance.now() - started, bytesSent: sent });
      req.destroy();
    });
    req.on('error', (error: NodeJS.ErrnoException) => {
      if (!['ECONNRESET', 'EPIPE'].includes(error.code ?? '')) reject(error);
    });
    const pump = () => {
      while (sent < totalBytes) {
        sent += chunk.length;
        if (!req.write(chunk)) return void req.once('drain', pump);
      }
      req.end();
    };
    req.write('[');
    pump();
  });
}

describe('request bodies before authentication (C2)', () => {
  let t: TestApp;
  let port: number;
  let store: Tenant;

  beforeAll(async () => {
    t = await startTestApp();
    await t.app.listen({ host: '127.0.0.1', port: 0 });
    port = (t.app.server.address() as AddressInfo).port;
    store = await makeTenant(t.platform.db, 'Upload Store');
  });
  afterAll(() => t.close());

  it('answers an unauthenticated 64 MiB upload to the import route with a fast 401, without buffering it', async () => {
    const heapBefore = process.memoryUsage().heapUsed;
    const outcome = await upload(port, '/admin/api/v1/imports?format=csv', { host: storeHost(store), 'content-type': 'text/csv' }, 64 * MiB);
    const heapGrowth = process.memoryUsage().heapUsed - heapBefore;
    expect(outcome.status).toBe(401);
    expect(heapGrowth).toBeLessThan(24 * MiB);
  });

  it('refuses JSON on the import route with 415 before reading it, even with a valid token', async () => {
    const { headers } = await staffSession(t.platform, store.id, 'manager');
    const outcome = await upload(port, '/admin/api/v1/imports?format=csv', { host: storeHost(store), 'content-type': 'application/json', ...headers }, 64 * MiB);
    expect(outcome.status).toBe(415);
  });

  it('checks scopes before reading an upload (403 for a staff member without catalog:write)', async () => {
    const { headers } = await staffSession(t.platform, store.id, 'staff');
    const outcome = await upload(port, '/admin/api/v1/imports?format=csv', { host: storeHost(store), 'content-type': 'text/csv', ...headers }, 64 * MiB);
    expect(outcome.status).toBe(403);
  });

  it('keeps the 1 MiB limit on every other route, whatever the content type', async () => {
    const { headers } = await staffSession(t.platform, store.id, 'manager');
    for (const type of ['text/csv', 'application/json']) {
      const outcome = await upload(port, '/admin/api/v1/products', { host: storeHost(store), 'content-type': type, ...headers }, 8 * MiB);
      expect([413, 415]).toContain(outcome.status);
      expect(outcome.bytesSent).toBeLessThan(8 * MiB);
    }
  });

  it('bounds request, header and idle times on the server', () => {
    expect(t.app.server.requestTimeout).toBeGreaterThan(0);
    expect(t.app.server.headersTimeout).toBeLessThanOrEqual(15_000);
    expect(t.app.server.keepAliveTimeout).toBeGreaterThan(0);
    expect(t.app.server.timeout).toBeGreaterThan(0);
  });
});
