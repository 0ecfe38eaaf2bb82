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

function redactPaths(): string[] {
  return REDACTED_KEYS.flatMap((key) => {
    const access = /^[A-Za-z_]\w*$/.test(key) ? `.${key}` : `["${key}"]`;
    return [access.startsWith('.') ? key : access, `*${access}`, `*.*${access}`];
  });
}

/** The seed's mandatory fields (000 "Mandatory Fields") on every line written inside a context. */
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

let root: Logger = pino({ level: process.env.LOG_LEVEL ?? 'info' });
let destination: pino.DestinationStream | undefined;
let categoryLevels: Record<string, string> = {};

export function configureLogging(config: Pick<Config, 'logLevel' | 'logLevels'>, stream?: pino.DestinationStream): Logger {
  categoryLevels = config.logLevels;
  destination = stream ?? pino.destination({ dest: 1, sync: false });
  root = pino(
    {
      level: config.logLevel,
      base: { service: 'village-storefront' },
      timestamp: pino.stdTimeFunctions.isoTime,
      messageKey: 'message',
      formatters: { level: (label) => ({ level: label }) },
      redact: { paths: redactPaths(), censor: '[REDACTED]' },
      mixin: contextFields,
    },
    destination,
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

/** Writes out buffered log lines synchronously; called before exit so no line is lost. */
export function flushLogs(): void {
  const stream = destination as { flushSync?: () => void } | undefined;
  if (stream?.flushSync) stream.flushSync();
  else root.flush();
}
