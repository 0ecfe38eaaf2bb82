import pg from 'pg';
import { type Config, ConfigError } from '../config/config.ts';
import { connectionFailure } from '../startup-error.ts';
import { startEmbeddedPostgres } from './embedded.ts';

export const EMBEDDED_DATABASE = 'storefront';

/**
 * The owner connection: DATABASE_URL when set; none when only APP_DATABASE_URL is (a web replica of a deployment
 * that migrates as a release step holds no owner credentials); otherwise an embedded PostgreSQL in the data folder.
 */
export interface OwnerDatabase {
  url: string | undefined;
  embedded: boolean;
  stop(): Promise<void>;
}

export async function openOwnerDatabase(config: Config): Promise<OwnerDatabase> {
  if (config.databaseUrl) {
    await checkReachable(config.databaseUrl, 'DATABASE_URL');
    return { url: config.databaseUrl, embedded: false, stop: async () => {} };
  }
  if (config.appDatabaseUrl) {
    await checkReachable(config.appDatabaseUrl, 'APP_DATABASE_URL');
    return { url: undefined, embedded: false, stop: async () => {} };
  }
  const server = await startEmbeddedPostgres(config.dataDir);
  await ensureDatabase(server.adminUrl, EMBEDDED_DATABASE);
  return { url: server.urlFor(EMBEDDED_DATABASE), embedded: true, stop: () => server.stop() };
}

/** One connection before anything else, so an unreachable server is named at once instead of deep in a migration. */
async function checkReachable(url: string, variable: string): Promise<void> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 10_000 });
  try {
    await client.connect();
  } catch (error) {
    throw connectionFailure(url, variable, error) ?? error;
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

/** The owner URL for work that needs it (migrations, the job worker); a clear configuration error without it. */
export function ownerUrlFor(owner: OwnerDatabase, purpose: string): string {
  if (!owner.url) throw new ConfigError('DATABASE_URL', `is required for ${purpose} (the owner connection)`);
  return owner.url;
}
