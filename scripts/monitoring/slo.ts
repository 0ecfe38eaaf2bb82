import type { AlertDefinition, SloDefinition, TestSeries } from '../../src/platform/observability/alerting.ts';
import { metricName, metricType } from '../../src/platform/observability/promql.ts';

/**
 * Multi-window, multi-burn-rate alerting over a 30-day period (the SRE workbook's table, as Sloth ships it):
 * each tier fires when both its long and its short window burn the error budget faster than `factor`.
 * The stable `burnrate_tier` label lets Alertmanager hold back the slower tiers while a faster one fires.
 */
export const PERIOD_DAYS = 30;

export interface BurnTier {
  tier: 'fast' | 'medium' | 'slow' | 'long';
  long: string;
  short: string;
  factor: number;
  /** How long both windows must agree. */
  for: string;
  severity: 'critical' | 'info';
  /** Share of the 30-day budget one long window at this rate consumes. */
  budgetConsumed: string;
}

export const BURN_TIERS: readonly BurnTier[] = [
  { tier: 'fast', long: '1h', short: '5m', factor: 14.4, for: '2m', severity: 'critical', budgetConsumed: '2 %' },
  { tier: 'medium', long: '6h', short: '30m', factor: 6, for: '5m', severity: 'critical', budgetConsumed: '5 %' },
  { tier: 'slow', long: '1d', short: '2h', factor: 3, for: '15m', severity: 'info', budgetConsumed: '10 %' },
  { tier: 'long', long: '3d', short: '6h', factor: 1, for: '15m', severity: 'info', budgetConsumed: '10 %' },
];

export const WINDOWS = ['5m', '30m', '1h', '2h', '6h', '1d', '3d'] as const;

/** Numbers as PromQL literals without float noise (1 − 0.9999 is 0.0001, not 0.00009999999999998899). */
export const literal = (value: number) => String(Number(value.toPrecision(10)));

export const errorBudget = (slo: SloDefinition) => Number(((100 - slo.objective) / 100).toPrecision(10));

export const ratioRecord = (window: string) => `slo:sli_error:ratio_rate${window}`;

const pascal = (name: string) =>
  name
    .split('-')
    .map((part) => part[0]!.toUpperCase() + part.slice(1))
    .join('');

export const burnAlertName = (slo: SloDefinition) => `${pascal(slo.name)}ErrorBudgetBurn`;
export const absentAlertName = (slo: SloDefinition) => `${pascal(slo.name)}SLIAbsent`;

export interface RecordingRule {
  record: string;
  expr: string;
  labels: Record<string, string>;
}

/**
 * The error ratio per window. Zero traffic records 0, not NaN: `errors / (total > 0)` is empty then, and
 * `or vector(0)` fills it, so a quiet night neither fires nor poisons the 30-day average.
 * An absent metric records 0 too; the "SLI absent" alert reports that case.
 */
export function sloRecordingRules(slo: SloDefinition): RecordingRule[] {
  const labels = { slo: slo.name, component: slo.component };
  const windows = WINDOWS.map((window) => ({
    record: ratioRecord(window),
    expr: `(${slo.errors(window)} or vector(0)) / (${slo.total(window)} > 0) or vector(0)`,
    labels,
  }));
  const selector = `{slo="${slo.name}"}`;
  return [
    ...windows,
    { record: `slo:sli_error:ratio_rate${PERIOD_DAYS}d`, expr: `avg_over_time(${ratioRecord('5m')}${selector}[${PERIOD_DAYS}d])`, labels },
    { record: 'slo:objective:ratio', expr: `vector(${literal(slo.objective / 100)})`, labels },
    {
      record: 'slo:period_error_budget_remaining:ratio',
      expr: `1 - slo:sli_error:ratio_rate${PERIOD_DAYS}d${selector} / ${literal(errorBudget(slo))}`,
      labels,
    },
  ];
}

export interface BurnRule {
  tier: BurnTier;
  expr: string;
}

export function burnRules(slo: SloDefinition): BurnRule[] {
  const budget = errorBudget(slo);
  return BURN_TIERS.map((tier) => {
    const threshold = literal(tier.factor * budget);
    const side = (window: string) => `${ratioRecord(window)}{slo="${slo.name}"} > ${threshold}`;
    return { tier, expr: `${side(tier.long)} and ${side(tier.short)}` };
  });
}

/** The burn-rate and absent alerts as catalog entries (rules are written from `burnRules`). */
export function sloAlerts(slo: SloDefinition): AlertDefinition[] {
  const burn: AlertDefinition = {
    name: burnAlertName(slo),
    file: 'platform',
    group: `slo-${slo.name}`,
    expr: burnRules(slo)
      .map((rule) => `# ${rule.tier.tier}\n${rule.expr}`)
      .join('\n'),
    for: BURN_TIERS.map((tier) => `${tier.tier} ${tier.for}`).join(', '),
    severity: 'critical',
    summary: `${slo.name}: error budget burning too fast`,
    description: '',
    action: slo.steps[0] ?? '',
    kpi: slo.name,
    meaning: `SLO ${slo.objective} % over ${PERIOD_DAYS} days: ${slo.description} The fast and medium tiers page (2 % / 5 % of the budget gone in 1 h / 6 h); the slow and long tiers open a ticket (10 % in 1 d / 3 d).`,
    steps: slo.steps,
    test: { firing: [], quiet: [] },
  };
  const absent: AlertDefinition = {
    name: absentAlertName(slo),
    file: 'platform',
    group: `slo-${slo.name}`,
    expr: absentExpr(slo),
    for: '15m',
    severity: 'warning',
    summary: `${slo.name}: the SLI metric is absent`,
    description: `No series of ${metricName(slo.measuredBy)} for 15 minutes: the SLO measures nothing.`,
    action: 'Check that the component runs and is scraped (Prometheus targets page).',
    kpi: slo.name,
    meaning: 'The metric the SLO is computed from is not scraped at all, so its burn-rate alerts cannot fire.',
    steps: ['Prometheus → Status → Targets: is the job up?', 'Was the metric renamed? `npm run monitoring` regenerates the rules from the code.'],
    test: { firing: [], quiet: [] },
  };
  return [burn, absent];
}

export function absentExpr(slo: SloDefinition): string {
  return `absent(${metricName(slo.measuredBy)}${metricType(slo.measuredBy) === 'histogram' ? '_count' : ''})`;
}

/** Constant error ratios (as multiples of the budget) and the tiers each must fire. */
export const BURN_SCENARIOS: readonly { name: string; budgets: number; fires: readonly BurnTier['tier'][] }[] = [
  { name: 'within budget', budgets: 0.5, fires: [] },
  { name: '2x budget: long tier only', budgets: 2, fires: ['long'] },
  { name: '4.5x budget: slow and long tiers', budgets: 4.5, fires: ['slow', 'long'] },
  { name: '10x budget: medium, slow and long tiers', budgets: 10, fires: ['medium', 'slow', 'long'] },
  { name: '20x budget: every tier', budgets: 20, fires: ['fast', 'medium', 'slow', 'long'] },
];

export const SLO_TEST_EVENTS_PER_MINUTE = 10_000;

export function scenarioSeries(slo: SloDefinition, budgets: number): readonly TestSeries[] {
  const bad = Number((SLO_TEST_EVENTS_PER_MINUTE * budgets * errorBudget(slo)).toPrecision(10));
  return slo.test(bad, SLO_TEST_EVENTS_PER_MINUTE - bad);
}
