import { readFile, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { collect } from '../scripts/monitoring/collect.ts';
import { ROUTING_CASES } from '../scripts/monitoring/alertmanager.ts';
import { DASHBOARDS } from '../scripts/monitoring/dashboards.ts';
import { GENERATED_DIRS, generate } from '../scripts/monitoring/generate.ts';
import { RULE_FILES } from '../scripts/monitoring/rules.ts';
import { metricCatalog } from '../src/platform/observability/metrics.ts';
import { externalMetrics } from '../src/platform/observability/promql.ts';
import { osTool } from './support/os-tools.ts';
import { type TestApp, startTestApp } from './support/platform.ts';

const root = join(import.meta.dirname, '..');
const collected = collect();
const output = generate(collected);
const rulesDir = join(root, 'monitoring/prometheus-rules');

interface DashboardJson {
  uid: string;
  panels: { id: number; title: string; description?: string; type: string; datasource?: { uid: string }; fieldConfig?: { defaults?: { unit?: string } }; targets?: { expr: string }[]; links?: { url: string }[] }[];
  templating: { list: { name: string }[] };
  annotations: { list: { name: string }[] };
}
const dashboard = (uid: string) => JSON.parse(output.files.get(`monitoring/grafana-dashboards/${uid}.json`)!) as DashboardJson;

/** Every expression of a rule or a panel. */
function expressions(): string[] {
  const rules = RULE_FILES.flatMap((file) => output.files.get(`monitoring/prometheus-rules/${file}.rules.yaml`)!.split('\n'))
    .filter((line) => /^\s+expr: /.test(line))
    .map((line) => line.replace(/^\s+expr: /, ''));
  const panels = DASHBOARDS.flatMap(({ uid }) => dashboard(uid).panels.flatMap((panel) => panel.targets ?? []).map((target) => target.expr));
  return [...rules, ...panels, ...collected.annotations.map((annotation) => annotation.expr)];
}

const OURS = /\bvillagecompute_storefront_[a-z0-9_]+/g;
const THEIRS = /\b(?:pg|node)_[a-z0-9_]+/g;
const histogramBase = (name: string) => name.replace(/_(bucket|count|sum)$/, '');

describe('generated monitoring files', () => {
  it('are what `npm run monitoring` writes now, with nothing stale beside them', async () => {
    for (const [path, content] of output.files) expect(await readFile(join(root, path), 'utf8'), `${path} is stale: run npm run monitoring`).toBe(content);
    for (const dir of GENERATED_DIRS) {
      const entries = await readdir(join(root, dir), { recursive: true, withFileTypes: true });
      for (const entry of entries.filter((candidate) => candidate.isFile())) {
        const path = join(entry.parentPath, entry.name).slice(root.length + 1);
        expect(output.files.has(path), `${path} is not generated any more`).toBe(true);
      }
    }
    expect(generate(collect()).files).toEqual(output.files);
  });

  it('hold the named KPI, job and platform alerts in their files and groups', () => {
    const counts = Object.fromEntries(output.counts);
    expect(counts['monitoring/prometheus-rules/background-jobs.rules.yaml']).toMatch(/^7 groups, 15 alerts/);
    for (const name of ['CriticalQueueDepthHigh', 'DefaultQueueDepthHigh', 'AnyQueueDepthCritical', 'DeadLetterQueueDepthHigh', 'QueueOverflowEvents', 'JobFailureRateSLAViolation', 'WorkerPodRestartRate', 'JobsNotProcessing', 'WorkerHeartbeatMissing']) {
      expect(collected.alerts.find((alert) => alert.name === name)?.file).toBe('background-jobs');
    }
    for (const name of ['TenantResolutionLatencyHigh', 'TenantMisclassificationRateHigh', 'TokenIssuanceLatencyHigh', 'TokenRefreshSuccessRateLow', 'StorefrontColdRenderSlow', 'HydrationBundleSizeLarge', 'CatalogBulkImportThroughputLow', 'VariantUpsertLatencyHigh', 'PlatformAdminStoreListSlow']) {
      expect(collected.alerts.find((alert) => alert.name === name)?.file).toBe('component-kpis');
    }
    for (const name of ['HighErrorRate', 'DatabasePoolExhausted', 'SlowAPIResponses', 'WorkerDown', 'DiskSpaceLow']) {
      expect(collected.alerts.find((alert) => alert.name === name)?.file).toBe('platform');
    }
    for (const alert of collected.alerts) {
      expect(alert.description, alert.name).toContain('$');
      expect(alert.steps.length, alert.name).toBeGreaterThan(0);
    }
  });

  it('pass promtool check rules', async () => {
    const result = await osTool('promtool', ['check', 'rules', ...RULE_FILES.map((file) => `${file}.rules.yaml`)], { cwd: rulesDir });
    expect(result.code, result.stdout + result.stderr).toBe(0);
    expect(result.stdout).toContain('SUCCESS');
  });

  it('pass promtool test rules: every alert fires and stays quiet, every burn-rate tier at its threshold', async () => {
    const result = await osTool('promtool', ['test', 'rules', ...RULE_FILES.map((file) => `tests/${file}.test.yaml`)], { cwd: rulesDir });
    expect(result.code, result.stdout + result.stderr).toBe(0);
    expect(result.stdout.match(/SUCCESS/g)).toHaveLength(RULE_FILES.length);
  }, 240_000);

  it('route each severity to its receiver (amtool), with the queue-depth inhibitions', async () => {
    const config = 'monitoring/alertmanager/alertmanager.yml';
    const check = await osTool('amtool', ['check-config', config], { cwd: root });
    expect(check.code, check.stdout + check.stderr).toBe(0);
    for (const { labels, receivers } of ROUTING_CASES) {
      const pairs = Object.entries(labels).map(([key, value]) => `${key}=${value}`);
      const routed = await osTool('amtool', ['config', 'routes', 'test', `--config.file=${config}`, `--verify.receivers=${receivers}`, ...pairs], { cwd: root });
      expect(routed.code, `${pairs.join(' ')} → ${routed.stdout}`).toBe(0);
    }
    const yaml = output.files.get(config)!;
    expect(yaml).toContain('alertname="WorkerPodRestartRate"');
    expect(yaml).toContain('alertname="AnyQueueDepthCritical"');
    expect(yaml).not.toMatch(/routing_key:|api_url:|auth_password:|credentials:/);
  });
});

describe('generated dashboards', () => {
  it('have the KPI matrix panel ids and the expected panel counts', () => {
    expect(dashboard('component-kpis').panels.map((panel) => panel.id)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 17, 19, 20, 21, 22]);
    expect(dashboard('background-jobs').panels).toHaveLength(10);
    expect(dashboard('distributed-tracing').panels).toHaveLength(9);
    for (const { uid } of DASHBOARDS) expect(dashboard(uid).panels.length, uid).toBeGreaterThan(3);
  });

  it('follow the dashboard linter rules that apply: datasource variable, titles, descriptions, units, $__rate_interval', () => {
    for (const { uid } of DASHBOARDS) {
      const json = dashboard(uid);
      expect(json.uid).toBe(uid);
      expect(json.templating.list.map((variable) => variable.name)).toEqual(['datasource', 'tenant_id', 'correlation_id', 'priority']);
      expect(json.annotations.list.map((annotation) => annotation.name)).toEqual(expect.arrayContaining(['Deployments', 'Feature flag changes']));
      const ids = json.panels.map((panel) => panel.id);
      expect(new Set(ids).size, `${uid}: unique panel ids`).toBe(ids.length);
      for (const panel of json.panels) {
        const where = `${uid} panel ${panel.id}`;
        expect(panel.title, where).not.toBe('');
        expect(panel.description, where).toBeTruthy();
        expect(panel.fieldConfig?.defaults?.unit, where).toBeTruthy();
        if (panel.type === 'text') continue;
        expect(panel.datasource?.uid, where).toBe('$datasource');
        for (const target of panel.targets ?? []) {
          expect(target.expr, where).not.toMatch(/\[\d+[smhd]\]/);
        }
      }
    }
  });

  it('link the runbook of every alert shown on a panel', () => {
    for (const alert of collected.alerts.filter((candidate) => candidate.panel)) {
      const panel = dashboard(alert.panel!.dashboard).panels.find((candidate) => candidate.id === alert.panel!.id);
      expect(panel?.links?.map((link) => link.url), alert.name).toContain(`https://docs.villagecompute.com/storefront/operations/alert_catalog.md#${alert.name.toLowerCase()}`);
    }
  });

  it('give every alert a catalog section that its runbook_url points at', () => {
    const catalog = output.files.get('docs/operations/alert_catalog.md')!;
    const rules = RULE_FILES.map((file) => output.files.get(`monitoring/prometheus-rules/${file}.rules.yaml`)!).join('\n');
    const names = new Set([...rules.matchAll(/- alert: (\w+)/g)].map((match) => match[1]!));
    for (const name of names) {
      expect(catalog, name).toContain(`\n### ${name}\n`);
      expect(rules).toContain(`alert_catalog.md#${name.toLowerCase()}`);
    }
  });
});

