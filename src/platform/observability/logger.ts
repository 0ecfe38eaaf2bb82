import pino, { type Logger } from 'pino';
import type { Config } from '../config/config.ts';
import { activeSpan, currentContext } from './context.ts';

/** Keys whose values never reach a log line, wherever they appear in a logged object. */
export const REDACTED_KEYS = [
  'authorization',
  'cookie',
  'set-cookie',
  'password',
  'token',
  'access_token',
  'refresh_token',
  'client_secret',
  'secret',
  'api_key',
  'card',
  'card_number',
  'cardNumber',
  'pan',
  'cvc',
  'cvv',
  'tax_id',
  'taxId',
  'ssn',
  'ein',
  'vat_number',
];

const SENSITIVE = new Set(REDACTED_KEYS.map((key) => key.toLowerCase()));
const CENSOR = '[REDACTED]';
const MAX_DEPTH = 8;

/**
 * `value` with every key of REDACTED_KEYS censored, at any depth and in any letter case. Copies only what it
 * changes, so a line without secrets costs one walk of its keys. (pino's own `redact` needs one wildcard path
 * per key and depth and costs 30-90 µs a line on these objects; see docs/adr/0031.) Errors and other class
 * instances are left to their serializers.
 */
export function redactSecrets(value: unknown, depth = 0): unknown {
  if (value === null || typeof value !== 'object' || depth > MAX_DEPTH) return value;
  if (Array.isArray(value)) {
    const redacted = value.map((item) => redactSecrets(item, depth + 1));
    return redacted.some((item, index) => item !== value[index]) ? redacted : value;
  }
  const prototype = Object.getPrototypeOf(value);
  if (prototype !== Object.prototype && prototype !== null) return value;
  let copy: Record<string, unknown> | undefined;
  // for…in, not Object.entries: no array per object; a plain object has no inherited enumerable keys.
  for (const key in value) {
    const item = (value as Record<string, unknown>)[key];
    const redacted = SENSITIVE.has(key.toLowerCase()) ? CENSOR : redactSecrets(item, depth + 1);
    if (redacted === item) continue;
    copy ??= { ...value };
    copy[key] = redacted;
  }
  return copy ?? value;
}

/** The mandatory fields on every line written inside a context. */
function contextFields(): Record<string, unknown> {
  const context = currentContext();
  if (!context) return {};
  const span = activeSpan()?.spanContext();
  return {
    tenant_id: context.tenantId ?? null,
    store_id: context.storeId ?? null,
    user_id: context.userId ?? null,
    session_id: context.sessionId ?? null,
    correlation_id: context.correlationId,
    impersonation_context: context.impersonation ?? null,
    trace_id: span?.traceId ?? null,
    span_id: span?.spanId ?? null,
  };
}

/**
 * pino's isoTime formats a Date for every line; lines written in the same millisecond (several per millisecond
 * under load) share one formatted time.
 */
let lastMillisecond = 0;
let lastTime = '';
function isoTime(): string {
  const now = Date.now();
  if (now !== lastMillisecond) {
    lastMillisecond = now;
    lastTime = `,"time":"${new Date(now).toISOString()}"`;
  }
  return lastTime;
}

let root: Logger = pino({ level: process.env.LOG_LEVEL ?? 'info' });
let destination: pino.DestinationStream | undefined;
let categoryLevels: Record<string, string> = {};
let tap: ((line: string) => void) | undefined;

/** Hands every serialized line to `listener` too (the trace store keeps a request's lines with its spans). */
export function tapLogs(listener: ((line: string) => void) | undefined): void {
  tap = listener;
}

const TAKES_BYTES = Symbol('takesBytes');

/** Lines wait for a batch of this many bytes (about 60 request lines), or at most FLUSH_MS. */
const BATCH_BYTES = 32 * 1024;
const FLUSH_MS = 250;

/**
 * A log file or descriptor: lines written in batches, asynchronously, each handed over as bytes (in its text
 * mode sonic-boom measures the whole pending batch again at every line: about 4 µs a line, against 1 in bytes).
 * A batch is written when full, and whatever waits at every FLUSH_MS tick, so a quiet store's last line still
 * reaches the file (or a log shipper reading stdout) promptly; a 32 KiB batch costs a line ≈ 1.5 µs less than a
 * 4 KiB one.
 */
export function logDestination(dest: number | string): pino.DestinationStream {
  const destination = pino.destination({ dest, sync: false, minLength: BATCH_BYTES, maxWrite: 2 * BATCH_BYTES, periodicFlush: FLUSH_MS, contentMode: 'buffer' });
  return Object.assign(destination, { [TAKES_BYTES]: true });
}

/** The destination, and the tap when one is set; a line is serialized once for both. */
const teeTo = (target: pino.DestinationStream): pino.DestinationStream & { flush(cb: (error?: Error) => void): void } => ({
  write: TAKES_BYTES in target
    ? (line: string) => {
        (target as unknown as { write(bytes: Buffer): void }).write(Buffer.from(line));
        tap?.(line);
      }
    : (line: string) => {
        target.write(line);
        tap?.(line);
      },
  flush(cb) {
    const flushable = target as { flush?: (cb: (error?: Error) => void) => void };
    if (flushable.flush) flushable.flush(cb);
    else cb();
  },
});

export function configureLogging(config: Pick<Config, 'logLevel' | 'logLevels'>, stream?: pino.DestinationStream): Logger {
  categoryLevels = config.logLevels;
  // flushLogs (at shutdown) and pino's exit hook write what a batch still holds.
  destination = stream ?? logDestination(1);
  root = pino(
    {
      level: config.logLevel,
      base: { service: 'village-storefront' },
      timestamp: isoTime,
      messageKey: 'message',
      formatters: { level: (label) => ({ level: label }), log: (object) => redactSecrets(object) as Record<string, unknown> },
      mixin: contextFields,
    },
    teeTo(destination),
  );
  return root;
}

/** A logger for one category (module or platform part); its level comes from LOG_LEVELS when set there. */
export function logger(category: string): Logger {
  const child = root.child({ logger: category });
  const level = categoryLevels[category];
  if (level) child.level = level;
  return child;
}

export function rootLogger(): Logger {
  return root;
}

/**
 * Writes out buffered log lines, in order; awaited before exit so no line is lost. sonic-boom's flushSync alone
 * writes what waits while a batch may still be on its way (its lines would land after the newer ones, or not at
 * all once the process exits), so the batch in flight is waited for first.
 */
export async function flushLogs(): Promise<void> {
  const stream = destination as { flush?: (cb: (error?: Error) => void) => void; flushSync?: () => void } | undefined;
  if (stream?.flush) await new Promise<void>((resolve) => stream.flush!(() => resolve()));
  if (stream?.flushSync) stream.flushSync();
  else root.flush();
}
