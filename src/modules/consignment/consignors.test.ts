import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type TestApp, type Tenant, makeTenant, startTestApp } from '../../../test/support/platform.ts';
import { consignment } from './index.ts';

describe('consignors', () => {
  let t: TestApp;
  let storeX: Tenant;
  let storeY: Tenant;

  beforeAll(async () => {
    t = await startTestApp();
    storeX = await makeTenant(t.platform.db, 'Second Hand Rose');
    storeY = await makeTenant(t.platform.db, 'Other Boutique');
  });
  afterAll(() => t?.close());

  it('keeps a consignor to its store: the other store neither reads it nor writes a row into it', async () => {
    const { db } = t.platform;
    const rose = await db.withTenant(storeX.id, (trx) =>
      consignment.createConsignor(trx, storeX.id, { display_name: 'Rose Vintage', email: 'Rose@Example.test', payout_method: 'store_credit', store_credit_bonus_percent: 10 }),
    );
    expect(rose).toMatchObject({ display_name: 'Rose Vintage', email: 'rose@example.test', payout_method: 'store_credit', store_credit_bonus_percent: 10, has_tax_id: false });

    expect(await db.withTenant(storeX.id, (trx) => consignment.getConsignor(trx, storeX.id, rose.id))).toEqual(rose);
    expect(await db.withTenant(storeY.id, (trx) => consignment.getConsignor(trx, storeX.id, rose.id))).toBeUndefined();
    await expect(db.withTenant(storeY.id, (trx) => consignment.createConsignor(trx, storeX.id, { display_name: 'Intruder' }))).rejects.toThrow(/row-level security/);
  });
});
