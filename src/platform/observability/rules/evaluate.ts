import type { Labels, SeriesHistory, Snapshot } from './history.ts';
import { seriesKey } from './history.ts';
import type { Expr, Matcher } from './parse.ts';

export type Sample = { labels: Labels; value: number };
export type Value = { kind: 'scalar'; value: number } | { kind: 'vector'; samples: Sample[] };
type RangeSeries = { labels: Labels; points: { at: number; value: number }[] };

const COMPARISONS = new Set(['==', '!=', '<=', '>=', '<', '>']);
const SET_OPERATORS = new Set(['and', 'or', 'unless']);

function matches(labels: Labels, matcher: Matcher): boolean {
  const value = labels[matcher.label] ?? '';
  switch (matcher.op) {
    case '=':
      return value === matcher.value;
    case '!=':
      return value !== matcher.value;
    case '=~':
      return new RegExp(`^(?:${matcher.value})$`).test(value);
    case '!~':
      return !new RegExp(`^(?:${matcher.value})$`).test(value);
  }
}

/** A snapshot's series of one metric, or of every metric for a selector without a name. */
function seriesNamed(snapshot: Snapshot, name: string): Iterable<[string, number]> {
  if (name) return snapshot.values.get(name) ?? [];
  return [...snapshot.values.values()].flatMap((series) => [...series]);
}

const withoutName = (labels: Labels): Labels => {
  const { __name__: _, ...rest } = labels;
  return rest;
};

function pick(labels: Labels, names: readonly string[] | undefined, without: readonly string[] | undefined): Labels {
  const picked: Labels = {};
  for (const [key, value] of Object.entries(labels)) {
    if (key === '__name__') continue;
    if (names ? names.includes(key) : !(without ?? []).includes(key)) picked[key] = value;
  }
  return picked;
}

function compare(op: string, a: number, b: number): boolean {
  switch (op) {
    case '==':
      return a === b;
    case '!=':
      return a !== b;
    case '<=':
      return a <= b;
    case '>=':
      return a >= b;
    case '<':
      return a < b;
    default:
      return a > b;
  }
}

function arithmetic(op: string, a: number, b: number): number {
  switch (op) {
    case '+':
      return a + b;
    case '-':
      return a - b;
    case '*':
      return a * b;
    case '/':
      return a / b;
    default:
      return a % b;
  }
}

/** Prometheus' bucket interpolation of `histogram_quantile`. */
function quantile(q: number, buckets: { le: number; count: number }[]): number {
  if (buckets.length < 2) return Number.NaN;
  buckets.sort((a, b) => a.le - b.le);
  if (buckets.at(-1)!.le !== Number.POSITIVE_INFINITY) return Number.NaN;
  const total = buckets.at(-1)!.count;
  if (total === 0) return Number.NaN;
  const rank = q * total;
  const index = buckets.findIndex((bucket) => bucket.count >= rank);
  if (index === buckets.length - 1) return buckets.at(-2)!.le;
  const upper = buckets[index]!;
  const lower = index > 0 ? buckets[index - 1]! : { le: 0, count: 0 };
  if (index === 0 && upper.le <= 0) return upper.le;
  return lower.le + (upper.le - lower.le) * ((rank - lower.count) / (upper.count - lower.count));
}

/**
 * Evaluates an expression at `now` over the series history: an instant query as Prometheus answers it, except
 * that range functions see only the history kept (windows longer than it are computed over what there is).
 */
