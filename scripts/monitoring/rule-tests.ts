import { type AlertDefinition, type RuleFile, type SloDefinition, type TestSeries, growing, series } from '../../src/platform/observability/alerting.ts';
import type { Collected } from './collect.ts';
import { BURN_SCENARIOS, BURN_TIERS, absentAlertName, burnAlertName, ratioRecord, scenarioSeries } from './slo.ts';

/**
 * promtool unit tests written from the definitions: every alert fires on its `firing` series and stays
 * quiet on its `quiet` series; every SLO's tiers fire exactly at their burn rates, record 0 (not NaN) at
 * zero traffic, and report an absent SLI metric.
 */
interface ExprTest {
  expr: string;
  eval_time: string;
  exp_samples: { labels: string; value: number }[];
}
interface TestGroup {
  name: string;
  interval: string;
  input_series: TestSeries[];
  promql_expr_test: ExprTest[];
}
export interface RuleTestFile {
  rule_files: string[];
  evaluation_interval: string;
  tests: TestGroup[];
}

const minutes = (duration: string) => {
  const match = /^(\d+)([mh])$/.exec(duration);
  if (!match) throw new Error(`unsupported duration ${duration}`);
  return Number(match[1]) * (match[2] === 'h' ? 60 : 1);
};

/** Alerts are checked once their condition held for `for` and their windows saw 25 minutes of data. */
const evalTime = (alert: Pick<AlertDefinition, 'for'>) => `${minutes(alert.for) + 25}m`;

const firing = (matchers: string, at: string): ExprTest => ({
  expr: `count(ALERTS{${matchers},alertstate="firing"})`,
  eval_time: at,
  exp_samples: [{ labels: '{}', value: 1 }],
});
const quiet = (matchers: string, at: string): ExprTest => ({ expr: `ALERTS{${matchers},alertstate="firing"}`, eval_time: at, exp_samples: [] });

function alertTests(alert: AlertDefinition): TestGroup[] {
  const matchers = `alertname="${alert.name}"`;
  const at = evalTime(alert);
  if (alert.test.firing.length === 0 || alert.test.quiet.length === 0) throw new Error(`alert ${alert.name} needs firing and quiet test series`);
  return [
    { name: `${alert.name} fires`, interval: '1m', input_series: [...alert.test.firing], promql_expr_test: [firing(matchers, at)] },
    { name: `${alert.name} stays quiet`, interval: '1m', input_series: [...alert.test.quiet], promql_expr_test: [quiet(matchers, at)] },
  ];
}

/** The metric a test series feeds (histogram parts count as their histogram). */
const fed = (input: TestSeries) => input.series.split('{')[0]!.replace(/_(bucket|count|sum)$/, '');

/**
 * SLOs whose SLIs read disjoint metrics are tested together, one test group per scenario for the whole
 * batch, which keeps promtool's run short; an SLO sharing a metric with another gets its own batch.
 */
function batches(slos: readonly SloDefinition[]): SloDefinition[][] {
  const result: { slos: SloDefinition[]; metrics: Set<string> }[] = [];
  for (const slo of slos) {
    const metrics = new Set(slo.test(1, 1).map(fed));
    const batch = result.find((candidate) => ![...metrics].some((metric) => candidate.metrics.has(metric)));
    if (batch) {
      batch.slos.push(slo);
      for (const metric of metrics) batch.metrics.add(metric);
    } else {
      result.push({ slos: [slo], metrics });
    }
  }
  return result.map((batch) => batch.slos);
}

function sloTests(slos: readonly SloDefinition[]): TestGroup[] {
  const at = `${Math.max(...BURN_TIERS.map((tier) => minutes(tier.for))) + 21}m`;
  const burn = (slo: SloDefinition) => `alertname="${burnAlertName(slo)}"`;
  const absent = (slo: SloDefinition) => `alertname="${absentAlertName(slo)}"`;
  const recorded = (slo: SloDefinition, record: string, value: number): ExprTest => ({
    expr: `${record}{slo="${slo.name}"}`,
    eval_time: at,
    exp_samples: [{ labels: `${record}{component="${slo.component}",slo="${slo.name}"}`, value }],
  });
  const names = slos.map((slo) => slo.name).join(', ');
  const scenarios = BURN_SCENARIOS.map((scenario) => ({
    name: `${names} at ${scenario.name}`,
    interval: '1m',
    input_series: slos.flatMap((slo) => scenarioSeries(slo, scenario.budgets)),
    promql_expr_test: slos.flatMap((slo) =>
      BURN_TIERS.map((tier) => (scenario.fires.includes(tier.tier) ? firing : quiet)(`${burn(slo)},burnrate_tier="${tier.tier}"`, at)),
    ),
  }));
  return [
    ...scenarios,
    {
      name: `${names} at zero traffic record 0 and stay quiet`,
      interval: '1m',
      input_series: slos.flatMap((slo) => slo.test(0, 0)),
      promql_expr_test: slos.flatMap((slo) => [
        recorded(slo, ratioRecord('5m'), 0),
        recorded(slo, ratioRecord('3d'), 0),
        recorded(slo, 'slo:period_error_budget_remaining:ratio', 1),
        quiet(burn(slo), at),
        quiet(absent(slo), at),
      ]),
    },
    {
      name: `${names} without their metrics report the SLI absent`,
      interval: '1m',
      input_series: [series({ name: 'up', type: 'gauge', labels: [], source: 'prometheus', help: '' }, { job: 'unrelated' }, growing(0))],
      promql_expr_test: slos.flatMap((slo) => [firing(absent(slo), '20m'), quiet(burn(slo), '20m')]),
    },
  ];
}

export function ruleTests(collected: Collected, file: RuleFile): RuleTestFile {
  const alerts = collected.alerts.filter((alert) => alert.file === file).sort((a, b) => a.name.localeCompare(b.name));
  const slos = file === 'platform' ? [...collected.slos].sort((a, b) => a.name.localeCompare(b.name)) : [];
  return {
    rule_files: [`../${file}.rules.yaml`],
    evaluation_interval: '1m',
    tests: [...alerts.flatMap(alertTests), ...batches(slos).flatMap(sloTests)],
  };
}
