import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { SpanKind, SpanStatusCode } from '@opentelemetry/api';
import type { ReadableSpan } from '@opentelemetry/sdk-trace-node';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { httpGet } from '../../../test/support/http.ts';
import { type TestApp, logCapture, makeTenant, startTestApp, testSpans, type Tenant } from '../../../test/support/platform.ts';
import { captureContext, runWithCapturedContext } from './handoff.ts';
import { logger } from './logger.ts';
import { tracer } from './tracing.ts';

const spansOf = (correlationId: string) => testSpans.getFinishedSpans().filter((span) => span.attributes['correlation.id'] === correlationId);
const parentOf = (span: ReadableSpan) => span.parentSpanContext?.spanId;
const idOf = (span: ReadableSpan) => span.spanContext().spanId;
const statementOf = (span: ReadableSpan) => String(span.attributes['db.query.text'] ?? span.attributes['db.statement']);

/** Waits until the trace of a request is complete: the HTTP server span ends last. */
async function traceOf(correlationId: string): Promise<ReadableSpan[]> {
  await vi.waitFor(() => expect(spansOf(correlationId).some((span) => span.kind === SpanKind.SERVER)).toBe(true));
  return spansOf(correlationId);
}

describe('tracing', () => {
  let t: TestApp;
  let port: number;
  let tenant: Tenant;
  let echo: ReturnType<typeof createServer>;
  const seen: Record<string, string | string[] | undefined>[] = [];
  const logs = logCapture();

  beforeAll(async () => {
    echo = createServer((request, response) => {
      seen.push(request.headers);
      response.end('ok');
    });
    await new Promise<void>((resolve) => echo.listen(0, '127.0.0.1', resolve));
    const echoUrl = `http://127.0.0.1:${(echo.address() as AddressInfo).port}/`;
    t = await startTestApp(
      { LOG_LEVEL: 'info' },
      {
        logs: logs.stream,
        routes(app, platform) {
          app.get('/fabric/read', async (request) => {
            logger('test').info('reading settings');
            return platform.db.withTenant(request.tenant!.id, (trx) => sql<{ one: number }>`select 1 as one`.execute(trx).then((r) => r.rows));
          });
          app.get('/fabric/outbound', async () => (await fetch(echoUrl)).text());
          app.get('/fabric/checkout', async () => tracer('checkout-orchestrator').startActiveSpan('CheckoutSaga.addressValidation', (span) => span.end()));
          app.get('/fabric/enqueue', async () => captureContext());
          app.get('/fabric/crash', async () => {
            throw new Error('the till fell over');
          });
        },
      },
    );
    await t.app.listen({ port: 0, host: '127.0.0.1' });
    port = (t.app.server.address() as AddressInfo).port;
    tenant = await makeTenant(t.platform.db, 'Traced Store');
  });
  afterAll(async () => {
    await t.close();
    await new Promise((resolve) => echo.close(resolve));
  });

  it('builds the span tree HTTP server span → pg (one span per request: the handler runs in it), every span with tenant.id and correlation.id', async () => {
    const response = await httpGet(port, '/fabric/read', { host: `${tenant.subdomain}.localhost`, 'x-request-id': 'abc-123' });
    expect(response.status).toBe(200);
    expect(response.headers['x-request-id']).toBe('abc-123');

    const spans = await traceOf('abc-123');
    expect(new Set(spans.map((span) => span.spanContext().traceId)).size).toBe(1);
    const server = spans.find((span) => span.kind === SpanKind.SERVER)!;
    expect(server.instrumentationScope.name).toBe('@fastify/otel');
    expect(parentOf(server)).toBeUndefined();
    expect(server.attributes).toMatchObject({ 'http.request.method': 'GET', 'http.route': '/fabric/read', 'url.path': '/fabric/read', 'http.response.status_code': 200 });
    expect(server.status.code).toBe(SpanStatusCode.UNSET);
    expect(spans.filter((span) => span.instrumentationScope.name === '@fastify/otel')).toEqual([server]);
    const queries = spans.filter((span) => span.instrumentationScope.name === '@opentelemetry/instrumentation-pg' && span.name.startsWith('pg.query'));
    const handlerQueries = queries.filter((span) => parentOf(span) === idOf(server) && statementOf(span).startsWith('select 1 as one /*request_id='));
    expect(handlerQueries).toHaveLength(1);
    for (const span of [server, ...handlerQueries]) {
      expect(span.attributes['tenant.id'], span.name).toBe(tenant.id);
    }
  });

  it('writes the active trace_id and span_id on every log line of the request', async () => {
    logs.lines.length = 0;
    await httpGet(port, '/fabric/read', { host: `${tenant.subdomain}.localhost`, 'x-request-id': 'log-trace-1' });
    const spans = await traceOf('log-trace-1');
    const ids = new Set(spans.map(idOf));
    const lines = logs.lines.filter((line) => line.correlation_id === 'log-trace-1');
    expect(lines.map((line) => line.message)).toEqual(['reading settings', 'request completed']);
    for (const line of lines) {
      expect(line).toMatchObject({ tenant_id: tenant.id, store_id: tenant.id, trace_id: spans[0]!.spanContext().traceId });
      expect(ids.has(line.span_id as string), `span ${line.span_id} of "${line.message}"`).toBe(true);
    }
    expect(lines[0]!.span_id).toBe(idOf(spans.find((span) => span.kind === SpanKind.SERVER)!));
    expect(lines[1]).toHaveProperty('duration_ms');
  });

  it('keeps the query string out of the span, and marks a 5xx an error with its exception but a 4xx not', async () => {
    await httpGet(port, '/fabric/read?q=secret-search&token=abc', { host: `${tenant.subdomain}.localhost`, 'x-request-id': 'query-1' });
    const read = (await traceOf('query-1')).find((span) => span.kind === SpanKind.SERVER)!;
    expect(read.attributes['url.path']).toBe('/fabric/read');
    expect(JSON.stringify(read.attributes)).not.toContain('secret-search');

    expect((await httpGet(port, '/fabric/crash', { host: 'localhost', 'x-request-id': 'crash-span-1' })).status).toBe(500);
    const crashed = (await traceOf('crash-span-1')).find((span) => span.kind === SpanKind.SERVER)!;
    expect(crashed.status).toEqual({ code: SpanStatusCode.ERROR, message: 'the till fell over' });
    expect(crashed.attributes).toMatchObject({ 'http.response.status_code': 500, 'http.route': '/fabric/crash' });
    expect(crashed.events.map((event) => [event.name, event.attributes?.['exception.message']])).toEqual([['exception', 'the till fell over']]);

    expect((await httpGet(port, '/fabric/nowhere', { host: 'localhost', 'x-request-id': 'missing-span-1' })).status).toBe(404);
    const missing = (await traceOf('missing-span-1')).find((span) => span.kind === SpanKind.SERVER)!;
    expect(missing.status.code).toBe(SpanStatusCode.UNSET);
    expect(missing.attributes['http.response.status_code']).toBe(404);
    expect(missing.attributes['http.route']).toBeUndefined();
  });

  it('continues a W3C traceparent sent by the caller', async () => {
    const traceId = '4bf92f3577b34da6a3ce929d0e0e4736';
    await httpGet(port, '/q/health/live', { traceparent: `00-${traceId}-00f067aa0ba902b7-01`, 'x-request-id': 'continued-1' });
    const server = (await traceOf('continued-1')).find((span) => span.kind === SpanKind.SERVER)!;
    expect(server.spanContext().traceId).toBe(traceId);
    expect(parentOf(server)).toBe('00f067aa0ba902b7');
  });

  it('sends X-Request-ID and traceparent on outbound fetch', async () => {
    seen.length = 0;
    await httpGet(port, '/fabric/outbound', { host: 'localhost', 'x-request-id': 'outbound-1' });
    const spans = await traceOf('outbound-1');
    expect(seen).toHaveLength(1);
    expect(seen[0]!['x-request-id']).toBe('outbound-1');
    const client = spans.find((span) => span.kind === SpanKind.CLIENT && span.instrumentationScope.name.includes('undici'))!;
    expect(seen[0]!.traceparent).toBe(`00-${client.spanContext().traceId}-${idOf(client)}-01`);
  });

  it("exports a bounded context's spans under its own service name, in the request's trace", async () => {
    await httpGet(port, '/fabric/checkout', { host: 'localhost', 'x-request-id': 'checkout-1' });
    const spans = await traceOf('checkout-1');
    const saga = spans.find((span) => span.name === 'CheckoutSaga.addressValidation')!;
    expect(saga.resource.attributes['service.name']).toBe('checkout-orchestrator');
    expect(spans.find((span) => span.kind === SpanKind.SERVER)!.resource.attributes['service.name']).toBe('village-storefront');
    expect(parentOf(saga)).toBe(idOf(spans.find((span) => span.kind === SpanKind.SERVER)!));
  });

  it('restores a captured context in a job: same fields, a child span, or a new trace linked to the request', async () => {
    const response = await httpGet(port, '/fabric/enqueue', { host: `${tenant.subdomain}.localhost`, 'x-request-id': 'enqueue-1' });
    const captured = JSON.parse(response.body);
    expect(captured).toMatchObject({ correlationId: 'enqueue-1', tenantId: tenant.id });
    const handler = (await traceOf('enqueue-1')).find((span) => span.kind === SpanKind.SERVER)!;
    expect(captured.traceparent).toBe(`00-${handler.spanContext().traceId}-${idOf(handler)}-01`);

    logs.lines.length = 0;
    const inJob = await runWithCapturedContext(captured, { spanName: 'Job.execute.test' }, async () => {
      logger('test').info('job ran');
      return captureContext();
    });
    expect(inJob).toMatchObject({ correlationId: 'enqueue-1', tenantId: tenant.id });
    const job = testSpans.getFinishedSpans().find((span) => span.name === 'Job.execute.test')!;
    expect(job.kind).toBe(SpanKind.CONSUMER);
    expect(job.resource.attributes['service.name']).toBe('background-jobs');
    expect(job.spanContext().traceId).toBe(handler.spanContext().traceId);
    expect(parentOf(job)).toBe(idOf(handler));
    expect(job.attributes).toMatchObject({ 'tenant.id': tenant.id, 'correlation.id': 'enqueue-1' });
    expect(logs.lines.find((line) => line.message === 'job ran')).toMatchObject({
      correlation_id: 'enqueue-1',
      tenant_id: tenant.id,
      trace_id: handler.spanContext().traceId,
      span_id: idOf(job),
    });

    await runWithCapturedContext(captured, { spanName: 'Job.execute.linked', relation: 'link' }, async () => {});
    const linked = testSpans.getFinishedSpans().find((span) => span.name === 'Job.execute.linked')!;
    expect(linked.spanContext().traceId).not.toBe(handler.spanContext().traceId);
    expect(linked.links.map((link) => link.context.spanId)).toEqual([idOf(handler)]);
  });

  it('gives work restored from nothing a fresh correlation ID and a root span', async () => {
    const restored = await runWithCapturedContext(undefined, { spanName: 'Job.execute.orphan' }, async () => captureContext());
    expect(restored?.correlationId).toMatch(/^[0-9a-f-]{36}$/);
    expect(testSpans.getFinishedSpans().find((span) => span.name === 'Job.execute.orphan')!.parentSpanContext).toBeUndefined();
  });
});
