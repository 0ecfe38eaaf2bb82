import { readdir } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { runner } from 'node-pg-migrate';
import pg from 'pg';
import { migrateJobQueue } from '../jobs/queue-schema.ts';
import { logger } from '../observability/logger.ts';
import { StartupError } from '../startup-error.ts';

export const MIGRATIONS_DIR = fileURLToPath(new URL('../../../migrations', import.meta.url));
const MIGRATIONS_TABLE = 'schema_migrations';

export type Direction = 'up' | 'down';

/**
 * Runs SQL migrations (files with `-- Up Migration` / `-- Down Migration` sections) as the owner. All pending
 * migrations run in one transaction, so a failure leaves no partial state. `count` limits how many run;
 * down defaults to one. Going up first installs or upgrades graphile-worker's schema, which ours builds on.
 */
export async function migrate(ownerUrl: string, direction: Direction, count?: number, dir = MIGRATIONS_DIR): Promise<string[]> {
  const log = logger('db.migrate');
  if (direction === 'up') await migrateJobQueue(ownerUrl);
  // The runner announces each migration ("### MIGRATION <name> (UP) ###") before running its SQL.
  let current: string | undefined;
  const ran = await runner({
    databaseUrl: ownerUrl,
    dir,
    migrationsTable: MIGRATIONS_TABLE,
    direction,
    count: count ?? (direction === 'down' ? 1 : Number.POSITIVE_INFINITY),
    singleTransaction: true,
    checkOrder: true,
    advisoryLockMode: 'wait',
    log: (message) => {
      current = /^### MIGRATION (\S+) \((?:UP|DOWN)\) ###/.exec(message)?.[1] ?? current;
      log.debug(message);
    },
  }).catch((error: unknown) => {
    if (!current || !(error instanceof Error)) throw error;
    throw new StartupError(
      `Migration ${current} failed (${direction}): ${error.message}`,
      'Nothing of this run was applied (pending migrations run in one transaction). Fix the migration and run again.',
      { cause: error },
    );
  });
  for (const migration of ran) log.info({ migration: migration.name, direction }, 'migration applied');
  return ran.map((migration) => migration.name);
}

export interface MigrationStatus {
  name: string;
  appliedAt: Date | null;
}

export async function migrationStatus(ownerUrl: string): Promise<MigrationStatus[]> {
  const files = (await readdir(MIGRATIONS_DIR)).filter((file) => file.endsWith('.sql')).map((file) => file.slice(0, -4)).sort();
  const client = new pg.Client({ connectionString: ownerUrl });
  await client.connect();
  try {
    const exists = await client.query(`select to_regclass($1) as t`, [MIGRATIONS_TABLE]);
    const applied = new Map<string, Date>();
    if (exists.rows[0].t) {
      const rows = await client.query(`select name, run_on from ${MIGRATIONS_TABLE}`);
      for (const row of rows.rows) applied.set(row.name, row.run_on);
    }
    return files.map((name) => ({ name, appliedAt: applied.get(name) ?? null }));
  } finally {
    await client.end();
  }
}
