import { readFile, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { registry } from '../metrics.ts';
import { evaluate, type Sample } from './evaluate.ts';
import { type Labels, SeriesHistory, seriesKey } from './history.ts';
import { type Expr, durationSeconds, parsePromql } from './parse.ts';

/** A rule as the generated Prometheus rule files hold it. */
interface RuleSpec {
  record?: string;
  alert?: string;
  expr: string;
  for?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
}

export interface RuleGroup {
  name: string;
  rules: RuleSpec[];
}

export interface ActiveAlert {
  name: string;
  state: 'pending' | 'firing';
  labels: Labels;
  annotations: Record<string, string>;
  value: number;
  activeSince: number;
}

type CompiledRule = RuleSpec & { parsed: Expr; forMs: number };

/** Every group of every `*.rules.yaml` in `dir` (the output of `npm run monitoring`). */
export async function loadRuleGroups(dir: string): Promise<RuleGroup[]> {
  const files = (await readdir(dir)).filter((file) => file.endsWith('.rules.yaml')).sort();
  const groups: RuleGroup[] = [];
  for (const file of files) groups.push(...((parseYaml(await readFile(join(dir, file), 'utf8')) as { groups: RuleGroup[] }).groups ?? []));
  return groups;
}

/** The process's own metrics as samples, histograms as their `_bucket`, `_count` and `_sum` series. */
export async function scrapeOwnMetrics(): Promise<Sample[]> {
  const samples: Sample[] = [];
  for (const metric of await registry.getMetricsAsJSON()) {
    for (const value of metric.values) {
      const labels: Labels = { __name__: (value as { metricName?: string }).metricName ?? metric.name };
      for (const [key, label] of Object.entries(value.labels)) if (label !== undefined) labels[key] = String(label);
      samples.push({ labels, value: value.value });
    }
  }
  return samples;
}

const humanize = (value: number) => {
  if (!Number.isFinite(value)) return String(value);
  const units = ['', 'k', 'M', 'G', 'T'];
  let scaled = value;
  let unit = 0;
  while (Math.abs(scaled) >= 1000 && unit < units.length - 1) {
    scaled /= 1000;
    unit++;
  }
  return `${Number(scaled.toPrecision(4))}${units[unit]}`;
};

const humanizeDuration = (seconds: number) => {
  if (!Number.isFinite(seconds)) return String(seconds);
  if (seconds >= 1) return `${Number(seconds.toPrecision(4))}s`;
  return `${Number((seconds * 1000).toPrecision(4))}ms`;
};

const humanize1024 = (value: number) => {
  const units = ['', 'Ki', 'Mi', 'Gi', 'Ti'];
  let scaled = value;
  let unit = 0;
  while (Math.abs(scaled) >= 1024 && unit < units.length - 1) {
    scaled /= 1024;
    unit++;
  }
  return `${Number(scaled.toPrecision(4))}${units[unit]}`;
};

/** The annotation templates the generator writes: `$value` (plain or through a humanize function) and `$labels.x`. */
export function expandTemplate(template: string, labels: Labels, value: number): string {
  return template.replace(/\{\{\s*\$(value|labels\.([A-Za-z_][A-Za-z0-9_]*))\s*(?:\|\s*(\w+)\s*)?\}\}/g, (_, _what, label: string | undefined, fn: string | undefined) => {
    if (label) return labels[label] ?? '';
    switch (fn) {
      case 'humanizePercentage':
        return `${Number((value * 100).toPrecision(4))}%`;
      case 'humanizeDuration':
        return humanizeDuration(value);
      case 'humanize':
        return humanize(value);
      case 'humanize1024':
        return humanize1024(value);
      default:
        return String(value);
    }
  });
}

/**
 * The generated rules, evaluated in process against the process's own metrics, for the console's active-alerts
 * widget when no Alertmanager is configured. Each tick scrapes the registry into the history, evaluates the
 * recording rules group by group (their results join the history, as Prometheus stores them) and then the
 * alerts, keeping Prometheus' pending → firing states with each rule's `for`.
 */
export class RuleEngine {
  private readonly groups: { name: string; rules: CompiledRule[] }[];
  private readonly history: SeriesHistory;
  private readonly scrape: () => Promise<Sample[]>;
  private readonly active = new Map<string, ActiveAlert>();
  private timer: NodeJS.Timeout | undefined;
  lastEvaluatedAt: number | undefined;

  constructor(groups: RuleGroup[], options: { historyMs: number; scrape?: () => Promise<Sample[]> }) {
    this.groups = groups.map((group) => ({
      name: group.name,
      rules: group.rules.map((rule) => ({ ...rule, parsed: parsePromql(rule.expr), forMs: rule.for ? durationSeconds(rule.for) * 1000 : 0 })),
    }));
    this.history = new SeriesHistory(options.historyMs);
    this.scrape = options.scrape ?? scrapeOwnMetrics;
  }

  async tick(now = Date.now()): Promise<void> {
    this.history.add(now, await this.scrape());
    const seen = new Set<string>();
    for (const group of this.groups) {
      for (const rule of group.rules) {
        const result = evaluate(rule.parsed, this.history, now);
        const samples = result.kind === 'scalar' ? [{ labels: {}, value: result.value }] : result.samples;
        if (rule.record) {
          const name = rule.record;
          this.history.record(samples.filter((sample) => !Number.isNaN(sample.value)).map((sample) => ({ labels: { ...sample.labels, ...rule.labels, __name__: name }, value: sample.value })));
          continue;
        }
        for (const sample of samples) {
          const { __name__: _, ...seriesLabels } = sample.labels;
          const labels: Labels = { ...seriesLabels, ...rule.labels, alertname: rule.alert! };
          const key = seriesKey(labels);
          seen.add(key);
          const previous = this.active.get(key);
          const activeSince = previous?.activeSince ?? now;
          const annotations = Object.fromEntries(Object.entries(rule.annotations ?? {}).map(([name, text]) => [name, expandTemplate(text, labels, sample.value)]));
          this.active.set(key, { name: rule.alert!, labels, annotations, value: sample.value, activeSince, state: now - activeSince >= rule.forMs ? 'firing' : 'pending' });
        }
      }
    }
    for (const key of this.active.keys()) if (!seen.has(key)) this.active.delete(key);
    this.lastEvaluatedAt = now;
  }

  alerts(): ActiveAlert[] {
    return [...this.active.values()].sort((a, b) => (a.state === b.state ? a.name.localeCompare(b.name) : a.state === 'firing' ? -1 : 1));
  }

  start(intervalMs: number, onError: (error: unknown) => void): void {
    const run = () => void this.tick().catch(onError);
    run();
    this.timer = setInterval(run, intervalMs);
    this.timer.unref();
  }

  stop(): void {
    clearInterval(this.timer);
    this.timer = undefined;
  }
}
