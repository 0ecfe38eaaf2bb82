import { type EventEmitter, once } from 'node:events';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { logCapture } from '../../../test/support/platform.ts';
import { runWithContext } from './context.ts';
import { configureLogging, flushLogs, logDestination, logger, redactSecrets } from './logger.ts';

describe('logger', () => {
  it('censors every listed key at any depth and in any case, and leaves the rest untouched', () => {
    const clean = { method: 'GET', items: [{ sku: 'A-1' }] };
    expect(redactSecrets(clean)).toBe(clean);
    const dirty = {
      headers: { Authorization: 'Bearer x', cookie: 'sid=1', accept: 'text/html' },
      body: { customer: { password: 'hunter2', cards: [{ card_number: '4242424242424242', brand: 'visa' }] } },
      tax_id: '12-3456789',
    };
    expect(redactSecrets(dirty)).toEqual({
      headers: { Authorization: '[REDACTED]', cookie: '[REDACTED]', accept: 'text/html' },
      body: { customer: { password: '[REDACTED]', cards: [{ card_number: '[REDACTED]', brand: 'visa' }] } },
      tax_id: '[REDACTED]',
    });
    expect(dirty.headers.Authorization).toBe('Bearer x');
  });

  it("writes the mandatory fields inside a context, levels per category, and no secret", () => {
    const logs = logCapture();
    configureLogging({ logLevel: 'info', logLevels: { 'test.quiet': 'error' } }, logs.stream);
    runWithContext({ correlationId: 'abc-123', tenantId: 't-1', userId: 'u-1' }, () => {
      logger('test.loud').info({ request: { headers: { 'set-cookie': 'sid=2' } } }, 'hello');
      logger('test.quiet').warn('not written');
    });
    logger('test.loud').info('outside');
    expect(logs.lines).toHaveLength(2);
    expect(logs.lines[0]).toMatchObject({
      level: 'info',
      logger: 'test.loud',
      message: 'hello',
      tenant_id: 't-1',
      store_id: null,
      user_id: 'u-1',
      session_id: null,
      correlation_id: 'abc-123',
      impersonation_context: null,
      trace_id: null,
      span_id: null,
      request: { headers: { 'set-cookie': '[REDACTED]' } },
    });
    expect(logs.lines[1]).not.toHaveProperty('correlation_id');
  });

  /** Logging configured to a fresh log file through `logDestination`, for the length of `use`. */
  async function withLogFile(use: (file: string, destination: ReturnType<typeof logDestination>) => Promise<void>): Promise<void> {
    const folder = mkdtempSync(join(tmpdir(), 'vs-log-'));
    try {
      const file = join(folder, 'app.log');
      const destination = logDestination(file);
      await once(destination as unknown as EventEmitter, 'ready');
      configureLogging({ logLevel: 'info', logLevels: {} }, destination);
      await use(file, destination);
    } finally {
      rmSync(folder, { recursive: true, force: true });
    }
  }

  it('writes whole lines, any characters, to a log file', () =>
    withLogFile(async (file) => {
      const messages = Array.from({ length: 200 }, (_, index) => `line ${index}: café ☕ ${'x'.repeat(index)}`);
      for (const message of messages) logger('test.file').info(message);
      await flushLogs();
      const lines = readFileSync(file, 'utf8').trimEnd().split('\n').map((line) => JSON.parse(line) as { message: string });
      expect(lines.map((line) => line.message)).toEqual(messages);
    }));

  it('writes a lone line within a flush interval, without waiting for a full batch or the exit', () =>
    withLogFile(async (file, destination) => {
      logger('test.file').info('the only line tonight');
      expect(readFileSync(file, 'utf8')).toBe('');
      await vi.waitFor(() => expect(readFileSync(file, 'utf8')).toContain('the only line tonight'), { timeout: 2000, interval: 50 });
      (destination as unknown as { end(): void }).end();
    }));
});
