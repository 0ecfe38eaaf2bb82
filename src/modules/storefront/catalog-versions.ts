import pg from 'pg';
import { logger } from '../../platform/observability/logger.ts';

const CHANNEL = 'catalog_changed';
const RECONNECT_MS = 1_000;

/**
 * Per-tenant catalog versions kept in memory and bumped by `NOTIFY catalog_changed` (sent at the commit of any
 * transaction that wrote a catalog domain event: products, variants, stock, categories, collections, imports), so a warm storefront page costs no catalog query. The listener has a
 * connection of its own. Every (re)connect starts a new generation, which invalidates all cached pages, since
 * notifications may have been missed meanwhile. While not listening, `version` returns undefined and callers
 * ask the database instead.
 */
export class CatalogVersions {
  readonly #versions = new Map<string, number>();
  #generation = 0;
  #client: pg.Client | undefined;
  #connection: pg.ClientConfig | undefined;
  #reconnect: NodeJS.Timeout | undefined;
  readonly #log = logger('storefront.cache');

  /** `connection`: the application pool's settings (`db.pool.options`), so RLS and timeouts are the same. */
  async start(connection: pg.ClientConfig): Promise<void> {
    this.#connection = connection;
    await this.#listen();
  }

  async stop(): Promise<void> {
    this.#connection = undefined;
    clearTimeout(this.#reconnect);
    const client = this.#client;
    this.#client = undefined;
    await client?.end().catch(() => {});
  }

  version(tenantId: string): string | undefined {
    return this.#client ? `n${this.#generation}.${this.#versions.get(tenantId) ?? 0}` : undefined;
  }

  async #listen(): Promise<void> {
    if (!this.#connection) return;
    const client = new pg.Client(this.#connection);
    client.on('notification', (message) => {
      if (message.channel === CHANNEL && message.payload) this.#versions.set(message.payload, (this.#versions.get(message.payload) ?? 0) + 1);
    });
    const lost = (error?: unknown) => {
      if (this.#client !== client) return;
      this.#client = undefined;
      client.end().catch(() => {});
      this.#scheduleReconnect(error);
    };
    client.on('error', lost);
    client.on('end', () => lost());
    try {
      await client.connect();
      await client.query(`LISTEN ${CHANNEL}`);
    } catch (error) {
      client.end().catch(() => {});
      this.#scheduleReconnect(error);
      return;
    }
    this.#generation++;
    this.#versions.clear();
    this.#client = client;
  }

  #scheduleReconnect(error: unknown): void {
    if (!this.#connection) return;
    this.#log.warn({ err: error }, 'catalog change listener lost; pages revalidate against the database until it is back');
    this.#reconnect = setTimeout(() => void this.#listen(), RECONNECT_MS);
    this.#reconnect.unref();
  }
}
