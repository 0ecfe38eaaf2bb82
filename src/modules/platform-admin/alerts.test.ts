import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PLATFORM_HOST, platformSession } from '../../../test/support/auth.ts';
import { waitFor } from '../../../test/support/jobs.ts';
import { requireTool } from '../../../test/support/os-tools.ts';
import { type TestApp, startTestApp } from '../../../test/support/platform.ts';
import { freeLoopbackPort } from '../../platform/db/embedded.ts';

describe('active-alerts widget', () => {
  it('evaluates the generated rules in process by default: real alerts from the app’s own metrics', async () => {
    const t = await startTestApp();
    try {
      const operator = await platformSession(t.platform);
      const body = await waitFor(async () => {
        const response = await t.app.inject({ url: '/admin/platform/widgets/alerts', headers: { host: PLATFORM_HOST, ...operator.headers } });
        return response.statusCode === 200 ? (response.json() as { alerts: { name: string; summary: string }[] }) : undefined;
      }, 'the first evaluation');
      expect(body).toMatchObject({ source: 'in-process', refresh_seconds: 30, data_as_of: expect.any(String) });
      // A fresh process has observed nothing yet: its SLIs are absent, which the generated rules report.
      const absent = body.alerts.find((alert) => alert.name.endsWith('SLIAbsent'));
      expect(absent).toMatchObject({ state: 'pending', severity: expect.any(String), runbook_url: expect.stringContaining('alert_catalog.md#') });
      expect(absent!.summary).not.toBe('');
    } finally {
      await t.close();
    }
  });

  describe('with ALERTMANAGER_URL', () => {
    let alertmanager: ChildProcess;
    let dir: string;
    let url: string;
    let t: TestApp;

    beforeAll(async () => {
      dir = await mkdtemp(join(tmpdir(), 'vs-am-'));
      await writeFile(join(dir, 'am.yml'), 'route:\n  receiver: none\nreceivers:\n  - name: none\n');
      const port = await freeLoopbackPort();
      url = `http://127.0.0.1:${port}`;
      alertmanager = spawn(
        requireTool('prometheus-alertmanager'),
        [`--config.file=${join(dir, 'am.yml')}`, `--storage.path=${dir}`, `--web.listen-address=127.0.0.1:${port}`, '--cluster.listen-address='],
        { stdio: 'ignore' },
      );
      await waitFor(async () => (await fetch(`${url}/-/ready`).catch(() => undefined))?.ok || undefined, 'alertmanager', 20_000);
      const posted = await fetch(`${url}/api/v2/alerts`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify([
          { labels: { alertname: 'HighErrorRate', severity: 'critical' }, annotations: { summary: 'More than 5 % of requests fail', runbook_url: 'https://docs.example/alert_catalog.md#higherrorrate' } },
        ]),
      });
      expect(posted.ok).toBe(true);
      t = await startTestApp({ ALERTMANAGER_URL: url });
    }, 60_000);

    afterAll(async () => {
      await t?.close();
      alertmanager?.kill();
      if (dir) await rm(dir, { recursive: true, force: true });
    });

    it('reads Alertmanager API v2, and answers 503 with Retry-After when it is down', async () => {
      const operator = await platformSession(t.platform);
      const get = () => t.app.inject({ url: '/admin/platform/widgets/alerts', headers: { host: PLATFORM_HOST, ...operator.headers } });
      const body = await waitFor(async () => {
        const found = (await get()).json();
        return found.alerts?.length > 0 ? found : undefined;
      }, 'the posted alert');
      expect(body).toMatchObject({ source: 'alertmanager', refresh_seconds: 30 });
      expect(body.alerts).toEqual([
        expect.objectContaining({ name: 'HighErrorRate', severity: 'critical', state: 'active', summary: 'More than 5 % of requests fail', runbook_url: 'https://docs.example/alert_catalog.md#higherrorrate' }),
      ]);
      alertmanager.kill();
      await waitFor(async () => ((await fetch(`${url}/-/ready`).catch(() => undefined)) ? undefined : true), 'alertmanager stopped');
      const down = await get();
      expect(down.statusCode).toBe(503);
      expect(down.headers['retry-after']).toBe('30');
      expect(down.headers['content-type']).toContain('application/problem+json');
    });
  });
});
