import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Db } from '../src/platform/db/database.ts';
import { startTxtServer } from './support/dns-server.ts';
import { makeTenant, testDatabaseUrl, testDb } from './support/platform.ts';

const run = promisify(execFile);

let dnsServer = 'offline';

async function cli(...args: string[]): Promise<{ code: number; out: string }> {
  const env = { ...process.env, APP_PROFILE: 'test', DATABASE_URL: testDatabaseUrl(), LOG_LEVEL: 'error', DNS_RESOLVER: dnsServer };
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
    const ownerEmail = `${subdomain}@example.test`;
    const ownerless = await cli('stores', 'create', subdomain, 'Shell Shop', '--reason', 'Onboarding call');
    expect(ownerless).toMatchObject({ code: 2, out: expect.stringContaining('--owner-email and --owner-name are required') });
    const owner = ['--owner-email', ownerEmail, '--owner-name', 'Shelly Shell'];
    const created = await cli('stores', 'create', subdomain, 'Shell Shop', ...owner, '--plan', 'starter', '--reason', 'Onboarding call', '--ticket', 'ONB-3');
    expect(created.code, created.out).toBe(0);
    const storeId: string = JSON.parse(created.out).tenant.id;
    expect(JSON.parse(created.out).owner).toMatchObject({ email: ownerEmail });
    const [invitation] = await db.withPlatform((trx) => trx.selectFrom('mail_outbox').selectAll().where('to_address', '=', ownerEmail).execute());
    expect(invitation).toMatchObject({ tenant_id: storeId, subject: 'Your store Shell Shop is ready' });
    expect(invitation!.body_text).toMatch(new RegExp(`http://${subdomain}\\.localhost/admin/welcome/[A-Za-z0-9_-]{43}`));
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

  it('adds, shows, verifies over DNS and removes a custom domain, each change an audited platform command', async () => {
    const dns = await startTxtServer();
    dnsServer = dns.server;
    try {
      const store = await makeTenant(db, 'Domain CLI Store');
      const hostname = `cli-${randomUUID().slice(0, 8)}.example.com`;
      const added = await cli('domains', 'add', store.id, hostname, '--reason', 'Merchant asked', '--ticket', 'DOM-1');
      expect(added.code, added.out).toBe(0);
      const { domain } = JSON.parse(added.out);
      expect(domain).toMatchObject({ hostname, status: 'pending', verification: { type: 'TXT', name: `_village-verification.${hostname}` } });
      expect(await cli('domains', 'show', store.id)).toMatchObject({ code: 0, out: expect.stringContaining(domain.verification.value) });
      expect(await cli('domains', 'verify', store.id, hostname, '--reason', 'Too early')).toMatchObject({ code: 1, out: expect.stringContaining('No TXT record') });
      dns.publish(domain.verification.name, domain.verification.value);
      const verified = await cli('domains', 'verify', store.id, hostname, '--reason', 'Record published');
      expect(JSON.parse(verified.out).domain.status).toBe('active');
      expect(await cli('domains', 'remove', store.id, hostname, '--reason', 'Merchant left')).toMatchObject({ code: 0 });
      const commands = await db.withPlatform((trx) =>
        trx.selectFrom('platform_commands').select(['command', 'reason', 'ticket']).where('tenant_id', '=', store.id).orderBy('at').execute(),
      );
      expect(commands).toEqual([
        { command: 'tenant.domain.add', reason: `${hostname}: Merchant asked`, ticket: 'DOM-1' },
        { command: 'tenant.domain.verify', reason: `${hostname}: Record published`, ticket: null },
        { command: 'tenant.domain.remove', reason: `${hostname}: Merchant left`, ticket: null },
      ]);
      expect(await cli('domains', 'show', store.id)).toMatchObject({ code: 0, out: '[]\n' });
    } finally {
      dnsServer = 'offline';
      await dns.close();
    }
  }, 60_000);

  // Each run is a process start (~2 s): one refusal here; the claim rules are tested in the tenancy module.
  it('refuses a change without a reason', async () => {
    expect(await cli('stores', 'create', 'fine-name', 'X')).toMatchObject({ code: 2, out: expect.stringContaining('--reason is required') });
  }, 90_000);
});