export function evaluate(expr: Expr, history: SeriesHistory, now: number): Value {
  const vector = (samples: Sample[]): Value => ({ kind: 'vector', samples });

  const range = (node: Extract<Expr, { type: 'selector' }>): RangeSeries[] => {
    const series = new Map<string, RangeSeries>();
    for (const snapshot of history.between(now - node.range! * 1000, now)) {
      for (const [key, value] of seriesNamed(snapshot, node.name)) {
        const labels = history.labelsOf(key);
        if (!node.matchers.every((matcher) => matches(labels, matcher))) continue;
        const entry = series.get(key) ?? { labels, points: [] };
        entry.points.push({ at: snapshot.at, value });
        series.set(key, entry);
      }
    }
    return [...series.values()];
  };

  const counterDelta = (points: { value: number }[]) => {
    let delta = 0;
    for (let i = 1; i < points.length; i++) {
      const step = points[i]!.value - points[i - 1]!.value;
      delta += step >= 0 ? step : points[i]!.value;
    }
    return delta;
  };

  const rangeArgument = (node: Expr | undefined) => {
    if (node?.type !== 'selector' || node.range === undefined) throw new Error('a range function needs a range selector');
    return range(node);
  };

  const asVector = (value: Value): Sample[] => {
    if (value.kind !== 'vector') throw new Error('expected an instant vector');
    return value.samples;
  };

  const call = (node: Extract<Expr, { type: 'call' }>): Value => {
    switch (node.name) {
      case 'time':
        return { kind: 'scalar', value: now / 1000 };
      case 'vector': {
        const value = visit(node.args[0]!);
        if (value.kind !== 'scalar') throw new Error('vector() takes a scalar');
        return vector([{ labels: {}, value: value.value }]);
      }
      case 'absent': {
        const argument = node.args[0]!;
        if (asVector(visit(argument)).length > 0) return vector([]);
        const labels: Labels = {};
        if (argument.type === 'selector') for (const matcher of argument.matchers) if (matcher.op === '=') labels[matcher.label] = matcher.value;
        return vector([{ labels, value: 1 }]);
      }
      case 'rate':
      case 'increase':
        return vector(
          rangeArgument(node.args[0]).flatMap((series) => {
            if (series.points.length < 2) return [];
            const delta = counterDelta(series.points);
            const seconds = (series.points.at(-1)!.at - series.points[0]!.at) / 1000;
            return [{ labels: withoutName(series.labels), value: node.name === 'rate' ? delta / seconds : delta }];
          }),
        );
      case 'changes':
        return vector(
          rangeArgument(node.args[0]).map((series) => ({
            labels: withoutName(series.labels),
            value: series.points.filter((point, i) => i > 0 && point.value !== series.points[i - 1]!.value).length,
          })),
        );
      case 'avg_over_time':
        return vector(
          rangeArgument(node.args[0]).map((series) => ({
            labels: withoutName(series.labels),
            value: series.points.reduce((sum, point) => sum + point.value, 0) / series.points.length,
          })),
        );
      case 'histogram_quantile': {
        const q = visit(node.args[0]!);
        if (q.kind !== 'scalar') throw new Error('histogram_quantile takes a scalar first');
        const groups = new Map<string, { labels: Labels; buckets: { le: number; count: number }[] }>();
        for (const sample of asVector(visit(node.args[1]!))) {
          const { le, ...rest } = withoutName(sample.labels);
          if (le === undefined) continue;
          const key = seriesKey(rest);
          const group = groups.get(key) ?? { labels: rest, buckets: [] };
          group.buckets.push({ le: le === '+Inf' ? Number.POSITIVE_INFINITY : Number(le), count: sample.value });
          groups.set(key, group);
        }
        return vector([...groups.values()].map((group) => ({ labels: group.labels, value: quantile(q.value, group.buckets) })));
      }
      default:
        throw new Error(`unsupported function ${node.name}`);
    }
  };

  const aggregate = (node: Extract<Expr, { type: 'aggregate' }>): Value => {
    const groups = new Map<string, { labels: Labels; values: number[] }>();
    for (const sample of asVector(visit(node.expr))) {
      const labels = pick(sample.labels, node.by ?? (node.without ? undefined : []), node.without);
      const key = seriesKey(labels);
      const group = groups.get(key) ?? { labels, values: [] };
      group.values.push(sample.value);
      groups.set(key, group);
    }
    const combine = (values: number[]) => {
      switch (node.op) {
        case 'sum':
          return values.reduce((a, b) => a + b, 0);
        case 'max':
          return Math.max(...values);
        case 'min':
          return Math.min(...values);
        case 'count':
          return values.length;
        default:
          return values.reduce((a, b) => a + b, 0) / values.length;
      }
    };
    return vector([...groups.values()].map((group) => ({ labels: group.labels, value: combine(group.values) })));
  };

  const binary = (node: Extract<Expr, { type: 'binary' }>): Value => {
    const lhs = visit(node.lhs);
    const rhs = visit(node.rhs);
    const comparison = COMPARISONS.has(node.op);
    const apply = (a: number, b: number): number | undefined => {
      if (!comparison) return arithmetic(node.op, a, b);
      const holds = compare(node.op, a, b);
      return node.bool ? (holds ? 1 : 0) : holds ? a : undefined;
    };
    if (lhs.kind === 'scalar' && rhs.kind === 'scalar') {
      const value = comparison ? (compare(node.op, lhs.value, rhs.value) ? 1 : 0) : arithmetic(node.op, lhs.value, rhs.value);
      return { kind: 'scalar', value };
    }
    if (lhs.kind === 'scalar' || rhs.kind === 'scalar') {
      const samples = lhs.kind === 'vector' ? lhs.samples : (rhs as { samples: Sample[] }).samples;
      const scalar = lhs.kind === 'scalar' ? lhs.value : (rhs as { value: number }).value;
      return vector(
        samples.flatMap((sample) => {
          const value = lhs.kind === 'scalar' ? apply(scalar, sample.value) : apply(sample.value, scalar);
          if (value === undefined) return [];
          return [{ labels: comparison && !node.bool ? sample.labels : withoutName(sample.labels), value: comparison && !node.bool ? sample.value : value }];
        }),
      );
    }
    const key = (labels: Labels) => seriesKey(pick(labels, node.on, node.ignoring));
    if (SET_OPERATORS.has(node.op)) {
      const right = new Set(rhs.samples.map((sample) => key(sample.labels)));
      if (node.op === 'and') return vector(lhs.samples.filter((sample) => right.has(key(sample.labels))));
      if (node.op === 'unless') return vector(lhs.samples.filter((sample) => !right.has(key(sample.labels))));
      const left = new Set(lhs.samples.map((sample) => key(sample.labels)));
      return vector([...lhs.samples, ...rhs.samples.filter((sample) => !left.has(key(sample.labels)))]);
    }
    const right = new Map(rhs.samples.map((sample) => [key(sample.labels), sample]));
    return vector(
      lhs.samples.flatMap((sample) => {
        const match = right.get(key(sample.labels));
        if (!match) return [];
        const value = apply(sample.value, match.value);
        if (value === undefined) return [];
        const labels = node.groupLeft ? withoutName(sample.labels) : pick(sample.labels, node.on, node.ignoring);
        return [{ labels: comparison && !node.bool ? sample.labels : labels, value }];
      }),
    );
  };

  const visit = (node: Expr): Value => {
    switch (node.type) {
      case 'number':
        return { kind: 'scalar', value: node.value };
      case 'negate': {
        const value = visit(node.expr);
        return value.kind === 'scalar' ? { kind: 'scalar', value: -value.value } : vector(value.samples.map((sample) => ({ labels: withoutName(sample.labels), value: -sample.value })));
      }
      case 'selector': {
        if (node.range !== undefined) throw new Error('a range selector is only valid inside a range function');
        const latest = history.latest();
        if (!latest) return vector([]);
        const samples: Sample[] = [];
        for (const [key, value] of seriesNamed(latest, node.name)) {
          const labels = history.labelsOf(key);
          if (node.matchers.every((matcher) => matches(labels, matcher))) samples.push({ labels, value });
        }
        return vector(samples);
      }
      case 'call':
        return call(node);
      case 'aggregate':
        return aggregate(node);
      case 'binary':
        return binary(node);
    }
  };

  return visit(expr);
}
