import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type TestApp, logCapture, ownerClient, startTestApp } from '../../../test/support/platform.ts';
import { HttpProblem } from '../http/problem.ts';
import { fingerprintError, inAppFrames, normaliseMessage } from './error-fingerprint.ts';
import { occurrenceMicros, recordErrorGroup } from './error-groups.ts';
import { scrapeMetrics } from './metrics.ts';

class LedgerError extends Error {
  override name = 'LedgerError';
}

describe('error fingerprints', () => {
  it('group occurrences that differ only in ids, numbers and quoted values', () => {
    expect(normaliseMessage('order 42 of store "maple" (7f3d2e1a-8b4c-4f5e-9c6d-1a2b3c4d5e6f) failed')).toBe(
      'order <n> of store <str> (<uuid>) failed',
    );
    const throwAt = (id: number) => {
      try {
        throw new LedgerError(`balance ${id} negative`);
      } catch (error) {
        return fingerprintError(error);
      }
    };
    const first = throwAt(1);
    expect(throwAt(2)).toEqual(first);
    expect(first.fingerprint).toMatch(/^[0-9a-f]{32}$/);
    expect(first.errorType).toBe('LedgerError');
    expect(fingerprintError(new TypeError('balance 1 negative')).fingerprint).not.toBe(first.fingerprint);
  });

  it('keep only in-app frames, without line numbers', () => {
    const stack = [
      'Error: x',
      '    at settle (/srv/app/src/modules/payments/service.ts:10:5)',
      '    at Object.run (/srv/app/node_modules/fastify/lib/route.js:1:1)',
      '    at file:///srv/app/src/platform/http/app.ts:99:1',
    ].join('\n');
    expect(inAppFrames(stack)).toEqual(['settle (src/modules/payments/service.ts)', '<anonymous> (src/platform/http/app.ts)']);
  });
});

