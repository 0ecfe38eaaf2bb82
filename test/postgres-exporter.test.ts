import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freeLoopbackPort } from '../src/platform/db/embedded.ts';
import { externalMetrics } from '../src/platform/observability/promql.ts';
import '../src/platform/db/telemetry.ts';
import { waitFor } from '../scripts/monitoring/stack.ts';
import { ownerClient, testDatabaseUrl } from './support/platform.ts';

/** The Debian postgres_exporter as the migration's exporter role, with the generated queries file. */
describe('postgres_exporter', () => {
  let exporter: ChildProcess;
  let port = 0;
  let output = '';

  beforeAll(async () => {
    port = await freeLoopbackPort();
    // As an operator would: the migration creates the role, the deployment gives it a password.
    const password = randomBytes(12).toString('hex');
    const owner = await ownerClient();
    await owner.query(`alter role storefront_exporter password '${password}'`);
    await owner.end();
    const url = new URL(testDatabaseUrl());
    url.username = 'storefront_exporter';
    url.password = password;
    url.searchParams.set('sslmode', 'disable');
    exporter = spawn(
      'prometheus-postgres-exporter',
      [`--web.listen-address=127.0.0.1:${port}`, `--extend.query-path=${join(import.meta.dirname, '../monitoring/postgres-exporter/queries.yaml')}`],
      { env: { ...process.env, DATA_SOURCE_NAME: url.toString() }, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    exporter.on('error', (error: NodeJS.ErrnoException) => {
      output += error.code === 'ENOENT' ? 'prometheus-postgres-exporter is not installed: apt-get install prometheus-postgres-exporter' : String(error);
    });
    exporter.stdout?.on('data', (chunk) => (output += chunk));
    exporter.stderr?.on('data', (chunk) => (output += chunk));
  });
  afterAll(() => {
    exporter?.kill('SIGKILL');
  });

  it('connects with pg_monitor only and exposes every exporter metric the rules and dashboards name', async () => {
    const scrape = await waitFor(
      'postgres_exporter /metrics with pg_up 1',
      async () => {
        const text = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
        return /^pg_up 1$/m.test(text) ? text : undefined;
      },
      20_000,
      () => output,
    );
    const owner = await ownerClient();
    const { rows } = await owner.query(
      `select pg_has_role('storefront_exporter', 'pg_monitor', 'member') as monitor,
              has_table_privilege('storefront_exporter', 'tenants', 'select') as tenants,
              exists (select 1 from pg_extension where extname = 'pg_stat_statements')
                and current_setting('shared_preload_libraries') like '%pg_stat_statements%' as statements`,
    );
    await owner.end();
    expect(rows[0]).toMatchObject({ monitor: true, tenants: false });
    const exposed = new Set([...scrape.matchAll(/^# TYPE (\S+) /gm)].map((match) => match[1]!));
    const named = externalMetrics().filter((metric) => metric.source === 'postgres_exporter');
    expect(named.length).toBeGreaterThan(10);
    for (const metric of named) {
      if (metric.name.startsWith('pg_stat_statements_') && !rows[0].statements) continue;
      expect(exposed.has(metric.name), `${metric.name} is not exported`).toBe(true);
    }
    // A server that preloads pg_stat_statements (the embedded default does) shows the top statements.
    if (!process.env.DATABASE_URL) expect(rows[0].statements).toBe(true);
  });
});
