import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { freeLoopbackPort } from '../../src/platform/db/embedded.ts';
import { httpGet } from '../support/http.ts';
import { startMainProcess } from '../support/main-process.ts';
import { testDatabaseUrl } from '../support/platform.ts';

const env = () => ({ APP_PROFILE: 'test', DATABASE_URL: testDatabaseUrl(), SEED_DEMO: 'false', LOG_LEVEL: 'warn' });

const smoke = (baseUrl: string) => spawnSync(process.execPath, ['scripts/smoke.ts', baseUrl, 'localhost'], { encoding: 'utf8', timeout: 30_000 });

/** What the Kubernetes manifests rely on at run time: probes and scrapes on every role, the smoke test of blue/green. */
describe('the processes the manifests run', () => {
  it('a worker answers its probes and the Prometheus scrape on PORT', async () => {
    const port = await freeLoopbackPort();
    const worker = await startMainProcess('worker', port, env());
    try {
      const live = await httpGet(port, '/q/health/live');
      expect(live.status).toBe(200);
      const ready = JSON.parse((await httpGet(port, '/q/health/ready')).body);
      expect(ready.status).toBe('UP');
      expect(ready.checks.find((check: { name: string }) => check.name === 'job-queue').data.runners.length).toBeGreaterThan(0);
      const metrics = await httpGet(port, '/q/metrics');
      expect(metrics.body).toMatch(/^villagecompute_storefront_jobs_worker_heartbeat_timestamp_seconds \d/m);
      expect((await httpGet(port, '/')).status).toBe(404);
      expect(await worker.stop(), worker.output()).toBe(0);
    } finally {
      worker.child.kill('SIGKILL');
    }
  }, 60_000);

  it('the smoke test passes against a ready web process and fails against none', async () => {
    const port = await freeLoopbackPort();
    const web = await startMainProcess('web', port, env());
    try {
      const passed = smoke(`http://127.0.0.1:${port}`);
      expect(passed.status, passed.stdout + passed.stderr).toBe(0);
      const checks = passed.stdout.trim().split('\n').map((line) => JSON.parse(line));
      expect(checks.map((check) => [check.check, check.ok])).toEqual([
        ['live', true],
        ['ready', true],
        ['signing-keys', true],
        ['platform-home', true],
      ]);
    } finally {
      expect(await web.stop()).toBe(0);
    }
    const failed = smoke(`http://127.0.0.1:${port}`);
    expect(failed.status).toBe(1);
    expect(failed.stdout).toContain('"ok":false');
  }, 60_000);
});
