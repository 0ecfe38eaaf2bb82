import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, expect, it } from 'vitest';
import { freeLoopbackPort } from '../src/platform/db/embedded.ts';
import { httpGet } from './support/http.ts';
import { startMainProcess } from './support/main-process.ts';
import { testDatabaseUrl } from './support/platform.ts';

/** `node src/main.ts` with an OTLP endpoint: spans leave the process, logs carry their trace IDs, nothing is lost at exit. */
describe('telemetry of the main process', () => {
  it('exports request spans over OTLP and logs every line with trace ids, up to the last one', async () => {
    const exports: { path: string; type: string | undefined; body: Buffer }[] = [];
    const collector = createServer((request, response) => {
      const chunks: Buffer[] = [];
      request.on('data', (chunk: Buffer) => chunks.push(chunk));
      request.on('end', () => {
        exports.push({ path: request.url ?? '', type: request.headers['content-type'], body: Buffer.concat(chunks) });
        response.writeHead(200, { 'content-type': 'application/x-protobuf' }).end();
      });
    });
    await new Promise<void>((resolve) => collector.listen(0, '127.0.0.1', resolve));
    const port = await freeLoopbackPort();
    const env = {
      APP_PROFILE: 'test',
      DATABASE_URL: testDatabaseUrl(),
      SEED_DEMO: 'false',
      LOG_LEVEL: 'info',
      OTEL_EXPORTER_OTLP_ENDPOINT: `http://127.0.0.1:${(collector.address() as AddressInfo).port}`,
      OTEL_TRACES_SAMPLER_ARG: '1',
    };
    const main = await startMainProcess('web', port, env);
    try {
      await httpGet(port, '/q/health/live', { 'x-request-id': 'main-otlp-1' });

      expect(await main.stop(), main.output()).toBe(0);
      const output = main.output();

      const traces = exports.filter((entry) => entry.path === '/v1/traces');
      expect(traces.length, output).toBeGreaterThan(0);
      expect(traces[0]!.type).toBe('application/x-protobuf');
      const body = Buffer.concat(traces.map((entry) => entry.body)).toString('latin1');
      expect(body).toContain('main-otlp-1');
      expect(body).toContain('village-storefront');
      expect(body).toContain('@fastify/otel');

      const lines = output.split('\n').filter((line) => line.startsWith('{')).map((line) => JSON.parse(line));
      const completed = lines.find((line) => line.correlation_id === 'main-otlp-1' && line.message === 'request completed');
      expect(completed).toMatchObject({ route: '/q/health/live', status: 200, trace_id: expect.stringMatching(/^[0-9a-f]{32}$/) });
      expect(body).toContain(Buffer.from(completed.trace_id, 'hex').toString('latin1'));
      expect(lines.at(-1)).toMatchObject({ message: 'stopped' });
    } finally {
      main.child.kill('SIGKILL');
      await new Promise((resolve) => collector.close(resolve));
    }
  }, 60_000);
});