describe('metrics named by rules and panels', () => {
  let test: TestApp;
  beforeAll(async () => {
    test = await startTestApp();
  });
  afterAll(async () => {
    await test.close();
  });

  it('are declared in code and exposed on /q/metrics of a running app', async () => {
    const declared = new Set(metricCatalog().map((spec) => spec.name));
    const external = new Map(externalMetrics().map((metric) => [metric.name, metric]));
    const ours = new Set(expressions().flatMap((expr) => [...expr.matchAll(OURS)].map((match) => match[0])).map((name) => (declared.has(name) ? name : histogramBase(name))));
    const theirs = new Set(expressions().flatMap((expr) => [...expr.matchAll(THEIRS)].map((match) => match[0])));
    expect(ours.size).toBeGreaterThan(20);

    const scrape = await test.app.inject({ method: 'GET', url: '/q/metrics' });
    expect(scrape.statusCode).toBe(200);
    const exposed = new Set([...scrape.body.matchAll(/^# TYPE (\S+) /gm)].map((match) => match[1]!));
    for (const name of ours) {
      expect(declared.has(name) || external.get(name)?.source === 'runtime', `${name} is not declared`).toBe(true);
      expect(exposed.has(name), `${name} is not on /q/metrics`).toBe(true);
    }
    for (const name of theirs) expect(external.has(name), `${name} is not declared with externalMetric`).toBe(true);
  });
});
