import type { AlertDefinition, RuleFile, SloDefinition } from '../../src/platform/observability/alerting.ts';
import type { Collected } from './collect.ts';
import { dashboardUrl, runbookUrl } from './links.ts';
import { absentAlertName, absentExpr, burnAlertName, burnRules, sloRecordingRules } from './slo.ts';

export const RULE_FILES: readonly RuleFile[] = ['component-kpis', 'background-jobs', 'platform'];

interface AlertRule {
  alert: string;
  expr: string;
  for: string;
  labels: Record<string, string>;
  annotations: Record<string, string>;
}
interface RecordRule {
  record: string;
  expr: string;
  labels: Record<string, string>;
}
export interface RuleGroup {
  name: string;
  rules: (AlertRule | RecordRule)[];
}

export const isOncall = (alert: Pick<AlertDefinition, 'severity' | 'oncall'>) => alert.oncall ?? alert.severity === 'critical';

function alertRule(alert: AlertDefinition): AlertRule {
  return {
    alert: alert.name,
    expr: alert.expr,
    for: alert.for,
    labels: { severity: alert.severity, oncall: String(isOncall(alert)), component: alert.group, kpi: alert.kpi },
    annotations: {
      summary: alert.summary,
      description: alert.description,
      action: alert.action,
      runbook_url: runbookUrl(alert.name),
      ...(alert.panel ? { dashboard: dashboardUrl(alert.panel) } : {}),
    },
  };
}

function sloGroups(slo: SloDefinition): RuleGroup[] {
  const burnName = burnAlertName(slo);
  const burn: AlertRule[] = burnRules(slo).map(({ tier, expr }) => ({
    alert: burnName,
    expr,
    for: tier.for,
    labels: {
      severity: tier.severity,
      oncall: String(tier.severity === 'critical'),
      component: slo.component,
      kpi: slo.name,
      burnrate_tier: tier.tier,
      long_window: tier.long,
      short_window: tier.short,
    },
    annotations: {
      summary: `${slo.name}: error budget burning ${tier.factor}x too fast (${tier.tier} tier)`,
      description: `Error ratio over ${tier.long} is {{ $value | humanizePercentage }}; at this rate ${tier.budgetConsumed} of the 30-day budget (${100 - slo.objective} % of events) goes in ${tier.long}.`,
      action: slo.steps[0] ?? '',
      runbook_url: runbookUrl(burnName),
    },
  }));
  const absent: AlertRule = {
    alert: absentAlertName(slo),
    expr: absentExpr(slo),
    for: '15m',
    labels: { severity: 'warning', oncall: 'false', component: slo.component, kpi: slo.name, slo: slo.name },
    annotations: {
      summary: `${slo.name}: the SLI metric is absent`,
      description: 'The metric this SLO is computed from has not been scraped for 15 minutes: its burn-rate alerts cannot fire.',
      action: 'Check the Prometheus targets page for the job and the metric name in the code.',
      runbook_url: runbookUrl(absentAlertName(slo)),
    },
  };
  return [
    { name: `slo-${slo.name}-sli`, rules: sloRecordingRules(slo) },
    { name: `slo-${slo.name}-alerts`, rules: [...burn, absent] },
  ];
}

/** The groups of each rule file: one per component (sorted by name), SLO groups at the end of platform. */
export function ruleGroups(collected: Collected): Map<RuleFile, RuleGroup[]> {
  const files = new Map<RuleFile, RuleGroup[]>();
  for (const file of RULE_FILES) {
    const alerts = collected.alerts.filter((alert) => alert.file === file);
    const names = [...new Set(alerts.map((alert) => alert.group))].sort();
    const groups: RuleGroup[] = names.map((name) => ({ name, rules: alerts.filter((alert) => alert.group === name).map(alertRule) }));
    if (file === 'platform') groups.push(...[...collected.slos].sort((a, b) => a.name.localeCompare(b.name)).flatMap(sloGroups));
    files.set(file, groups);
  }
  return files;
}

export const isAlert = (rule: AlertRule | RecordRule): rule is AlertRule => 'alert' in rule;
