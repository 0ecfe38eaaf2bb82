import { describe, expect, it } from 'vitest';
import { scrapeMetrics } from '../../platform/observability/metrics.ts';
import { OfflineAddressValidator } from './address.ts';
import { type RateSource, type ShippingRequest, ShippingRateAdapter, TableRateSource } from './shipping.ts';

const request = (overrides: Partial<ShippingRequest> = {}): ShippingRequest => ({
  tenantId: '00000000-0000-4000-8000-000000000001',
  country: 'US',
  postalCode: '94105',
  weightGrams: 400,
  subtotalMinor: 3000,
  currency: 'USD',
  ...overrides,
});

class Carrier implements RateSource {
  readonly name = 'carrier';
  readonly spanName = 'CarrierAdapter.getRates';
  calls = 0;
  mode: 'ok' | 'fail' | 'hang' = 'ok';
  async getRates(_request: ShippingRequest, signal: AbortSignal) {
    this.calls++;
    if (this.mode === 'fail') throw new Error('carrier 500');
    if (this.mode === 'hang') await new Promise((_, reject) => signal.addEventListener('abort', () => reject(new Error('aborted'))));
    return [{ id: 'carrier:ground', name: 'Ground', amount_minor: 777, currency: 'USD', source: this.name }];
  }
}

const failures = async (type: string) => Number(new RegExp(`integration_adapter_failed_total\\{[^}]*adapter="shipping.carrier"[^}]*failure_type="${type}"[^}]*\\} (\\d+)`).exec(await scrapeMetrics())?.[1] ?? 0);

describe('shipping rates and addresses', () => {
  it('quotes table rates by zone, weight band and free-shipping subtotal', async () => {
    const table = new ShippingRateAdapter(new TableRateSource());
    expect((await table.quote(request())).map((rate) => [rate.id, rate.amount_minor])).toEqual([
      ['domestic:standard', 500],
      ['domestic:express', 1500],
    ]);
    expect((await table.quote(request({ subtotalMinor: 12_000 })))[0]!.amount_minor).toBe(0);
    expect((await table.quote(request({ country: 'DE', weightGrams: 1500 }))).map((rate) => [rate.id, rate.amount_minor])).toEqual([['international:international', 3500]]);
  });

  it('caches quotes, falls back to table rates when a carrier fails or times out, and opens the circuit', async () => {
    const carrier = new Carrier();
    const adapter = new ShippingRateAdapter(new TableRateSource(), [carrier], { timeoutMs: 50, breakAfter: 2, halfOpenAfterMs: 60_000 });
    expect((await adapter.quote(request()))[0]!.id).toBe('carrier:ground');
    await adapter.quote(request());
    expect(carrier.calls).toBe(1);
    carrier.mode = 'hang';
    const timedOut = await failures('timeout');
    expect((await adapter.quote(request({ postalCode: '10001' })))[0]!.source).toBe('table');
    expect(await failures('timeout')).toBe(timedOut + 1);
    carrier.mode = 'fail';
    await adapter.quote(request({ postalCode: '10002' }));
    const open = await failures('circuit_open');
    const calls = carrier.calls;
    expect((await adapter.quote(request({ postalCode: '10003' })))[0]!.source).toBe('table');
    expect(carrier.calls).toBe(calls);
    expect(await failures('circuit_open')).toBe(open + 1);
  });

  it('checks country and postal-code format offline', async () => {
    const validator = new OfflineAddressValidator();
    const address = { name: 'A', line1: '1 St', city: 'X', postal_code: 'sw1a 1aa', country: 'gb' };
    expect(await validator.validate(address)).toMatchObject({ valid: true, address: { country: 'GB', postal_code: 'SW1A 1AA' } });
    expect(await validator.validate({ ...address, country: 'US', postal_code: '1234' })).toMatchObject({ valid: false, errors: [{ field: 'shipping_address/postal_code' }] });
    expect(await validator.validate({ ...address, country: 'ZZ' })).toMatchObject({ valid: false, errors: [{ field: 'shipping_address/country' }] });
  });
});