describe('the error handler', () => {
  let t: TestApp;
  const logs = logCapture();
  beforeAll(async () => {
    t = await startTestApp(
      { LOG_LEVEL: 'info' },
      {
        logs: logs.stream,
        routes(app, platform) {
          app.get('/fabric/crash', async () => {
            await sql`select * from no_such_table_for_errors_test`.execute(platform.db.kysely);
          });
          app.get('/fabric/limited', async () => {
            throw new HttpProblem(429, 'Too Many Requests', 'Slow down.', { headers: { 'retry-after': '1' } });
          });
          app.post('/fabric/echo', { schema: { body: { type: 'object', required: ['name'], properties: { name: { type: 'string' } } } } }, async () => ({}));
        },
      },
    );
  });
  afterAll(() => t.close());

  it('answers a 5xx with a problem that leaks no stack or SQL, logs it once with its stack, counts and groups it', async () => {
    logs.lines.length = 0;
    const first = await t.app.inject({ url: '/fabric/crash', headers: { 'x-request-id': 'crash-1' } });
    const second = await t.app.inject({ url: '/fabric/crash', headers: { 'x-request-id': 'crash-2' } });
    expect(first.statusCode).toBe(500);
    expect(second.json()).toMatchObject({ status: 500, request_id: 'crash-2' });
    expect(first.headers['content-type']).toContain('application/problem+json');
    expect(first.headers['x-request-id']).toBe('crash-1');
    expect(first.json()).toEqual({
      type: 'https://docs.villagestorefront.dev/problems/500',
      title: 'Internal Server Error',
      status: 500,
      detail: 'An unexpected error occurred; quote the request_id to support.',
      instance: '/fabric/crash',
      request_id: 'crash-1',
    });
    expect(first.body).not.toMatch(/no_such_table|select|at .*\.ts/i);

    const logged = logs.lines.filter((line) => line.correlation_id === 'crash-1' && line.level === 'error');
    expect(logged).toHaveLength(1);
    expect(logged[0]).toMatchObject({ message: 'unhandled error', logger: 'http.errors', endpoint: '/fabric/crash' });
    expect((logged[0]!.err as { stack: string }).stack).toContain('no_such_table_for_errors_test');

    expect(await scrapeMetrics()).toContain(
      'villagecompute_storefront_http_errors_total{endpoint="/fabric/crash",status_code="500",error_type="DatabaseError"} 2',
    );
    const owner = await ownerClient();
    try {
      let rows: { count: string; sample_request_id: string; error_type: string; endpoint: string; first_seen: Date; last_seen: Date }[] = [];
      for (let attempt = 0; attempt < 50 && rows[0]?.count !== '2'; attempt++) {
        ({ rows } = await owner.query('select * from error_groups where fingerprint = $1', [logged[0]!.fingerprint]));
        if (rows[0]?.count !== '2') await new Promise((resolve) => setTimeout(resolve, 20));
      }
      expect(rows).toHaveLength(1);
      expect(rows[0]).toMatchObject({ count: '2', sample_request_id: 'crash-2', error_type: 'DatabaseError', endpoint: 'GET /fabric/crash' });
      expect(rows[0]!.last_seen.getTime()).toBeGreaterThanOrEqual(rows[0]!.first_seen.getTime());
    } finally {
      await owner.end();
    }
  });

  it('keeps the latest occurrence as the sample when the group writes arrive out of order', async () => {
    const error = fingerprintError(new Error(`out of order ${Date.now()}`));
    const earlier = occurrenceMicros();
    const later = occurrenceMicros();
    await recordErrorGroup(t.platform.db, error, { endpoint: 'GET /later', requestId: 'later', atMicros: later });
    await recordErrorGroup(t.platform.db, error, { endpoint: 'GET /earlier', requestId: 'earlier', atMicros: earlier });
    const owner = await ownerClient();
    try {
      const { rows } = await owner.query('select count, sample_request_id, endpoint, first_seen < last_seen as ordered from error_groups where fingerprint = $1', [error.fingerprint]);
      expect(rows).toEqual([{ count: '2', sample_request_id: 'later', endpoint: 'GET /later', ordered: true }]);
    } finally {
      await owner.end();
    }
  });

  it('echoes the request ID on success, 4xx, 404, 429 and validation errors', async () => {
    const cases = [
      { url: '/q/health/live', status: 200 },
      { url: '/no/such/route', status: 404 },
      { url: '/fabric/limited', status: 429 },
    ];
    for (const { url, status } of cases) {
      const response = await t.app.inject({ url, headers: { 'x-request-id': 'abc-123' } });
      expect(response.statusCode, url).toBe(status);
      expect(response.headers['x-request-id'], url).toBe('abc-123');
      if (status >= 400) expect(response.json().request_id, url).toBe('abc-123');
    }
    const invalid = await t.app.inject({ method: 'POST', url: '/fabric/echo', payload: { nom: 1 }, headers: { 'x-request-id': 'abc-123' } });
    expect(invalid.statusCode).toBe(400);
    expect(invalid.json()).toMatchObject({ request_id: 'abc-123', errors: [{ field: 'body/name' }] });
  });

  it.each([
    ['over-long', 'a'.repeat(129)],
    ['CR/LF', 'abc\r\nSet-Cookie: stolen=1'],
    ['quotes', '"abc"'],
    ['unicode', 'abc-é'],
    ['spaces', 'abc 123'],
  ])('replaces a malicious X-Request-ID (%s) with a fresh one and logs the replacement', async (_kind, header) => {
    logs.lines.length = 0;
    const response = await t.app.inject({ url: '/no/such/route', headers: { 'x-request-id': header } });
    expect(response.statusCode).toBe(404);
    const id = response.headers['x-request-id'];
    expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
    expect(response.json().request_id).toBe(id);
    expect(response.headers['set-cookie']).toBeUndefined();
    expect(logs.lines).toContainEqual(expect.objectContaining({ message: 'X-Request-ID refused, replaced', correlation_id: id }));
  });

  it('answers a malformed URL with a 400 problem carrying a request ID', async () => {
    const response = await t.app.inject({ url: '/%E0%A4%A', headers: { 'x-request-id': 'bad-url-1' } });
    expect(response.statusCode).toBe(400);
    expect(response.headers['x-request-id']).toBe('bad-url-1');
    expect(response.json()).toMatchObject({ status: 400, request_id: 'bad-url-1' });
  });
});
