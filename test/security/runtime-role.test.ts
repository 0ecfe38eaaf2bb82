import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { modules } from '../../src/modules/index.ts';
import { loadConfig } from '../../src/platform/config/config.ts';
import { startPlatform } from '../../src/platform/runtime/start.ts';
import { ownerClient, testDatabaseUrl } from '../support/platform.ts';

/** A web replica of a deployment that migrates as a release step: its own login role, no owner credentials. */
describe('runtime database role (M3)', () => {
  const role = `vs_web_${randomUUID().slice(0, 8)}`;
  const password = randomUUID();
  const appUrl = () => Object.assign(new URL(testDatabaseUrl()), { username: role, password }).toString();

  beforeAll(async () => {
    const owner = await ownerClient();
    await owner.query(`create role ${role} login password '${password}' in role storefront_app`);
    await owner.end();
  });
  afterAll(async () => {
    const owner = await ownerClient();
    await owner.query(`drop role ${role}`);
    await owner.end();
  });

  it('starts a web replica with only APP_DATABASE_URL when migrations are their own step', async () => {
    const config = loadConfig({ APP_PROFILE: 'test', APP_DATABASE_URL: appUrl(), MIGRATE_ON_START: 'false', SEED_DEMO: 'false' });
    expect(config.databaseUrl).toBeUndefined();
    const running = await startPlatform(config, ['web'], modules);
    await running.stop();
  });

  it('stops start-up with a clear message when asked to migrate or run jobs without the owner connection', async () => {
    const migrating = loadConfig({ APP_PROFILE: 'test', APP_DATABASE_URL: appUrl(), MIGRATE_ON_START: 'true', SEED_DEMO: 'false' });
    await expect(startPlatform(migrating, ['web'], modules)).rejects.toThrow(/DATABASE_URL: is required for migrating at start/);
    const worker = loadConfig({ APP_PROFILE: 'test', APP_DATABASE_URL: appUrl(), MIGRATE_ON_START: 'false', SEED_DEMO: 'false' });
    await expect(startPlatform(worker, ['worker'], modules)).rejects.toThrow(/DATABASE_URL: is required for the job worker/);
  });

  it('refuses to start when the application connection is the superuser owner', async () => {
    const config = loadConfig({ APP_PROFILE: 'test', DATABASE_URL: testDatabaseUrl(), APP_DATABASE_URL: testDatabaseUrl(), SEED_DEMO: 'false' });
    await expect(startPlatform(config, ['web'], modules)).rejects.toThrow(/database role is unsafe, refusing to start: .* is a superuser/);
  });
});
