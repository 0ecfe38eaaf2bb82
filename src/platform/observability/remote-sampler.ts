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
