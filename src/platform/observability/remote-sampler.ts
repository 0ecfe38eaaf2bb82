import type { Attributes, Context, Link, SpanKind } from '@opentelemetry/api';
import { type Sampler, SamplingDecision, type SamplingResult } from '@opentelemetry/sdk-trace-node';

/**
 * Decides for a trace continued from a caller's `traceparent` by our own dice, at the configured ratio. Neither
 * the caller's sampled flag (which would let any client force 100 % sampling and export) nor its trace id
 * (ratio samplers hash the id, which the caller chose) can make a request sampled.
 */
export class RemoteParentRatioSampler implements Sampler {
  private readonly ratio: number;

  constructor(ratio: number) {
    this.ratio = ratio;
  }

  shouldSample(): SamplingResult {
    return { decision: Math.random() < this.ratio ? SamplingDecision.RECORD_AND_SAMPLED : SamplingDecision.NOT_RECORD };
  }

  toString(): string {
    return `RemoteParentRatioSampler{${this.ratio}}`;
  }
}

/**
 * The head sampler's decision, except that a span it would not record is recorded without being sampled: span
 * processors (the trace store's tail sampler) see it, exporters (which send only sampled spans) do not.
 */
export class RecordEverySampler implements Sampler {
  private readonly head: Sampler;

  constructor(head: Sampler) {
    this.head = head;
  }

  shouldSample(context: Context, traceId: string, spanName: string, spanKind: SpanKind, attributes: Attributes, links: Link[]): SamplingResult {
    const result = this.head.shouldSample(context, traceId, spanName, spanKind, attributes, links);
    return result.decision === SamplingDecision.NOT_RECORD ? { ...result, decision: SamplingDecision.RECORD } : result;
  }

  toString(): string {
    return `RecordEverySampler{${this.head.toString()}}`;
  }
}
