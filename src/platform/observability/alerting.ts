import { specOf } from './metrics.ts';
import { type MetricRef, metricName } from './promql.ts';

/**
 * Telemetry as code: what a `telemetry.ts` declares next to its metrics. `npm run monitoring` collects every
 * module's and the platform's `Telemetry` and writes the Prometheus rules and their unit tests, the
 * Alertmanager routing, the Grafana dashboards and the alert catalog from it. Nothing in `monitoring/` is
 * written by hand.
 */
export type Severity = 'critical' | 'warning' | 'info';

/** The rule file an alert lands in. */
export type RuleFile = 'component-kpis' | 'background-jobs' | 'platform';

/** One input series of a promtool unit test, in promtool's expanding notation (`0+10x120`). */
export interface TestSeries {
  series: string;
  values: string;
}

export interface AlertDefinition {
  /** CamelCase, unique across the product. */
  name: string;
  file: RuleFile;
  /** Rule group: the component, e.g. `tenant-gateway`. */
  group: string;
  expr: string;
  /** How long the condition must hold, e.g. `5m`. */
  for: string;
  severity: Severity;
  /** Pages the on-call engineer; critical alerts always do. */
  oncall?: boolean;
  summary: string;
  /** Templated with `{{ $value }}` (and `humanize…` functions). */
  description: string;
  /** The first thing to do. */
  action: string;
  /** The KPI this alert guards, as a short slug (`checkout-latency`). */
  kpi: string;
  /** The dashboard panel showing the alert's signal. */
  panel?: PanelRef;
  /** For the alert catalog: what firing means, the first steps, who to escalate to. */
  meaning: string;
  steps: readonly string[];
  escalation?: string;
  /** An existing runbook section with more detail, relative to docs/operations/. */
  runbook?: string;
  /** Series that make the alert fire, and series that keep it quiet (evaluated at `for` + 20 minutes). */
  test: { firing: readonly TestSeries[]; quiet: readonly TestSeries[] };
}

/**
 * A service level objective over 30 days. The SLI is an error ratio `errors / total`, both functions of the
 * window (`5m` … `3d`). The generator adds recording rules per window, four burn-rate alert tiers and an
 * "SLI absent" alert.
 */
export interface SloDefinition {
  /** kebab-case, unique, e.g. `tenant-gateway-availability`. */
  name: string;
  /** Rule group / component, e.g. `tenant-gateway`. */
  component: string;
  /** Percent, e.g. 99.9. */
  objective: number;
  description: string;
  errors(window: string): string;
  total(window: string): string;
  /** The metric whose absence means the SLI measures nothing. */
  measuredBy: MetricRef;
  /** Input series with `bad` and `good` events per minute, for the generated burn-rate tests. */
  test(badPerMinute: number, goodPerMinute: number): readonly TestSeries[];
  steps: readonly string[];
}

export type DashboardUid =
  | 'component-kpis'
  | 'background-jobs'
  | 'distributed-tracing'
  | 'error-tracking'
  | 'database-performance'
  | 'jobs-deep-dive'
  | 'golden-signals';

export interface PanelRef {
  dashboard: DashboardUid;
  id: number;
}

export interface PanelTarget {
  expr: string;
  legend?: string;
  /** Ask Prometheus for exemplars (trace_id) with this query. */
  exemplars?: boolean;
  /** An instant query (tables, stats). */
  instant?: boolean;
}

export interface PanelDefinition extends PanelRef {
  title: string;
  description: string;
  kind: 'timeseries' | 'stat' | 'gauge' | 'table' | 'bargauge' | 'heatmap' | 'text';
  /** A Grafana unit id: `s`, `percentunit`, `reqps`, `short`, `bytes`, `decbytes`, `ops`… */
  unit: string;
  targets: readonly PanelTarget[];
  /** Full-width panels (tables) span 24 columns; others 12. */
  wide?: boolean;
  /** Markdown of a `text` panel (links to trace search, for instance). */
  content?: string;
}

/** A Grafana annotation drawn on every dashboard: a PromQL series whose samples mark events. */
export interface AnnotationDefinition {
  name: string;
  expr: string;
  /** Text shown on hover, with `{{label}}` placeholders. */
  text: string;
  color: string;
}

export interface Telemetry {
  alerts?: readonly AlertDefinition[];
  slos?: readonly SloDefinition[];
  panels?: readonly PanelDefinition[];
  annotations?: readonly AnnotationDefinition[];
}

export function defineTelemetry(telemetry: Telemetry): Telemetry {
  return telemetry;
}

/** `metric{labels} values` for a promtool test. */
export function series(metric: MetricRef, labels: Record<string, string>, values: string, suffix = ''): TestSeries {
  const parts = Object.entries(labels).map(([key, value]) => `${key}=${JSON.stringify(value)}`);
  return { series: `${metricName(metric)}${suffix}${parts.length > 0 ? `{${parts.join(',')}}` : ''}`, values };
}

/** Test minutes every generated series covers. */
export const TEST_MINUTES = 120;

/** A counter growing by `perMinute` for the whole test. */
export const growing = (perMinute: number) => `0+${perMinute}x${TEST_MINUTES}`;
/** A gauge holding `value` for the whole test. */
export const holding = (value: number) => `${value}x${TEST_MINUTES}`;

/**
 * The bucket, count and sum series of a histogram receiving `perMinute` observations of each given duration,
 * cumulative as Prometheus stores them.
 */
export function observations(
  histogram: MetricRef,
  labels: Record<string, string>,
  streams: readonly { seconds: number; perMinute: number }[],
): TestSeries[] {
  const buckets = 'source' in histogram ? [] : (specOf(histogram).buckets ?? []);
  const below = (le: number) => streams.filter((stream) => stream.seconds <= le).reduce((sum, stream) => sum + stream.perMinute, 0);
  const total = streams.reduce((sum, stream) => sum + stream.perMinute, 0);
  const sum = streams.reduce((acc, stream) => acc + stream.seconds * stream.perMinute, 0);
  return [
    ...buckets.map((le) => series(histogram, { ...labels, le: String(le) }, growing(below(le)), '_bucket')),
    series(histogram, { ...labels, le: '+Inf' }, growing(total), '_bucket'),
    series(histogram, labels, growing(total), '_count'),
    series(histogram, labels, growing(sum), '_sum'),
  ];
}
