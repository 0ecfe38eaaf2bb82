import { describe, expect, it } from 'vitest';
import '../../modules/tenancy/events.ts';
import { configureLogging } from '../observability/logger.ts';
import { EventBus } from './bus.ts';

describe('event bus', () => {
  it('delivers to every subscriber until it unsubscribes', () => {
    const bus = new EventBus();
    const seen: string[] = [];
    const off = bus.on('TenantMissing', (event) => {
      seen.push(`a:${event.host}`);
    });
    bus.on('TenantMissing', (event) => {
      seen.push(`b:${event.host}`);
    });
    bus.publish('TenantMissing', { host: 'one.example' });
    off();
    bus.publish('TenantMissing', { host: 'two.example' });
    expect(seen).toEqual(['a:one.example', 'b:one.example', 'b:two.example']);
  });

  it('keeps a failing handler from the publisher and the other handlers, and logs its failure', async () => {
    const lines: string[] = [];
    configureLogging({ logLevel: 'warn', logLevels: {} }, { write: (line: string) => void lines.push(line) });
    const bus = new EventBus();
    const seen: string[] = [];
    bus.on('TenantSuspended', () => {
      throw new Error('sync failure');
    });
    bus.on('TenantSuspended', async () => {
      throw new Error('async failure');
    });
    bus.on('TenantSuspended', (event) => {
      seen.push(event.tenantId);
    });
    expect(() => bus.publish('TenantSuspended', { tenantId: 't-1' })).not.toThrow();
    await new Promise((resolve) => setImmediate(resolve));
    expect(seen).toEqual(['t-1']);
    const failures = lines.map((line) => JSON.parse(line)).filter((entry) => entry.message === 'event handler failed');
    expect(failures.map((entry) => [entry.event, entry.err.message])).toEqual([
      ['TenantSuspended', 'sync failure'],
      ['TenantSuspended', 'async failure'],
    ]);
  });

  it('waits for the next matching event', async () => {
    const bus = new EventBus();
    const next = bus.next('TenantResumed', (event) => event.tenantId === 'b');
    bus.publish('TenantResumed', { tenantId: 'a' });
    bus.publish('TenantResumed', { tenantId: 'b' });
    await expect(next).resolves.toEqual({ tenantId: 'b' });
  });
});
