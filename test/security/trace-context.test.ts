import { ROOT_CONTEXT, SpanKind, TraceFlags, trace } from '@opentelemetry/api';
import { ParentBasedSampler, SamplingDecision, TraceIdRatioBasedSampler } from '@opentelemetry/sdk-trace-node';
import { describe, expect, it } from 'vitest';
import { RemoteParentRatioSampler } from '../../src/platform/observability/remote-sampler.ts';

describe('sampling of traces continued from a caller', () => {
  it('does not let a client force sampling with its traceparent flag (ratio 0: nothing is sampled)', () => {
    const remote = new RemoteParentRatioSampler(0);
    const sampler = new ParentBasedSampler({ root: new TraceIdRatioBasedSampler(0), remoteParentSampled: remote, remoteParentNotSampled: remote });
    const parent = trace.setSpanContext(ROOT_CONTEXT, { traceId: '0af7651916cd43dd8448eb211c80319c', spanId: 'b7ad6b7169203331', traceFlags: TraceFlags.SAMPLED, isRemote: true });
    for (let i = 0; i < 100; i++) {
      const result = sampler.shouldSample(parent, '00000000000000000000000000000001', 'GET /', SpanKind.SERVER, {}, []);
      expect(result.decision).toBe(SamplingDecision.NOT_RECORD);
    }
  });

  it('samples continued traces at the configured ratio', () => {
    const remote = new RemoteParentRatioSampler(0.5);
    const sampled = Array.from({ length: 2000 }, () => remote.shouldSample().decision === SamplingDecision.RECORD_AND_SAMPLED).filter(Boolean).length;
    expect(sampled).toBeGreaterThan(800);
    expect(sampled).toBeLessThan(1200);
  });
});
