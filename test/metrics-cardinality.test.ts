import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { currentContext } from '../src/platform/observability/context.ts';
import { type TestApp, startTestApp } from './support/platform.ts';

/** Series the whole exposition may hold with 1,000 active stores (measured: see docs/operations/observability.md). */
const SERIES_BUDGET = 500;
const STORES = 1_000;
const BUSY_STORES = 30;

/**
 * 1,000 stores send requests through the real HTTP metrics hook; 30 of them are busy enough to earn their own
 * tenant label. The exposition must stay under a fixed series count whatever the number of stores.
 */
describe('metric cardinality with 1,000 active stores', () => {
  let test: TestApp;
  beforeAll(async () => {
    test = await startTestApp({ METRICS_TENANT_TOP_K: '20' }, {
      routes(app) {
        app.get<{ Params: { tenant: string } }>('/q/test/tenant/:tenant', async (request) => {
          currentContext()!.tenantId = request.params.tenant;
          return { ok: true };
        });
      },
    });
  });
  afterAll(async () => {
    await test.close();
  });

  it('stays under the series budget, with at most top-K + 2 tenant label values', async () => {
    const stores = Array.from({ length: STORES }, () => randomUUID());
    const hit = (tenant: string) => test.app.inject({ method: 'GET', url: `/q/test/tenant/${tenant}` });
    for (let round = 0; round < 3; round++) {
      for (let i = 0; i < stores.length; i += 100) await Promise.all(stores.slice(i, i + 100).map(hit));
    }
    for (let round = 0; round < 120; round++) await Promise.all(stores.slice(0, BUSY_STORES).map(hit));

    const exposition = (await test.app.inject({ method: 'GET', url: '/q/metrics' })).body;
    const series = exposition.split('\n').filter((line) => line !== '' && !line.startsWith('#'));
    const tenants = new Set([...exposition.matchAll(/tenant_id="([^"]*)"/g)].map((match) => match[1]));
    console.log(JSON.stringify({ stores: STORES, series: series.length, tenant_label_values: tenants.size }));
    expect(tenants.size).toBeLessThanOrEqual(20 + 2);
    expect(tenants.has('other')).toBe(true);
    expect(series.length).toBeLessThan(SERIES_BUDGET);
  }, 120_000);
});
