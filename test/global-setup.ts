/**
 * One PostgreSQL for the whole run: the server of DATABASE_URL when set (e.g. the machine's PostgreSQL 15),
 * otherwise an embedded one in a temporary folder. A fresh database is created, migrated, and dropped after.
 */
import type { TestProject } from 'vitest/node';
import { createScratchDatabase } from '../src/platform/db/scratch.ts';
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
  const database = await createScratchDatabase('vs-test', { migrated: true });
  project.provide('databaseUrl', database.url);
  project.provide('adminUrl', database.adminUrl);
  return () => database.drop();
}
