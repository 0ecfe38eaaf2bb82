import { type AnyMetric, type LabelsOf, specOf } from './metrics.ts';

/**
 * PromQL built from metric objects: a rule or panel names a metric through the object `defineMetric`
 * returned, so renaming a metric renames every query, and a label it does not have is a type error.
 * Metrics of other programs (postgres_exporter, node_exporter, Prometheus itself) are declared with
 * `externalMetric`, so the generator can still tell a real name from a typo.
 */
export interface ExternalMetric<L extends string = string> {
  name: string;
  type: 'counter' | 'gauge' | 'histogram';
  labels: readonly L[];
  /** The program that exports it: `runtime` for the app's prom-client defaults, which `/q/metrics` shows too. */
  source: 'runtime' | 'prometheus' | 'postgres_exporter' | 'node_exporter';
  help: string;
}

const externals = new Map<string, ExternalMetric>();

export function externalMetric<const L extends string>(metric: ExternalMetric<L>): ExternalMetric<L> {
  externals.set(metric.name, metric);
  return metric;
}

/** Every external metric a query may name. */
export function externalMetrics(): ExternalMetric[] {
  return [...externals.values()].sort((a, b) => a.name.localeCompare(b.name));
}

export type MetricRef = AnyMetric | ExternalMetric;
type LabelNames<M> = M extends ExternalMetric<infer L> ? L : LabelsOf<M>;

/** A label matcher: a plain string is `=`; `re()` and `not()` give `=~` and `!=`. */
export type Matcher = string | { op: '=~' | '!=' | '!~'; value: string };
export type Matchers<M> = Partial<Record<LabelNames<M> | 'job' | 'le' | 'instance', Matcher>>;

export const re = (value: string): Matcher => ({ op: '=~', value });
export const not = (value: string): Matcher => ({ op: '!=', value });

const isExternal = (metric: MetricRef): metric is ExternalMetric => 'source' in metric;

export function metricName(metric: MetricRef): string {
  return isExternal(metric) ? metric.name : specOf(metric).name;
}

export function metricType(metric: MetricRef): ExternalMetric['type'] {
  return isExternal(metric) ? metric.type : specOf(metric).type;
}

/** `name_suffix{a="b",…}`, matchers in the order given. */
export function selector<M extends MetricRef>(metric: M, matchers: Matchers<M> = {}, suffix = ''): string {
  const parts = Object.entries(matchers as Record<string, Matcher>).map(([label, matcher]) =>
    typeof matcher === 'string' ? `${label}=${JSON.stringify(matcher)}` : `${label}${matcher.op}${JSON.stringify(matcher.value)}`,
  );
  return `${metricName(metric)}${suffix}${parts.length > 0 ? `{${parts.join(',')}}` : ''}`;
}

export interface RangeOptions<M> {
  where?: Matchers<M>;
  /** Range of rate/increase: `5m` in rules, `$__rate_interval` in panels. */
  window?: string;
  by?: readonly (LabelNames<M> | 'job' | 'instance')[];
}

const by = (labels: readonly string[] | undefined, extra: string[] = []) => {
  const all = [...extra, ...(labels ?? [])];
  return all.length > 0 ? ` by (${all.join(', ')})` : '';
};

export function rate<M extends MetricRef>(metric: M, options: RangeOptions<M> = {}, suffix = ''): string {
  return `rate(${selector(metric, options.where, suffix)}[${options.window ?? '5m'}])`;
}

export function sumRate<M extends MetricRef>(metric: M, options: RangeOptions<M> = {}, suffix = ''): string {
  return `sum${by(options.by)} (${rate(metric, options, suffix)})`;
}

export function sumIncrease<M extends MetricRef>(metric: M, options: RangeOptions<M> = {}): string {
  return `sum${by(options.by)} (increase(${selector(metric, options.where)}[${options.window ?? '5m'}]))`;
}

/** `histogram_quantile(q, sum by (le, …) (rate(name_bucket{…}[w])))`. */
export function quantile<M extends MetricRef>(q: number, histogram: M, options: RangeOptions<M> = {}): string {
  return `histogram_quantile(${q}, sum${by(options.by, ['le'])} (${rate(histogram, options, '_bucket')}))`;
}

/** Observations per second at or below `le` seconds (the bucket must exist in the histogram). */
export function sumRateBelow<M extends MetricRef>(histogram: M, le: number, options: RangeOptions<M> = {}): string {
  const buckets = isExternal(histogram) ? undefined : specOf(histogram).buckets;
  if (buckets && !buckets.includes(le)) throw new Error(`${metricName(histogram)} has no bucket le=${le}`);
  const where = { ...options.where, le: String(le) } as Matchers<M>;
  return `sum${by(options.by)} (${rate(histogram, { ...options, where }, '_bucket')})`;
}

/** `sum by (…) (name{…})` for gauges. */
export function sumOf<M extends MetricRef>(metric: M, options: Omit<RangeOptions<M>, 'window'> = {}): string {
  return `sum${by(options.by)} (${selector(metric, options.where)})`;
}
