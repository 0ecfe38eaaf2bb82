import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Db } from '../src/platform/db/database.ts';
import { testDatabaseUrl, testDb } from './support/platform.ts';

const run = promisify(execFile);

async function cli(...args: string[]): Promise<{ code: number; out: string }> {
  const env = { ...process.env, APP_PROFILE: 'test', DATABASE_URL: testDatabaseUrl(), LOG_LEVEL: 'error' };
  try {
    const { stdout } = await run(process.execPath, ['src/cli/platform.ts', ...args], { env });
    return { code: 0, out: stdout };
  } catch (error) {
    const failed = error as { code: number; stdout: string; stderr: string };
    return { code: failed.code, out: failed.stdout + failed.stderr };
  }
}

describe('npm run platform', () => {
  let db: Db;
  beforeAll(() => {
    db = testDb();
  });
  afterAll(() => db.close());

  it('onboards, re-plans, suspends and lists a store, each as an audited platform command', async () => {
    const subdomain = `cli-${randomUUID().slice(0, 8)}`;
    const created = await cli('stores', 'create', subdomain, 'Shell Shop', '--plan', 'starter', '--reason', 'Onboarding call', '--ticket', 'ONB-3');
    expect(created.code, created.out).toBe(0);
    const storeId: string = JSON.parse(created.out).tenant.id;
    expect(await cli('stores', 'plan', storeId, 'growth', '--reason', 'Upgrade')).toMatchObject({ code: 0 });
    expect(await cli('stores', 'suspend', storeId, '--reason', 'Fraud review')).toMatchObject({ code: 0 });
    expect(await cli('stores', 'list', subdomain)).toMatchObject({ code: 0, out: expect.stringContaining(`${subdomain}  suspended  growth  Shell Shop`) });

    const commands = await db.withPlatform((trx) =>
      trx.selectFrom('platform_commands').select(['command', 'reason']).where('tenant_id', '=', storeId).orderBy('at').execute(),
    );
    expect(commands).toEqual([
      { command: 'tenant.create', reason: 'Onboarding call' },
      { command: 'tenant.plan', reason: 'starter → growth: Upgrade' },
      { command: 'tenant.suspend', reason: 'Fraud review' },
    ]);
  }, 90_000);

  // Each run is a process start (~2 s): one refusal here; the claim rules are tested in the tenancy module.
  it('refuses a change without a reason', async () => {
    expect(await cli('stores', 'create', 'fine-name', 'X')).toMatchObject({ code: 2, out: expect.stringContaining('--reason is required') });
  }, 90_000);
});
