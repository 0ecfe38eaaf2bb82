/**
 * One PostgreSQL for the whole run: the server of DATABASE_URL when set (e.g. the machine's PostgreSQL 15),
 * otherwise an embedded one in a temporary folder. A fresh database is created, migrated, and dropped after.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import type { TestProject } from 'vitest/node';
import { startEmbeddedPostgres } from '../src/platform/db/embedded.ts';
import { migrate } from '../src/platform/db/migrate.ts';
import { configureLogging } from '../src/platform/observability/logger.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    /** Owner URL of the migrated test database. */
    databaseUrl: string;
    /** Owner URL of the server's maintenance database, for tests that need a scratch database. */
    adminUrl: string;
  }
}

export default async function setup(project: TestProject) {
  configureLogging({ logLevel: 'warn', logLevels: {} });
  let adminUrl: string;
  let stopServer = async () => {};
  if (process.env.DATABASE_URL) {
    const url = new URL(process.env.DATABASE_URL);
    url.pathname = '/postgres';
    adminUrl = url.toString();
  } else {
    const dir = await mkdtemp(join(tmpdir(), 'vs-test-pg-'));
    const server = await startEmbeddedPostgres(dir);
    adminUrl = server.adminUrl;
    stopServer = async () => {
      await server.stop();
      await rm(dir, { recursive: true, force: true });
    };
  }
  const name = `vs_test_${Date.now()}_${process.pid}`;
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  await admin.query(`create database ${name}`);
  await admin.end();
  const databaseUrl = new URL(adminUrl);
  databaseUrl.pathname = `/${name}`;
  await migrate(databaseUrl.toString(), 'up');
  project.provide('databaseUrl', databaseUrl.toString());
  project.provide('adminUrl', adminUrl);

  return async () => {
    const client = new pg.Client({ connectionString: adminUrl });
    await client.connect();
    await client.query(`drop database if exists ${name} with (force)`);
    await client.end();
    await stopServer();
  };
}
