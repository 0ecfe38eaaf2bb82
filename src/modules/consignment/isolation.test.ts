import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { staffSession, storeHost } from '../../../test/support/auth.ts';
import { ownerQuery } from '../../../test/support/jobs.ts';
import { type TestApp, type Tenant, makeTenant, startTestApp } from '../../../test/support/platform.ts';

const TABLES = [
  'consignors',
  'consignor_tax_id_access_log',
  'consignor_agreement_acceptances',
  'consignment_store_terms',
  'consignor_terms',
  'consignment_category_commissions',
  'consignment_batches',
  'consignment_items',
  'consignment_price_history',
];

/** Every consignment table keeps its rows to their store: another store's unit of work neither sees nor changes them. */
describe('consignment tenant isolation', () => {
  let t: TestApp;
  let storeX: Tenant;
  let storeY: Tenant;

  beforeAll(async () => {
    t = await startTestApp();
    storeX = await makeTenant(t.platform.db, 'Store X');
    storeY = await makeTenant(t.platform.db, 'Store Y');
    const owner = await staffSession(t.platform, storeX.id, 'owner');
    const api = (method: 'POST' | 'PUT' | 'PATCH', url: string, payload: object = {}) =>
      t.app.inject({ method, url: `/admin/api/v1/consignment${url}`, headers: { host: storeHost(storeX), ...owner.headers }, payload });
    // A row in every table of store X.
    const consignor = (await api('POST', '/consignors', { display_name: 'Rose' })).json();
    await api('PUT', `/consignors/${consignor.id}/tax-id`, { tax_id: '123-45-6789' });
    await api('PATCH', '/terms', { commission_percent: 45 });
    await api('POST', `/consignors/${consignor.id}/agreement-acceptances`, { agreement_version: 1 });
    await api('PUT', `/consignors/${consignor.id}/terms`, { commission_percent: 35 });
    await api('PUT', `/category-commissions/${consignor.id}`, { commission_percent: 50 });
    const batch = (await api('POST', '/batches', { consignor_id: consignor.id, items: [{ title: 'Scarf', price_minor: 1_000, currency: 'USD' }] })).json();
    expect((await api('POST', `/batches/${batch.id}/accept`)).statusCode).toBe(200);
  });
  afterAll(() => t?.close());

  it.each(TABLES)('%s: store X has rows; store Y reads none and updates none', async (table) => {
    const [counted] = await ownerQuery<{ n: number }>(`select count(*)::int as n from ${table} where tenant_id = $1`, [storeX.id]);
    expect(counted?.n).toBeGreaterThan(0);
    const seen = await t.platform.db.withTenant(storeY.id, (trx) => trx.selectFrom(table as 'consignors').select('tenant_id').execute());
    expect(seen.filter((row) => row.tenant_id === storeX.id)).toEqual([]);
    const updated = await t.platform.db.withTenant(storeY.id, (trx) =>
      trx.updateTable(table as 'consignors').set({ updated_at: new Date() }).where('tenant_id', '=', storeX.id).executeTakeFirst(),
    );
    expect(Number(updated.numUpdatedRows)).toBe(0);
  });

  it('refuses rows written into another store', async () => {
    await expect(t.platform.db.withTenant(storeY.id, (trx) => trx.insertInto('consignors').values({ tenant_id: storeX.id, display_name: 'Intruder' }).execute())).rejects.toThrow(/row-level security/);
  });
});
