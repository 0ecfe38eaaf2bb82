import type pg from 'pg';
import { logger } from '../../platform/observability/logger.ts';

const CHANNEL = 'catalog_changed';
const RECONNECT_MS = 1_000;

/**
 * Per-tenant catalog versions kept in memory and bumped by `NOTIFY catalog_changed` (sent at the commit of any
 * transaction that wrote a domain event), so a warm storefront page costs no catalog query. Every (re)connect
 * starts a new generation, which invalidates all cached pages, since notifications may have been missed while
 * disconnected. While not listening, `version` returns undefined and callers ask the database instead.
 */
export class CatalogVersions {
  readonly #versions = new Map<string, number>();
  #generation = 0;
  #client: pg.PoolClient | undefined;
  #pool: pg.Pool | undefined;
  #reconnect: NodeJS.Timeout | undefined;
  readonly #log = logger('storefront.cache');

  async start(pool: pg.Pool): Promise<void> {
    this.#pool = pool;
    await this.#listen();
  }

  async stop(): Promise<void> {
    this.#pool = undefined;
    clearTimeout(this.#reconnect);
    const client = this.#client;
    this.#client = undefined;
    // The connection may still report its end; nobody listens any more.
    client?.removeAllListeners('error').on('error', () => {});
    client?.release(true);
  }

  version(tenantId: string): string | undefined {
    return this.#client ? `n${this.#generation}.${this.#versions.get(tenantId) ?? 0}` : undefined;
  }

  async #listen(): Promise<void> {
    const pool = this.#pool;
    if (!pool) return;
    let client: pg.PoolClient;
    try {
      client = await pool.connect();
    } catch (error) {
      this.#scheduleReconnect(error);
      return;
    }
    client.on('notification', (message) => {
      if (message.payload) this.#versions.set(message.payload, (this.#versions.get(message.payload) ?? 0) + 1);
    });
    client.on('error', (error) => {
      if (this.#client !== client) return;
      this.#client = undefined;
      client.release(true);
      this.#scheduleReconnect(error);
    });
    try {
      await client.query(`LISTEN ${CHANNEL}`);
    } catch (error) {
      client.release(true);
      this.#scheduleReconnect(error);
      return;
    }
    this.#generation++;
    this.#versions.clear();
    this.#client = client;
  }

  #scheduleReconnect(error: unknown): void {
    if (!this.#pool) return;
    this.#log.warn({ err: error }, 'catalog change listener lost; pages revalidate against the database until it is back');
    this.#reconnect = setTimeout(() => void this.#listen(), RECONNECT_MS);
    this.#reconnect.unref();
  }
}
