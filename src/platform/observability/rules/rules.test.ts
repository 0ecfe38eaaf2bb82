import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { type RuleGroup, RuleEngine, expandTemplate, loadRuleGroups } from './engine.ts';
import type { Sample } from './evaluate.ts';
import { parsePromql } from './parse.ts';

const RULES_DIR = join(import.meta.dirname, '../../../../monitoring/prometheus-rules');
const HTTP = 'villagecompute_storefront_http_requests_total';
const DURATION = 'villagecompute_storefront_http_request_duration_seconds';

/** Runs the engine over scripted scrapes every 30 s from t0, `minutes` long. */
async function run(groups: RuleGroup[], minutes: number, scrapeAt: (minute: number) => Sample[]) {
  let minute = 0;
  const engine = new RuleEngine(groups, { historyMs: 3_600_000, scrape: async () => scrapeAt(minute) });
  const t0 = Date.UTC(2026, 0, 1);
  for (let step = 0; step <= minutes * 2; step++) {
    minute = step / 2;
    await engine.tick(t0 + step * 30_000);
  }
  return engine;
}

const counter = (name: string, labels: Record<string, string>, value: number): Sample => ({ labels: { __name__: name, ...labels }, value });

describe('in-process rule evaluation', () => {
  it('parses every generated rule', async () => {
    const groups = await loadRuleGroups(RULES_DIR);
    const rules = groups.flatMap((group) => group.rules);
    expect(rules.length).toBeGreaterThan(100);
    for (const rule of rules) expect(() => parsePromql(rule.expr), rule.expr).not.toThrow();
  });

  it('fires HighErrorRate after its 5 minutes of 20 % server errors, with the annotation filled in', async () => {
    const groups = await loadRuleGroups(RULES_DIR);
    const failing = await run(groups, 8, (minute) => [
      counter(HTTP, { status_class: '5xx', route: '/x', method: 'GET', tenant_id: 'other' }, 20 * minute),
      counter(HTTP, { status_class: '2xx', route: '/x', method: 'GET', tenant_id: 'other' }, 80 * minute),
    ]);
    const alert = failing.alerts().find((candidate) => candidate.name === 'HighErrorRate');
    expect(alert).toMatchObject({ state: 'firing', labels: { severity: 'critical', alertname: 'HighErrorRate' } });
    expect(alert!.value).toBeCloseTo(0.2, 5);
    expect(alert!.annotations.description).toBe('Server error ratio is 20% over 5 minutes (threshold: 5 %).');

    const early = await run(groups, 2, (minute) => [counter(HTTP, { status_class: '5xx' }, 20 * minute), counter(HTTP, { status_class: '2xx' }, 80 * minute)]);
    expect(early.alerts().find((candidate) => candidate.name === 'HighErrorRate')?.state).toBe('pending');

    const healthy = await run(groups, 8, (minute) => [counter(HTTP, { status_class: '5xx' }, minute), counter(HTTP, { status_class: '2xx' }, 99 * minute)]);
    expect(healthy.alerts().find((candidate) => candidate.name === 'HighErrorRate')).toBeUndefined();
  });

  it('interpolates histogram buckets like Prometheus (SlowAPIResponses)', async () => {
    const buckets = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];
    const groups = (await loadRuleGroups(RULES_DIR)).filter((group) => group.name === 'platform-http');
    // Every request takes 2 s: p95 lies in (1, 2.5], 0.95 of the way up the bucket.
    const slow = await run(groups, 7, (minute) => [
      ...buckets.map((le) => counter(`${DURATION}_bucket`, { le: String(le) }, le >= 2.5 ? 10 * minute : 0)),
      counter(`${DURATION}_bucket`, { le: '+Inf' }, 10 * minute),
    ]);
    const alert = slow.alerts().find((candidate) => candidate.name === 'SlowAPIResponses');
    expect(alert?.state).toBe('firing');
    expect(alert!.value).toBeCloseTo(1 + 1.5 * 0.95, 5);
  });

  it('chains recording rules into SLO burn-rate alerts, and reports absent SLIs as pending until their for', async () => {
    const groups = await loadRuleGroups(RULES_DIR);
    const engine = await run(groups, 3, () => []);
    const absent = engine.alerts().filter((alert) => alert.name.endsWith('SLIAbsent'));
    expect(absent.length).toBeGreaterThan(5);
    expect(absent.every((alert) => alert.state === 'pending')).toBe(true);
    expect(engine.alerts().find((alert) => alert.name.endsWith('ErrorBudgetBurn'))).toBeUndefined();
  });

  it('evaluates set operators with on() and vector() fallbacks, and group_left with ignoring', () => {
    const groups: RuleGroup[] = [
      { name: 'g', rules: [{ alert: 'Either', expr: '(sum (rate(a_total[5m])) or vector(0)) > 0 and on() sum(b) > 1', for: '0m' }] },
      { name: 'h', rules: [{ alert: 'Share', expr: 'sum by (k) (c) / ignoring (k) group_left () sum (c) > 0.5' }] },
    ];
    return run(groups, 6, (minute) => [
      counter('a_total', {}, minute * 6),
      counter('b', {}, 2),
      counter('c', { k: 'big' }, 8),
      counter('c', { k: 'small' }, 2),
    ]).then((engine) => {
      expect(engine.alerts().map((alert) => [alert.name, alert.labels.k ?? null, alert.value])).toEqual([
        ['Either', null, 0.1],
        ['Share', 'big', 0.8],
      ]);
    });
  });

  it('expands the template functions the generator uses', () => {
    expect(expandTemplate('{{ $labels.priority }} at {{ $value | humanizePercentage }}', { priority: 'HIGH' }, 0.1234)).toBe('HIGH at 12.34%');
    expect(expandTemplate('{{ $value | humanizeDuration }} / {{ $value | humanize }}', {}, 0.25)).toBe('250ms / 0.25');
    expect(expandTemplate('{{ $value | humanize1024 }}', {}, 3 * 1024 * 1024)).toBe('3Mi');
  });
});
