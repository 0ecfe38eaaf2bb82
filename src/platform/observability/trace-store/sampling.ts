import { SpanKind, SpanStatusCode } from '@opentelemetry/api';
import type { ReadableSpan } from '@opentelemetry/sdk-trace-node';

/** Why a request or job was kept: it failed, it was slow, the dice chose it, or another part of its trace was kept. */
export type KeptReason = 'error' | 'slow' | 'sampled' | 'linked';

export interface SamplingRules {
  /** Share of the healthy, fast rest kept anyway. */
  sampleRatio: number;
  slowMs: number;
}

export interface RootFacts {
  failed: boolean;
  durationMs: number;
}

/**
 * The tail-sampling rule, decided when a request or job has finished: every failure and every slow one, the rest
 * by a roll of `dice` against the ratio; `linked` when the same trace (the request that enqueued a job, or the job
 * of a kept request) is kept already, so a request and its jobs are stored together.
 */
export function keepDecision(root: RootFacts, rules: SamplingRules, linked: boolean, dice: () => number = Math.random): KeptReason | undefined {
  if (root.failed) return 'error';
  if (root.durationMs >= rules.slowMs) return 'slow';
  if (linked) return 'linked';
  return rules.sampleRatio > 0 && dice() < rules.sampleRatio ? 'sampled' : undefined;
}

/** How many requests a kept one stands for, so that rates computed from the store are not skewed by sampling. */
export function weightOf(reason: KeptReason, rules: SamplingRules): number {
  return reason === 'sampled' ? 1 / rules.sampleRatio : 1;
}

export const durationMs = (span: ReadableSpan) => span.duration[0] * 1000 + span.duration[1] / 1e6;

export const httpStatusOf = (span: ReadableSpan): number | undefined => {
  const status = span.attributes['http.response.status_code'];
  return typeof status === 'number' ? status : undefined;
};

/**
 * A request failed when it answered 5xx (a refused 4xx is the client's mistake, though its span records the
 * thrown problem as an error); a job when its span has an error status.
 */
export function failed(span: ReadableSpan): boolean {
  const status = httpStatusOf(span);
  return status === undefined ? span.status.code === SpanStatusCode.ERROR : status >= 500;
}

export const isRequest = (span: ReadableSpan) => span.kind === SpanKind.SERVER;
