import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type TestSession, staffSession, storeHost } from '../../../test/support/auth.ts';
import { ownerQuery, waitFor } from '../../../test/support/jobs.ts';
import { type TestApp, type Tenant, makeTenant, startTestApp } from '../../../test/support/platform.ts';
import { setTaxId } from './tax-ids.ts';

const KEY_1 = `1:${'first-data-key-'.repeat(3)}`;
const KEY_2 = `2:${'second-data-key-'.repeat(3)}`;

/** Tax identifiers: pgcrypto ciphertext with its key version, every access logged, rotation to the current key by a job. */
describe('consignor tax identifiers', () => {
  let t: TestApp;
  let store: Tenant;
  let owner: TestSession;
  let manager: TestSession;

  beforeAll(async () => {
    // Version 2 is current; values sealed with version 1 are still readable and get rotated.
    t = await startTestApp({ PII_ENCRYPTION_KEYS: `${KEY_1},${KEY_2}` });
    store = await makeTenant(t.platform.db, 'Tax Forms Boutique');
    owner = await staffSession(t.platform, store.id, 'owner');
    manager = await staffSession(t.platform, store.id, 'manager');
  });
  afterAll(() => t?.close());

  const api = (method: 'GET' | 'POST' | 'PUT', url: string, session: TestSession, payload?: object) =>
    t.app.inject({ method, url: `/admin/api/v1/consignment${url}`, headers: { host: storeHost(store), ...session.headers }, ...(payload ? { payload } : {}) });

  it('stores only ciphertext with the key version, reveals it with payouts:approve, and logs each access without the value', async () => {
    const consignor = (await api('POST', '/consignors', manager, { display_name: 'Tess Tax' })).json();
    const set = await api('PUT', `/consignors/${consignor.id}/tax-id`, manager, { tax_id: '123-45-6789' });
    expect(set.json()).toEqual({ has_tax_id: true, tax_id_key_version: 2 });
    const [row] = await ownerQuery<{ ciphertext: Buffer; tax_id_key_version: number }>('select tax_id_ciphertext as ciphertext, tax_id_key_version from consignors where id = $1', [consignor.id]);
    expect(row!.tax_id_key_version).toBe(2);
    expect(row!.ciphertext.toString('latin1')).not.toContain('123456789');

    expect((await api('GET', `/consignors/${consignor.id}/tax-id`, manager)).statusCode).toBe(403);
    const revealed = await api('GET', `/consignors/${consignor.id}/tax-id`, owner);
    expect(revealed.json()).toEqual({ tax_id: '123456789', key_version: 2 });
    expect(revealed.headers['cache-control']).toBe('private, no-store');
    expect((await api('GET', `/consignors/${consignor.id}`, manager)).json()).toMatchObject({ has_tax_id: true, tax_id_key_version: 2 });

    const log = (await api('GET', `/consignors/${consignor.id}/tax-id/access-log`, manager)).json().items;
    expect(log.map((entry: { operation: string; purpose: string; key_version: number }) => [entry.operation, entry.purpose, entry.key_version])).toEqual([
      ['encrypt', 'set', 2],
      ['decrypt', 'reveal', 2],
    ]);
    expect(log[0].actor).toBe(manager.userId);
    expect(log[1].actor).toBe(owner.userId);
    expect(JSON.stringify(log)).not.toContain('6789');
    await expect(ownerQuery('update consignor_tax_id_access_log set actor = $1 where consignor_id = $2', ['someone', consignor.id])).rejects.toThrow(/append-only/);
  });

  it('re-encrypts values of an older key version to the current one with the rotation job', async () => {
    const consignor = (await api('POST', '/consignors', manager, { display_name: 'Old Key' })).json();
    const oldKeys = { keys: t.platform.config.dataKeys.keys, current: 1 };
    await t.platform.db.withTenant(store.id, (trx) => setTaxId(trx, oldKeys, store.id, consignor.id, '98-7654321'));
    expect((await api('GET', `/consignors/${consignor.id}`, manager)).json().tax_id_key_version).toBe(1);

    const started = await api('POST', '/tax-id-rotations', owner);
    expect(started.statusCode).toBe(202);
    // Polled in the database: polling through the API would spend the store's request budget on a loaded machine.
    await waitFor(
      async () => (await ownerQuery<{ v: number }>('select tax_id_key_version as v from consignors where id = $1', [consignor.id]))[0]?.v === 2,
      'rotation to key version 2',
      30_000,
    );
    expect((await api('GET', `/consignors/${consignor.id}/tax-id`, owner)).json()).toEqual({ tax_id: '987654321', key_version: 2 });
    const log = (await api('GET', `/consignors/${consignor.id}/tax-id/access-log`, manager)).json().items;
    expect(log.map((entry: { operation: string; purpose: string; key_version: number }) => [entry.operation, entry.purpose, entry.key_version])).toEqual([
      ['encrypt', 'set', 1],
      ['decrypt', 'rotate', 1],
      ['encrypt', 'rotate', 2],
      ['decrypt', 'reveal', 2],
    ]);
  });

  it('records an agreement acceptance with its version, time and address, append-only', async () => {
    const consignor = (await api('POST', '/consignors', manager, { display_name: 'Signer' })).json();
    expect((await api('POST', `/consignors/${consignor.id}/agreement-acceptances`, manager, { agreement_version: 9 })).json().code).toBe('agreement_version_unknown');
    const accepted = await api('POST', `/consignors/${consignor.id}/agreement-acceptances`, manager, { agreement_version: 1 });
    expect(accepted.statusCode).toBe(201);
    expect(accepted.json()).toMatchObject({ agreement_version: 1, channel: 'in_store', ip_address: '127.0.0.1', accepted_at: expect.any(String) });
    await expect(ownerQuery('delete from consignor_agreement_acceptances where consignor_id = $1', [consignor.id])).rejects.toThrow(/append-only/);
  });
});
