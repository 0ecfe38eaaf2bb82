import pg from 'pg';
import type { Config } from '../config/config.ts';
import { connectionFailure } from '../startup-error.ts';
import { startEmbeddedPostgres } from './embedded.ts';

export const EMBEDDED_DATABASE = 'storefront';

/** The owner connection: DATABASE_URL when set, otherwise an embedded PostgreSQL in the data folder. */
export interface OwnerDatabase {
  url: string;
  embedded: boolean;
  stop(): Promise<void>;
}

export async function openOwnerDatabase(config: Config): Promise<OwnerDatabase> {
  if (config.databaseUrl) {
    await checkReachable(config.databaseUrl);
    return { url: config.databaseUrl, embedded: false, stop: async () => {} };
  }
  const server = await startEmbeddedPostgres(config.dataDir);
  await ensureDatabase(server.adminUrl, EMBEDDED_DATABASE);
  return { url: server.urlFor(EMBEDDED_DATABASE), embedded: true, stop: () => server.stop() };
}

/** One connection before anything else, so an unreachable server is named at once instead of deep in a migration. */
async function checkReachable(url: string): Promise<void> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 10_000 });
  try {
    await client.connect();
  } catch (error) {
    throw connectionFailure(url, 'DATABASE_URL', error) ?? error;
  } finally {
    await client.end().catch(() => {});
  }
}

export async function ensureDatabase(adminUrl: string, name: string): Promise<void> {
  const client = new pg.Client({ connectionString: adminUrl });
  await client.connect();
  try {
    const found = await client.query('select 1 from pg_database where datname = $1', [name]);
    if (found.rowCount === 0) await client.query(`create database ${pg.escapeIdentifier(name)}`);
  } finally {
    await client.end();
  }
}
