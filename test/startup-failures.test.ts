import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { freeLoopbackPort } from '../src/platform/db/embedded.ts';
import { runToExit, startMainProcess } from './support/main-process.ts';

/** Every start-up failure says what failed and what to do, from a real `node src/main.ts`. */
describe('start-up failures name their cause', () => {
  const main = (env: NodeJS.ProcessEnv) => runToExit(process.execPath, ['src/main.ts'], { APP_PROFILE: 'dev', LOG_LEVEL: 'fatal', ...env });
  const scratch: string[] = [];
  afterAll(async () => {
    const admin = new pg.Client({ connectionString: inject('adminUrl') });
    await admin.connect();
    for (const name of scratch) await admin.query(`drop database if exists ${name} with (force)`);
    await admin.end();
  });

  it('a data folder held by a running instance: its PostgreSQL PID', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'vs-busy-'));
    const first = await startMainProcess('web', await freeLoopbackPort(), { DATABASE_URL: '', APP_PROFILE: 'dev', DATA_DIR: dataDir, SEED_DEMO: 'false', LOG_LEVEL: 'warn' });
    try {
      const second = await main({ DATABASE_URL: '', DATA_DIR: dataDir, PORT: String(await freeLoopbackPort()) });
      expect(second.code).toBe(1);
      expect(second.output).toMatch(/Start-up failed: The data folder .*vs-busy-.* is in use by PostgreSQL \(PID \d+\)/);
      expect(second.output).toContain('set DATA_DIR to another folder');
      expect(second.output).not.toContain('undefined');
    } finally {
      expect(await first.stop()).toBe(0);
      await rm(dataDir, { recursive: true, force: true });
    }
  }, 90_000);

  it('a port in use: the port and the variable to change', async () => {
    const holder = createServer();
    const port = await new Promise<number>((resolve) => holder.listen(0, '127.0.0.1', () => resolve((holder.address() as { port: number }).port)));
    try {
      const run = await main({ DATABASE_URL: inject('databaseUrl'), SEED_DEMO: 'false', PORT: String(port) });
      expect(run.code).toBe(1);
      expect(run.output).toContain(`Start-up failed: Port ${port} on 127.0.0.1 is in use by another process`);
      expect(run.output).toContain('set PORT to a free port');
    } finally {
      holder.close();
    }
  });

  it('an unreachable database: host and port, and DATABASE_URL', async () => {
    const port = await freeLoopbackPort();
    const run = await main({ DATABASE_URL: `postgres://postgres:secret-pw@127.0.0.1:${port}/shop` });
    expect(run.code).toBe(1);
    expect(run.output).toContain(`Start-up failed: The database at 127.0.0.1:${port}/shop is unreachable (ECONNREFUSED)`);
    expect(run.output).toContain('Check DATABASE_URL');
    expect(run.output).not.toContain('secret-pw');
  });

  it('a failing migration: its name and the SQL error', async () => {
    const name = `vs_broken_${Date.now()}`;
    scratch.push(name);
    const admin = new pg.Client({ connectionString: inject('adminUrl') });
    await admin.connect();
    await admin.query(`create database ${name}`);
    await admin.end();
    const url = new URL(inject('adminUrl'));
    url.pathname = `/${name}`;
    // The kernel migration creates this function; a database that already has it cannot take the migration.
    const db = new pg.Client({ connectionString: url.toString() });
    await db.connect();
    await db.query('create function app_current_tenant() returns uuid language sql as $$ select null::uuid $$');
    await db.end();

    const run = await main({ DATABASE_URL: url.toString(), SEED_DEMO: 'false', PORT: String(await freeLoopbackPort()) });
    expect(run.code).toBe(1);
    expect(run.output).toMatch(/Start-up failed: Migration 20261123000000_kernel failed \(up\): function "?app_current_tenant"? already exists/);
    expect(run.output).toContain('Nothing of this run was applied');
  });

  it('a role given as an argument: APP_ROLE is the one way', async () => {
    const run = await runToExit(process.execPath, ['src/main.ts', 'worker'], { LOG_LEVEL: 'fatal' });
    expect(run.code).toBe(1);
    expect(run.output).toContain('Configuration error: APP_ROLE: the role is chosen by APP_ROLE, not by arguments');
  });
});

describe('the role', () => {
  it('APP_ROLE=web npm start runs the web role only', async () => {
    const port = await freeLoopbackPort();
    const child = spawn('npm', ['start'], {
      env: { ...process.env, APP_ROLE: 'web', APP_PROFILE: 'dev', DATABASE_URL: inject('databaseUrl'), SEED_DEMO: 'false', PORT: String(port), LOG_LEVEL: 'warn' },
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true,
    });
    let output = '';
    child.stdout.on('data', (chunk) => (output += chunk));
    child.stderr.on('data', (chunk) => (output += chunk));
    const exited = new Promise((resolve) => child.on('exit', resolve));
    try {
      const deadline = Date.now() + 30_000;
      while (!output.includes('Village Storefront is running') && Date.now() < deadline && child.exitCode === null) await new Promise((r) => setTimeout(r, 100));
      expect(output).toContain('Village Storefront is running (web).');
    } finally {
      if (child.pid) process.kill(-child.pid, 'SIGTERM');
      await exited;
    }
  }, 60_000);
});
