import { cp, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ownerClient, scratchDatabase } from '../../../test/support/platform.ts';
import { MIGRATIONS_DIR, migrate, migrationStatus } from './migrate.ts';

const tableExists = async (url: string, table: string) => {
  const client = await ownerClient(url);
  const { rows } = await client.query('select to_regclass($1) is not null as present', [table]);
  await client.end();
  return rows[0].present as boolean;
};

describe('migrations', () => {
  const cleanup: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const step of cleanup.splice(0)) await step();
  });

  it('go up, report status, go down and up again', async () => {
    const db = await scratchDatabase();
    cleanup.push(db.drop);
    const applied = await migrate(db.url, 'up');
    expect(applied.length).toBeGreaterThan(0);
    expect((await migrationStatus(db.url)).every((row) => row.appliedAt)).toBe(true);
    expect(await tableExists(db.url, 'tenants')).toBe(true);

    await migrate(db.url, 'down', applied.length);
    expect(await tableExists(db.url, 'tenants')).toBe(false);
    expect((await migrationStatus(db.url)).every((row) => row.appliedAt === null)).toBe(true);

    expect(await migrate(db.url, 'up')).toEqual(applied);
  });

  it('leave no partial state when one fails', async () => {
    const db = await scratchDatabase();
    const dir = await mkdtemp(join(tmpdir(), 'vs-migrations-'));
    cleanup.push(db.drop, () => rm(dir, { recursive: true, force: true }));
    await cp(MIGRATIONS_DIR, dir, { recursive: true });
    await writeFile(
      join(dir, '29991231000000_broken.sql'),
      '-- Up Migration\nCREATE TABLE half_done (id int);\nSELECT no_such_function();\n-- Down Migration\nDROP TABLE half_done;\n',
    );
    await expect(migrate(db.url, 'up', undefined, dir)).rejects.toThrow(/no_such_function/);
    expect(await tableExists(db.url, 'half_done')).toBe(false);
    expect(await tableExists(db.url, 'tenants')).toBe(false);
  });
});
