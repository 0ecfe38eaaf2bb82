import type { TraceStoreConfig } from '../../config/config.ts';
import type { Db } from '../../db/database.ts';
import { tapLogs } from '../logger.ts';
import { TraceCollector } from './collector.ts';
import { TraceWriter, maintainPartitions } from './writer.ts';

/**
 * The process's trace store: the collector is a span processor from the start of tracing (it lets spans pass
 * until a database is attached), the writer is attached by the platform once the database is open.
 */
let collector: TraceCollector | undefined;

/** Called by `startTracing`: the span processor that tail-samples into the store, when the store is on. */
export function traceStoreCollector(config: TraceStoreConfig): TraceCollector | undefined {
  if (!config.enabled) return undefined;
  if (!collector) {
    const created = new TraceCollector({ sampleRatio: config.sampleRatio, slowMs: config.slowMs });
    tapLogs((line) => created.onLog(line));
    collector = created;
  }
  return collector;
}

export interface AttachedTraceStore {
  writer: TraceWriter;
  detach(): Promise<void>;
}

/** Starts writing kept traces to `db`; undefined when the store is off in this process. */
export async function attachTraceStore(db: Db, config: TraceStoreConfig): Promise<AttachedTraceStore | undefined> {
  if (!collector || !config.enabled) return undefined;
  await maintainPartitions(db, { hoursBack: 1, hoursAhead: 2, retentionHours: config.retentionHours });
  const writer = new TraceWriter(db, config);
  writer.start();
  collector.attach(writer);
  const attached = collector;
  return {
    writer,
    async detach() {
      attached.attach(undefined);
      await writer.stop();
    },
  };
}
