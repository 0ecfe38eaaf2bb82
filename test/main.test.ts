import { execFileSync } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { freeLoopbackPort } from '../src/platform/db/embedded.ts';
import { httpGet } from './support/http.ts';
import { startMainProcess } from './support/main-process.ts';

const postgresProcessesFor = (dir: string) => {
  try {
    return execFileSync('pgrep', ['-f', dir], { encoding: 'utf8' }).trim();
  } catch {
    return '';
  }
};

/** The newcomer's path: `npm start` on the embedded default, ready, SIGTERM, exit 0, nothing left running. */
describe('main process on the embedded default', () => {
  it('starts a demo store, answers ready, and stops cleanly on SIGTERM', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'vs-main-'));
    const port = await freeLoopbackPort();
    try {
      const main = await startMainProcess('all', port, { DATABASE_URL: '', APP_PROFILE: 'dev', DATA_DIR: dataDir, LOG_LEVEL: 'warn' });
      try {
        expect(main.output()).toContain(`http://demo.localhost:${port}/`);
        const page = await httpGet(port, '/', { host: `demo.localhost:${port}` });
        expect(page.body).toContain('Village Demo Boutique');
        expect(page.body).toContain('Linen Shirt');
        expect(await main.stop()).toBe(0);
        expect(postgresProcessesFor(dataDir)).toBe('');
      } finally {
        main.child.kill('SIGKILL');
      }
    } finally {
      await rm(dataDir, { recursive: true, force: true });
    }
  }, 120_000);
});
