export type Labels = Record<string, string>;

/** One scrape of the process's own metrics (and the recording rules' results at that time): by metric name, value by series key. */
export interface Snapshot {
  at: number;
  values: Map<string, Map<string, number>>;
}

export const seriesKey = (labels: Labels) =>
  Object.keys(labels)
    .sort()
    .map((key) => `${key}=${JSON.stringify(labels[key])}`)
    .join(',');

/**
 * The recent past of the process's series, as the rule evaluator's stand-in for a Prometheus TSDB: snapshots
 * taken every scrape interval, kept for `maxAgeMs`. Series labels are stored once, snapshots hold only values.
 */
export class SeriesHistory {
  private readonly snapshots: Snapshot[] = [];
  private readonly labels = new Map<string, Labels>();
  private readonly maxAgeMs: number;

  constructor(maxAgeMs: number) {
    this.maxAgeMs = maxAgeMs;
  }

  add(at: number, samples: Iterable<{ labels: Labels; value: number }>): Snapshot {
    const snapshot: Snapshot = { at, values: new Map() };
    this.snapshots.push(snapshot);
    this.put(snapshot, samples);
    while (this.snapshots.length > 0 && this.snapshots[0]!.at < at - this.maxAgeMs) this.snapshots.shift();
    return snapshot;
  }

  /** Adds series (recording rule results) to the latest snapshot. */
  record(samples: Iterable<{ labels: Labels; value: number }>): void {
    const latest = this.snapshots.at(-1);
    if (latest) this.put(latest, samples);
  }

  private put(snapshot: Snapshot, samples: Iterable<{ labels: Labels; value: number }>): void {
    for (const sample of samples) {
      const key = seriesKey(sample.labels);
      if (!this.labels.has(key)) this.labels.set(key, sample.labels);
      const name = sample.labels.__name__ ?? '';
      let series = snapshot.values.get(name);
      if (!series) {
        series = new Map();
        snapshot.values.set(name, series);
      }
      series.set(key, sample.value);
    }
  }

  latest(): Snapshot | undefined {
    return this.snapshots.at(-1);
  }

  /** Snapshots with `from < at <= to`, oldest first. */
  between(from: number, to: number): Snapshot[] {
    return this.snapshots.filter((snapshot) => snapshot.at > from && snapshot.at <= to);
  }

  labelsOf(key: string): Labels {
    return this.labels.get(key)!;
  }
}
