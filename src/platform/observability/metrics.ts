import { type Span, TraceFlags } from '@opentelemetry/api';
import { Counter, Gauge, Histogram, type OpenMetricsContentType, Registry, collectDefaultMetrics } from 'prom-client';

/**
 * The metric catalog: every metric of the product is declared through `defineMetric` in its module's
 * `telemetry.ts`. The catalog is the single source that alert rules, dashboards and the alert catalog are
 * generated from, so each entry says which component owns it and which seed KPI it serves.
 */
export const METRIC_PREFIX = 'villagecompute_storefront_';

export interface MetricSpec<L extends string = string> {
  /** Full name, `villagecompute_storefront_<component>_<name>_<unit>`. */
  name: string;
  help: string;
  type: 'counter' | 'gauge' | 'histogram';
  labels: readonly L[];
  /** Owning component, e.g. `http`, `tenant_gateway`, `jobs`. */
  component: string;
  /** The KPI the metric serves (component and target), when there is one. */
  kpi?: string;
  buckets?: number[];
  /** Histograms only: keep the trace_id of a recent observation per bucket (OpenMetrics exemplars). */
  exemplars?: boolean;
  /** Called at each scrape, for gauges that read their value from somewhere (pool sizes). */
  collect?: () => void;
}

type MetricOf<S extends MetricSpec> = S['type'] extends 'counter'
  ? Counter<S['labels'][number]>
  : S['type'] extends 'gauge'
    ? Gauge<S['labels'][number]>
    : Histogram<S['labels'][number]>;

/** The text exposition (what most tools read) and the OpenMetrics one (what Prometheus asks for: exemplars). */
export const registry = new Registry();
const openMetricsRegistry = new Registry<OpenMetricsContentType>();
openMetricsRegistry.setContentType(Registry.OPENMETRICS_CONTENT_TYPE);
const catalog = new Map<string, { spec: MetricSpec; metric: Counter | Gauge | Histogram }>();
const specs = new WeakMap<object, MetricSpec>();

export type AnyMetric = Counter<string> | Gauge<string> | Histogram<string>;
/** The label names of a metric object, so queries built from it can only match labels it has. */
export type LabelsOf<M> = M extends Counter<infer L> ? L : M extends Gauge<infer L> ? L : M extends Histogram<infer L> ? L : never;

/** The declaration of a metric object made by `defineMetric`. */
export function specOf(metric: AnyMetric): MetricSpec {
  const spec = specs.get(metric);
  if (!spec) throw new Error('metric was not declared with defineMetric');
  return spec;
}

export function defineMetric<const S extends MetricSpec>(spec: S): MetricOf<S> {
  if (!spec.name.startsWith(METRIC_PREFIX)) throw new Error(`metric ${spec.name} must start with ${METRIC_PREFIX}`);
  const existing = catalog.get(spec.name);
  if (existing) return existing.metric as MetricOf<S>;
  const exemplars = spec.type === 'histogram' && spec.exemplars === true;
  const options = {
    name: spec.name,
    help: spec.help,
    labelNames: [...spec.labels],
    // prom-client refuses exemplar metrics in a text registry; the text exposition simply leaves them out.
    registers: exemplars ? [openMetricsRegistry] : [registry, openMetricsRegistry],
    ...(spec.collect ? { collect: spec.collect } : {}),
  };
  const metric =
    spec.type === 'counter'
      ? new Counter(options)
      : spec.type === 'gauge'
        ? new Gauge(options)
        : new Histogram({ ...options, ...(spec.buckets ? { buckets: spec.buckets } : {}), enableExemplars: exemplars });
  if (exemplars) registry.registerMetric(metric);
  catalog.set(spec.name, { spec, metric });
  specs.set(metric, spec);
  return metric as MetricOf<S>;
}

/** Every declared metric, for generators and for the check that alerts and panels only name real metrics. */
export function metricCatalog(): MetricSpec[] {
  return [...catalog.values()].map((entry) => entry.spec);
}

/** Records one observation of a histogram declared with `exemplars: true`, with the trace as its exemplar. */
export function observeWithTrace<L extends string>(histogram: Histogram<L>, labels: Partial<Record<L, string>>, value: number, span: Span | undefined): void {
  const context = span?.spanContext();
  // Only sampled traces reach a trace store; an exemplar pointing at an unsampled one leads nowhere.
  const sampled = context && (context.traceFlags & TraceFlags.SAMPLED) === TraceFlags.SAMPLED;
  const exemplarLabels = (sampled ? { trace_id: context.traceId } : {}) as Partial<Record<L, string>>;
  histogram.observe({ labels, value, exemplarLabels });
}

/** The Prometheus text exposition of every metric, as served on `/q/metrics`. */
export function scrapeMetrics(): Promise<string> {
  return registry.metrics();
}

export const METRICS_CONTENT_TYPE = registry.contentType;
export const OPENMETRICS_CONTENT_TYPE = openMetricsRegistry.contentType;

/**
 * The OpenMetrics exposition, with exemplars. prom-client appends `_total` to every counter sample in this
 * format although our counter names already end in it (as the text format and promtool require); OpenMetrics
 * names the family without the suffix, so the family is renamed and the doubled suffix removed.
 */
export async function scrapeOpenMetrics(): Promise<string> {
  const text = await openMetricsRegistry.metrics();
  const counters = new Set([...text.matchAll(/^# TYPE (\S+)_total counter$/gm)].map((match) => match[1]!));
  return text
    .split('\n')
    .map((line) => {
      const family = /^# (TYPE|HELP) (\S+)_total( .*)$/.exec(line);
      if (family && counters.has(family[2]!)) return `# ${family[1]} ${family[2]}${family[3]}`;
      const sample = /^(\S+?)_total_total([{ ].*)$/.exec(line);
      return sample && counters.has(sample[1]!) ? `${sample[1]}_total${sample[2]}` : line;
    })
    .join('\n');
}

/** prom-client's gauges named `_total`, which the Prometheus naming rules (and promtool) reserve for counters. */
const MISNAMED_DEFAULTS = ['nodejs_active_handles_total', 'nodejs_active_requests_total', 'nodejs_active_resources_total'];

let defaultMetricsStarted = false;
/** Process and Node.js runtime metrics (CPU, memory, event loop lag, GC, handles) under `…_runtime_`. */
export function startRuntimeMetrics(): void {
  if (defaultMetricsStarted) return;
  defaultMetricsStarted = true;
  collectDefaultMetrics({ register: registry, prefix: `${METRIC_PREFIX}runtime_` });
  for (const name of MISNAMED_DEFAULTS) registry.removeSingleMetric(`${METRIC_PREFIX}runtime_${name}`);
  for (const metric of registry.getMetricsAsArray()) {
    if (!openMetricsRegistry.getSingleMetric(metric.name)) openMetricsRegistry.registerMetric(metric as unknown as Counter);
  }
}
