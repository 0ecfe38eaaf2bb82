import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type TestSession, staffSession, storeHost } from '../../../test/support/auth.ts';
import { type TestApp, type Tenant, makeTenant, startTestApp } from '../../../test/support/platform.ts';
import { applyExpiryOutcomes, applyMarkdowns, sendExpiryNotices } from './aging.ts';

const DAY = 86_400_000;

/** Aging: markdown schedules through the catalog, expiry notices by e-mail, expiry outcomes; each idempotent. */
describe('consignment aging', () => {
  let t: TestApp;
  let store: Tenant;
  let manager: TestSession;

  beforeAll(async () => {
    t = await startTestApp();
    store = await makeTenant(t.platform.db, 'Aging Boutique');
    manager = await staffSession(t.platform, store.id, 'manager');
  });
  afterAll(() => t?.close());

  const api = (method: 'GET' | 'POST' | 'PUT' | 'PATCH', url: string, payload?: unknown) =>
    t.app.inject({ method, url: `/admin/api/v1${url}`, headers: { host: storeHost(store), ...manager.headers }, ...(payload === undefined ? {} : { payload: payload as object }) });
  const inStore = <T>(fn: Parameters<typeof t.platform.db.withTenant<T>>[1]) => t.platform.db.withTenant(store.id, fn);
  const priceOf = async (productId: string) => (await api('GET', `/products/${productId}`)).json().variants[0].price_minor as number;

  it('marks items down by the schedule once per step, keeps the price history, and a re-run changes nothing', async () => {
    await api('PATCH', '/consignment/terms', { markdown_steps: [{ after_days: 60, percent_off: 40 }, { after_days: 30, percent_off: 20 }] });
    const consignor = (await api('POST', '/consignment/consignors', { display_name: 'Marked Down' })).json();
    const batch = (await api('POST', '/consignment/batches', { consignor_id: consignor.id, items: [{ title: 'Wool coat', price_minor: 10_000, currency: 'USD' }] })).json();
    const [item] = (await api('POST', `/consignment/batches/${batch.id}/accept`)).json().items;
    const received = new Date(item.received_at).getTime();

    expect(await inStore((trx) => applyMarkdowns(trx, store.id, new Date(received + 29 * DAY)))).toBe(0);
    expect(await inStore((trx) => applyMarkdowns(trx, store.id, new Date(received + 31 * DAY)))).toBe(1);
    expect(await priceOf(item.product_id)).toBe(8_000);
    expect(await inStore((trx) => applyMarkdowns(trx, store.id, new Date(received + 31 * DAY)))).toBe(0);
    expect(await inStore((trx) => applyMarkdowns(trx, store.id, new Date(received + 61 * DAY)))).toBe(1);
    expect(await inStore((trx) => applyMarkdowns(trx, store.id, new Date(received + 62 * DAY)))).toBe(0);
    expect(await priceOf(item.product_id)).toBe(6_000);

    const history = (await api('GET', `/consignment/items/${item.id}/price-history`)).json().items;
    expect(history.map((entry: { price_minor: number; reason: string; markdown_step: number }) => [entry.price_minor, entry.reason, entry.markdown_step])).toEqual([
      [10_000, 'intake', 0],
      [8_000, 'markdown', 1],
      [6_000, 'markdown', 2],
    ]);
  });

  it('sends one expiry notice per consignor before the end, then applies the outcome of the terms after the grace period', async () => {
    await api('PATCH', '/consignment/terms', { markdown_steps: [], period_days: 30, grace_days: 5, expiry_notice_days: 7, expiry_outcome: 'donate' });
    const email = `expiring-${Date.now()}@example.test`;
    const donor = (await api('POST', '/consignment/consignors', { display_name: 'Dora Donor', email })).json();
    const keeper = (await api('POST', '/consignment/consignors', { display_name: 'Kim Keeper' })).json();
    await api('PUT', `/consignment/consignors/${keeper.id}/terms`, { expiry_outcome: 'store_stock' });
    const accept = async (consignorId: string, titles: string[]) => {
      const batch = (await api('POST', '/consignment/batches', { consignor_id: consignorId, items: titles.map((title) => ({ title, price_minor: 2_500, currency: 'USD' })) })).json();
      return (await api('POST', `/consignment/batches/${batch.id}/accept`)).json().items as { id: string; product_id: string; expires_at: string; received_at: string }[];
    };
    const donated = await accept(donor.id, ['Linen dress', 'Straw hat']);
    const kept = await accept(keeper.id, ['Rattan chair']);
    const received = new Date(donated[0]!.received_at).getTime();

    const notify = (at: number) => inStore((trx) => sendExpiryNotices(trx, t.platform.mail, store.id, store.name, new Date(at)));
    expect(await notify(received + 22 * DAY)).toBe(0);
    expect(await notify(received + 24 * DAY)).toBe(3);
    expect(await notify(received + 25 * DAY)).toBe(0);
    const mails = await t.platform.mail.recent({ to: email });
    expect(mails).toHaveLength(1);
    expect(mails[0]!.subject).toContain('2 items reach the end of consignment');
    expect(mails[0]!.body_text).toContain('Linen dress');

    const expire = (at: number) => inStore((trx) => applyExpiryOutcomes(trx, store.id, new Date(at)));
    expect(await expire(received + 34 * DAY)).toEqual({ return: 0, donate: 0, store_stock: 0 });
    expect(await expire(received + 36 * DAY)).toEqual({ return: 0, donate: 2, store_stock: 1 });
    expect(await expire(received + 37 * DAY)).toEqual({ return: 0, donate: 0, store_stock: 0 });
    expect((await api('GET', `/products/${donated[0]!.product_id}`)).json().status).toBe('archived');
    expect((await api('GET', `/products/${kept[0]!.product_id}`)).json().status).toBe('published');
    const items = (await api('GET', `/consignment/items?consignor_id=${donor.id}`)).json().items;
    expect(items.map((item: { status: string; days_on_floor: number }) => item.status)).toEqual(['donated', 'donated']);
  });
});
