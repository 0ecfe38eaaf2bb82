import { describe, expect, it } from 'vitest';
import { configureLogging } from '../observability/logger.ts';
import { EventBus } from './bus.ts';

// The kernel's own test events, declared the way a module declares its events.
declare module './bus.ts' {
  interface DomainEvents {
    TestHostSeen: { host: string };
    TestStoreChanged: { tenantId: string };
    TestStoreRestored: { tenantId: string };
  }
}

describe('event bus', () => {
  it('delivers to every subscriber until it unsubscribes', () => {
    const bus = new EventBus();
    const seen: string[] = [];
    const off = bus.on('TestHostSeen', (event) => {
      seen.push(`a:${event.host}`);
    });
    bus.on('TestHostSeen', (event) => {
      seen.push(`b:${event.host}`);
    });
    bus.publish('TestHostSeen', { host: 'one.example' });
    off();
    bus.publish('TestHostSeen', { host: 'two.example' });
    expect(seen).toEqual(['a:one.example', 'b:one.example', 'b:two.example']);
  });

  it('keeps a failing handler from the publisher and the other handlers, and logs its failure', async () => {
    const lines: string[] = [];
    configureLogging({ logLevel: 'warn', logLevels: {} }, { write: (line: string) => void lines.push(line) });
    const bus = new EventBus();
    const seen: string[] = [];
    bus.on('TestStoreChanged', () => {
      throw new Error('sync failure');
    });
    bus.on('TestStoreChanged', async () => {
      throw new Error('async failure');
    });
    bus.on('TestStoreChanged', (event) => {
      seen.push(event.tenantId);
    });
    expect(() => bus.publish('TestStoreChanged', { tenantId: 't-1' })).not.toThrow();
    await new Promise((resolve) => setImmediate(resolve));
    expect(seen).toEqual(['t-1']);
    const failures = lines.map((line) => JSON.parse(line)).filter((entry) => entry.message === 'event handler failed');
    expect(failures.map((entry) => [entry.event, entry.err.message])).toEqual([
      ['TestStoreChanged', 'sync failure'],
      ['TestStoreChanged', 'async failure'],
    ]);
  });

  it('waits for the next matching event', async () => {
    const bus = new EventBus();
    const next = bus.next('TestStoreRestored', (event) => event.tenantId === 'b');
    bus.publish('TestStoreRestored', { tenantId: 'a' });
    bus.publish('TestStoreRestored', { tenantId: 'b' });
    await expect(next).resolves.toEqual({ tenantId: 'b' });
  });
});
