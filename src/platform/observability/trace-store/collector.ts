import { type Context, trace } from '@opentelemetry/api';
import type { ReadableSpan, Span, SpanProcessor } from '@opentelemetry/sdk-trace-node';
import { type KeptReason, type SamplingRules, durationMs, failed, keepDecision } from './sampling.ts';
import { traceStoreMetrics } from './telemetry.ts';

/** A finished request or job that was kept: its local root span, every span under it, and the trace's log lines. */
export interface KeptTrace {
  root: ReadableSpan;
  spans: ReadableSpan[];
  reason: KeptReason;
  lines: string[];
}

/** Where kept traces go (the batch writer); called on the request path, so it only queues. */
export interface TraceSink {
  keep(trace: KeptTrace): void;
  /** A span or log line that arrived after its trace was kept (work left running after the response). */
  late(item: { span: ReadableSpan; rootSpanId: string } | { line: string }): void;
}

interface PendingTrace {
  /** Spans finished so far, by the local root they belong to. */
  spans: Map<string, ReadableSpan[]>;
  openRoots: Set<string>;
  lines: string[];
  kept: boolean;
}

const MAX_PENDING_TRACES = 10_000;
const MAX_SPANS_PER_ROOT = 2_000;
const MAX_LINES_PER_TRACE = 500;
/** How long a decision is remembered for log lines, spans and jobs of the same trace that arrive afterwards. */
const DECISION_MEMORY_MS = 60_000;
const TRACE_ID_FIELD = '"trace_id":"';

/**
 * Tail sampling in process: holds each trace's spans and log lines until its local root (the request's server
 * span, a job's consumer span) ends, then keeps the whole request or job (see `keepDecision`) or forgets it.
 * Everything held is bounded; what does not fit is counted, never waited for.
 */
export class TraceCollector implements SpanProcessor {
  private readonly pending = new Map<string, PendingTrace>();
  private readonly decided = new Map<string, { kept: boolean; at: number }>();
  private readonly roots = new WeakMap<object, string>();
  private sink: TraceSink | undefined;
  private readonly rules: SamplingRules;
  private readonly dice: () => number;

  constructor(rules: SamplingRules, dice: () => number = Math.random) {
    this.rules = rules;
    this.dice = dice;
  }

  /** Starts collecting into `sink`; before, spans pass by untouched (start-up runs before the database is open). */
  attach(sink: TraceSink | undefined): void {
    this.sink = sink;
    if (!sink) this.pending.clear();
  }

  onStart(span: Span, parentContext: Context): void {
    if (!this.sink) return;
    const parent = trace.getSpan(parentContext);
    const parentRoot = parent ? this.roots.get(parent) : undefined;
    const spanId = span.spanContext().spanId;
    const root = parentRoot ?? spanId;
    this.roots.set(span, root);
    if (parentRoot) return;
    const traceId = span.spanContext().traceId;
    let pending = this.pending.get(traceId);
    if (!pending) {
      if (this.pending.size >= MAX_PENDING_TRACES) {
        traceStoreMetrics.dropped.inc({ reason: 'pending_full' });
        return;
      }
      pending = { spans: new Map(), openRoots: new Set(), lines: [], kept: this.decided.get(traceId)?.kept === true };
      this.pending.set(traceId, pending);
    }
    pending.openRoots.add(root);
  }

  onEnd(span: ReadableSpan): void {
    const sink = this.sink;
    if (!sink) return;
    const root = this.roots.get(span);
    if (root === undefined) return;
    const traceId = span.spanContext().traceId;
    const pending = this.pending.get(traceId);
    if (!pending?.openRoots.has(root)) {
      if (this.decided.get(traceId)?.kept) sink.late({ span, rootSpanId: root });
      return;
    }
    const spans = pending.spans.get(root) ?? [];
    if (spans.length < MAX_SPANS_PER_ROOT) spans.push(span);
    else traceStoreMetrics.dropped.inc({ reason: 'trace_too_large' });
    pending.spans.set(root, spans);
    if (root !== span.spanContext().spanId) return;

    pending.openRoots.delete(root);
    pending.spans.delete(root);
    const reason = keepDecision({ failed: failed(span), durationMs: durationMs(span) }, this.rules, pending.kept, this.dice);
    traceStoreMetrics.decisions.inc({ decision: reason ?? 'dropped' });
    if (reason) {
      pending.kept = true;
      sink.keep({ root: span, spans, reason, lines: pending.lines });
      pending.lines = [];
    }
    if (pending.openRoots.size === 0) {
      this.pending.delete(traceId);
      this.remember(traceId, pending.kept);
    }
  }

  /** A serialized log line (pino's JSON); lines of traces still open wait with them. */
  onLog(line: string): void {
    const sink = this.sink;
    if (!sink) return;
    const at = line.indexOf(TRACE_ID_FIELD);
    if (at < 0) return;
    const start = at + TRACE_ID_FIELD.length;
    const traceId = line.slice(start, start + 32);
    const pending = this.pending.get(traceId);
    if (pending?.kept || (!pending && this.decided.get(traceId)?.kept)) {
      sink.late({ line });
    } else if (pending) {
      if (pending.lines.length < MAX_LINES_PER_TRACE) pending.lines.push(line);
      else traceStoreMetrics.dropped.inc({ reason: 'trace_too_large' });
    }
  }

  private remember(traceId: string, kept: boolean): void {
    const now = Date.now();
    this.decided.delete(traceId);
    this.decided.set(traceId, { kept, at: now });
    // Oldest first (insertion order): forget what is past memory, and never hold more than the pending bound.
    for (const [id, decision] of this.decided) {
      if (now - decision.at < DECISION_MEMORY_MS && this.decided.size <= MAX_PENDING_TRACES) break;
      this.decided.delete(id);
    }
  }

  forceFlush(): Promise<void> {
    return Promise.resolve();
  }

  shutdown(): Promise<void> {
    this.attach(undefined);
    return Promise.resolve();
  }
}
