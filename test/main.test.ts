import { spawn } from 'node:child_process';
import { execFileSync } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { get } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { freeLoopbackPort } from '../src/platform/db/embedded.ts';

const postgresProcessesFor = (dir: string) => {
  try {
    return execFileSync('pgrep', ['-f', dir], { encoding: 'utf8' }).trim();
  } catch {
    return '';
  }
};

const getWithHost = (port: number, host: string) =>
  new Promise<string>((resolve, reject) => {
    get({ host: '127.0.0.1', port, path: '/', headers: { host } }, (response) => {
      let body = '';
      response.on('data', (chunk) => (body += chunk)).on('end', () => resolve(body));
    }).on('error', reject);
  });

/** The newcomer's path: `npm start` on the embedded default, ready, SIGTERM, exit 0, nothing left running. */
describe('main process on the embedded default', () => {
  it('starts a demo store, answers ready, and stops cleanly on SIGTERM', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'vs-main-'));
    const port = await freeLoopbackPort();
    const env = { ...process.env, DATABASE_URL: '', APP_PROFILE: 'dev', DATA_DIR: dataDir, PORT: String(port), LOG_LEVEL: 'warn' };
    const child = spawn(process.execPath, ['src/main.ts', 'all'], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (chunk) => (output += chunk));
    child.stderr.on('data', (chunk) => (output += chunk));
    try {
      const deadline = Date.now() + 30_000;
      let ready = false;
      while (!ready && Date.now() < deadline) {
        ready = await fetch(`http://127.0.0.1:${port}/q/health/ready`).then((r) => r.ok, () => false);
        if (!ready) await new Promise((resolve) => setTimeout(resolve, 200));
      }
      expect(ready, output).toBe(true);
      expect(output).toContain(`http://demo.localhost:${port}/`);
      const page = await getWithHost(port, `demo.localhost:${port}`);
      expect(page).toContain('Village Demo Boutique');
      expect(page).toContain('Linen Shirt');

      const exited = new Promise<number | null>((resolve) => child.on('exit', resolve));
      child.kill('SIGTERM');
      expect(await exited).toBe(0);
      expect(postgresProcessesFor(dataDir)).toBe('');
    } finally {
      child.kill('SIGKILL');
      await rm(dataDir, { recursive: true, force: true });
    }
  }, 60_000);
});
