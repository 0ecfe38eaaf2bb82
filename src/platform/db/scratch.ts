import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { startEmbeddedPostgres } from './embedded.ts';
import { migrate } from './migrate.ts';

/**
 * A throwaway database for a test run or a benchmark: on the server of DATABASE_URL when it is set, otherwise
 * on an embedded PostgreSQL in a temporary folder. `drop` removes the database (and stops the embedded server).
 */
export interface ScratchDatabase {
  url: string;
  /** Owner URL of the server's maintenance database, for further scratch databases. */
  adminUrl: string;
  /** Which server: `embedded` or DATABASE_URL's host. */
  server: string;
  drop(): Promise<void>;
}

async function adminClient(adminUrl: string): Promise<pg.Client> {
  const client = new pg.Client({ connectionString: adminUrl });
  await client.connect();
  return client;
}

export async function createScratchDatabase(prefix: string, options: { migrated: boolean }): Promise<ScratchDatabase> {
  let adminUrl: string;
  let server = 'embedded';
  let stopServer = async () => {};
  if (process.env.DATABASE_URL) {
    const url = new URL(process.env.DATABASE_URL);
    url.pathname = '/postgres';
    adminUrl = url.toString();
    server = url.host;
  } else {
    const dir = await mkdtemp(join(tmpdir(), `${prefix}-pg-`));
    const embedded = await startEmbeddedPostgres(dir);
    adminUrl = embedded.adminUrl;
    stopServer = async () => {
      await embedded.stop();
      await rm(dir, { recursive: true, force: true });
    };
  }
  const name = `${prefix.replaceAll('-', '_')}_${randomUUID().replaceAll('-', '').slice(0, 12)}`;
  const admin = await adminClient(adminUrl);
  await admin.query(`create database ${name}`);
  await admin.end();
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  if (options.migrated) await migrate(url.toString(), 'up');
  return {
    url: url.toString(),
    adminUrl,
    server,
    async drop() {
      const client = await adminClient(adminUrl);
      await client.query(`drop database if exists ${name} with (force)`);
      await client.end();
      await stopServer();
    },
  };
}
