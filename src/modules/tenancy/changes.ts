import pg from 'pg';
import { logger } from '../../platform/observability/logger.ts';

export const CHANGES_CHANNEL = 'tenancy_changes';

/** What the `notify_change` triggers announce (migration *_tenant_gateway.sql). */
export type ChangeNotice =
  | { kind: 'tenant'; tenant_id: string; status: string | null; previous_status: string | null; subdomains: (string | null)[] }
  | { kind: 'domain'; tenant_id: string; hostname: string }
  | { kind: 'flag'; key: string }
  | { kind: 'override'; tenant_id: string };

export interface ChangeFeed {
  stop(): Promise<void>;
}

const RECONNECT_DELAY_MS = 1_000;

/**
 * LISTENs on one dedicated connection and hands each notice to `onNotice`. After a lost connection it reconnects
 * and calls `onReset` first, since notices sent meanwhile are gone: caches must start over.
 */
export async function listenForChanges(
  connection: pg.ClientConfig,
  onNotice: (notice: ChangeNotice) => void,
  onReset: () => void,
): Promise<ChangeFeed> {
  const log = logger('tenancy.changes');
  let client: pg.Client | undefined;
  let stopped = false;
  let retry: NodeJS.Timeout | undefined;

  const connect = async (): Promise<void> => {
    const next = new pg.Client(connection);
    next.on('notification', (message) => {
      if (message.channel !== CHANGES_CHANNEL || !message.payload) return;
      try {
        onNotice(JSON.parse(message.payload) as ChangeNotice);
      } catch (error) {
        log.error({ err: error, payload: message.payload }, 'change notice not understood');
      }
    });
    next.on('error', (error) => {
      log.warn({ err: error }, 'change feed connection lost; caches start over after reconnecting');
      lost(next);
    });
    next.on('end', () => lost(next));
    await next.connect();
    await next.query(`LISTEN ${CHANGES_CHANNEL}`);
    client = next;
  };

  const lost = (which: pg.Client) => {
    if (stopped || client !== which) return;
    client = undefined;
    which.end().catch(() => {});
    scheduleReconnect();
  };

  const scheduleReconnect = () => {
    retry = setTimeout(() => {
      connect()
        .then(onReset)
        .catch((error: unknown) => {
          log.warn({ err: error }, 'change feed reconnect failed; retrying');
          if (!stopped) scheduleReconnect();
        });
    }, RECONNECT_DELAY_MS);
    retry.unref();
  };

  await connect();
  return {
    async stop() {
      stopped = true;
      clearTimeout(retry);
      await client?.end();
    },
  };
}
