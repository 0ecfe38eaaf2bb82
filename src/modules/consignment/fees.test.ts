import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type TestSession, staffSession, storeHost } from '../../../test/support/auth.ts';
import { ownerQuery } from '../../../test/support/jobs.ts';
import { type TestApp, type Tenant, makeTenant, startTestApp } from '../../../test/support/platform.ts';
import { postMonthlyFees } from './fees.ts';

/** The flat fees of the terms reach the ledger: per item when a batch is accepted, per month with items on the floor. */
describe('consignment fees', () => {
  let t: TestApp;
  let store: Tenant;
  let manager: TestSession;

  beforeAll(async () => {
    t = await startTestApp();
    store = await makeTenant(t.platform.db, 'Fee Schedule Boutique');
    manager = await staffSession(t.platform, store.id, 'manager');
  });
  afterAll(() => t?.close());

  const api = async (method: 'GET' | 'POST' | 'PUT' | 'PATCH', url: string, payload?: object) => {
    const response = await t.app.inject({ method, url: `/admin/api/v1/consignment${url}`, headers: { host: storeHost(store), ...manager.headers }, ...(payload ? { payload } : {}) });
    expect(response.statusCode, response.body).toBeLessThan(300);
    return response.json();
  };
  const fees = async (consignorId: string) =>
    (await api('GET', `/ledger?consignor_id=${consignorId}`)).items
      .filter((entry: { kind: string }) => entry.kind === 'fee')
      .map((entry: { amount_minor: number; description: string }) => [entry.amount_minor, entry.description]);
  const takeIn = async (consignorId: string, count: number) => {
    const items = Array.from({ length: count }, (_, index) => ({ title: `Wool coat ${index + 1}`, price_minor: 12_000, currency: 'USD' }));
    const batch = await api('POST', '/batches', { consignor_id: consignorId, items });
    return api('POST', `/batches/${batch.id}/accept`);
  };
  const thisMonth = () => `${new Date().toISOString().slice(0, 7)}-01`;
  const monthlyFees = (period: string) => t.platform.db.withTenant(store.id, (trx) => postMonthlyFees(trx, store.id, period));

  it('charges the intake fee per accepted item once, and the monthly fee once per month to consignors with items on the floor', async () => {
    await api('PATCH', '/terms', { intake_fee_minor: 150, monthly_fee_minor: 500 });
    const hazel = await api('POST', '/consignors', { display_name: 'Hazel Fees' });
    const waived = await api('POST', '/consignors', { display_name: 'Waived Wendy' });
    const idle = await api('POST', '/consignors', { display_name: 'Idle Ida' });
    await api('PUT', `/consignors/${waived.id}/terms`, { intake_fee_minor: 0, monthly_fee_minor: 0 });

    await takeIn(hazel.id, 3);
    await takeIn(waived.id, 2);
    expect(await fees(hazel.id)).toEqual([[-450, 'Intake fee: 3 items']]);
    expect(await fees(waived.id)).toEqual([]);

    const month = thisMonth();
    const monthName = new Date(`${month}T00:00:00Z`).toLocaleString('en-US', { month: 'long', year: 'numeric', timeZone: 'UTC' });
    expect(await monthlyFees(month)).toBe(1);
    expect(await monthlyFees(month)).toBe(0);
    expect(await fees(hazel.id)).toEqual([
      [-500, `Monthly fee, ${monthName}`],
      [-450, 'Intake fee: 3 items'],
    ]);
    expect(await fees(idle.id)).toEqual([]);
    // Before the items came in, nothing was on the floor: no fee for that month.
    const before = new Date(Date.UTC(new Date().getUTCFullYear(), new Date().getUTCMonth() - 1, 1)).toISOString().slice(0, 10);
    expect(await monthlyFees(before)).toBe(0);

    const balance = await api('GET', `/consignors/${hazel.id}/balance`);
    expect(balance).toMatchObject({ balance_minor: -950 });
    const [row] = await ownerQuery<{ entries: number }>(`select count(*)::int as entries from consignment_ledger_entries where consignor_id = $1`, [hazel.id]);
    expect(row?.entries).toBe(2);
  });
});
