import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { staffSession, storeHost } from '../../../test/support/auth.ts';
import { makeTenant, startTestApp, type Tenant, type TestApp } from '../../../test/support/platform.ts';
import { formVisitor } from '../../../test/support/visitor.ts';
import { consignment } from '../consignment/index.ts';
import { invite } from './auth.ts';

const DAY = 86_400_000;

/**
 * The portal's data pages: each shows the signed-in consignor's own figures, and nothing of another consignor
 * or another store; staff tokens and shopper sessions do not open them.
 */
describe('consignor portal pages', () => {
  let t: TestApp;
  let storeX: Tenant;
  let storeY: Tenant;

  beforeAll(async () => {
    t = await startTestApp();
    storeX = await makeTenant(t.platform.db, 'Second Hand Rose');
    storeY = await makeTenant(t.platform.db, 'Other Boutique');
  });
  afterAll(() => t?.close());

  /** A consignor of `store` with a portal password, and a visitor signed in as them. */
  const signedInConsignor = async (store: Tenant, name: string) => {
    const email = `${name.toLowerCase()}-${randomUUID().slice(0, 6)}@example.test`;
    const id = await t.platform.db.withTenant(store.id, async (trx) => {
      const consignor = await consignment.createConsignor(trx, store.id, { display_name: name, email });
      await invite(t.platform, trx, store, { id: consignor.id, email, name }, `http://${storeHost(store)}`);
      return consignor.id;
    });
    const [mail] = await t.platform.mail.recent({ to: email, limit: 1 });
    const linkPath = /\/consignor\/welcome\/[A-Za-z0-9_-]{43}/.exec(mail!.body_text)![0];
    const visitor = formVisitor(t.app, store);
    expect((await visitor.request('POST', linkPath, { _csrf: await visitor.csrf(linkPath), password: 'portal-password-1' })).statusCode).toBe(303);
    return { id, visitor };
  };

  /** A sale of one line: the credit and the store's commission, payable after `payableInDays`. */
  const sale = async (store: Tenant, consignorId: string, title: string, saleMinor: number, commissionMinor: number, payableInDays: number) => {
    const orderId = randomUUID();
    const lineId = randomUUID();
    const availableAt = new Date(Date.now() + payableInDays * DAY);
    const common = { tenant_id: store.id, consignor_id: consignorId, currency: 'USD', available_at: availableAt, order_id: orderId, order_line_id: lineId };
    await t.platform.db.withTenant(store.id, (trx) =>
      trx
        .insertInto('consignment_ledger_entries')
        .values([
          { ...common, kind: 'sale_credit', amount_minor: saleMinor, posting_key: `sale:${lineId}`, description: `Order #1001: ${title}` },
          { ...common, kind: 'commission', amount_minor: -commissionMinor, posting_key: `commission:${lineId}`, description: 'Commission on order #1001' },
        ])
        .execute(),
    );
  };

  const statement = (store: Tenant, consignorId: string, period: string) =>
    t.platform.db.withTenant(store.id, async (trx) => {
      const row = await trx
        .insertInto('consignment_statements')
        .values({
          tenant_id: store.id,
          consignor_id: consignorId,
          period,
          currency: 'USD',
          opening_minor: 0,
          closing_minor: 6000,
          entries: 2,
          html: `<!doctype html><html lang="en"><head><title>Statement ${period}</title></head><body><h1>Statement for ${period}</h1></body></html>`,
          csv: `date,type,description,amount,currency\n${period},opening_balance,,0.00,USD\n`,
        })
        .returning('id')
        .executeTakeFirstOrThrow();
      return row.id;
    });

  it('shows payable and pending balance, sales, payouts, statements and notifications of the consignor only', async () => {
    const rose = await signedInConsignor(storeX, 'Rose');
    const lily = await signedInConsignor(storeX, 'Lily');
    await sale(storeX, rose.id, 'Wool coat', 10_000, 4_000, -1);
    await sale(storeX, rose.id, 'Silk scarf', 5_000, 2_000, 13);
    await sale(storeX, lily.id, 'Leather bag', 90_000, 36_000, -1);
    const roseStatement = await statement(storeX, rose.id, '2026-11-01');
    const lilyStatement = await statement(storeX, lily.id, '2026-11-01');
    await t.platform.db.withTenant(storeX.id, async (trx) => {
      const run = await trx.insertInto('consignment_payout_runs').values({ tenant_id: storeX.id, origin: 'on_demand', currency: 'USD' }).returning('id').executeTakeFirstOrThrow();
      await trx
        .insertInto('consignment_payouts')
        .values({ tenant_id: storeX.id, run_id: run.id, consignor_id: lily.id, method: 'check', amount_minor: 54_000, currency: 'USD', status: 'awaiting_handover' })
        .execute();
      await trx
        .insertInto('consignment_notifications')
        .values([
          { tenant_id: storeX.id, consignor_id: rose.id, kind: 'sale', dedupe_key: `sale:${randomUUID()}`, subject: 'Your Wool coat sold', body: 'Sold for $100.00.' },
          { tenant_id: storeX.id, consignor_id: lily.id, kind: 'sale', dedupe_key: `sale:${randomUUID()}`, subject: 'Your Leather bag sold', body: 'Sold for $900.00.' },
        ])
        .execute();
    });

    const overview = await rose.visitor.request('GET', '/consignor');
    expect(overview.statusCode).toBe(200);
    expect(overview.headers['cache-control']).toBe('private, no-store');
    expect(overview.body).toMatch(/data-figure="payable">\$60\.00</);
    expect(overview.body).toMatch(/data-figure="pending">\$30\.00</);
    expect(overview.body).toMatch(/data-figure="balance">\$90\.00</);
    expect(overview.body).toContain('Order #1001: Wool coat');
    expect(overview.body).not.toContain('Leather bag');

    const sales = await rose.visitor.request('GET', '/consignor/sales');
    expect(sales.body).toContain('Order #1001: Silk scarf');
    expect(sales.body).toContain('$30.00');
    expect(sales.body).not.toContain('Leather bag');

    expect((await rose.visitor.request('GET', '/consignor/payouts')).body).toContain('No payouts yet.');
    const lilyPayouts = await lily.visitor.request('GET', '/consignor/payouts');
    expect(lilyPayouts.body).toContain('$540.00');
    expect(lilyPayouts.body).toContain('Ready to collect');

    const statements = await rose.visitor.request('GET', '/consignor/statements');
    expect(statements.body).toContain('November 2026');
    expect(statements.body).toContain(`/consignor/statements/${roseStatement}/csv`);
    expect(statements.body).not.toContain(lilyStatement);
    const htmlDoc = await rose.visitor.request('GET', `/consignor/statements/${roseStatement}/html`);
    expect(htmlDoc.statusCode).toBe(200);
    expect(htmlDoc.headers['content-type']).toContain('text/html');
    expect(htmlDoc.body).toContain('Statement for 2026-11-01');
    const csv = await rose.visitor.request('GET', `/consignor/statements/${roseStatement}/csv`);
    expect(csv.headers['content-type']).toContain('text/csv');
    expect(csv.headers['content-disposition']).toBe('attachment; filename="statement-2026-11.csv"');
    expect(csv.body).toContain('opening_balance');

    // Another consignor's statement, by its id, is not found; so is a malformed id refused.
    const lilys = await rose.visitor.request('GET', `/consignor/statements/${lilyStatement}/html`);
    expect(lilys.statusCode).toBe(404);
    expect(lilys.headers['content-type']).toContain('application/problem+json');
    expect(lilys.json().request_id).toBeTruthy();
    expect((await rose.visitor.request('GET', `/consignor/statements/${lilyStatement}/csv`)).statusCode).toBe(404);
    expect((await rose.visitor.request('GET', '/consignor/statements/not-a-uuid/csv')).statusCode).toBe(400);
    expect((await rose.visitor.request('GET', `/consignor/statements/${roseStatement}/pdf`)).statusCode).toBe(400);

    const notifications = await rose.visitor.request('GET', '/consignor/notifications');
    expect(notifications.body).toContain('Your Wool coat sold');
    expect(notifications.body).not.toContain('Leather bag');
  });

  it('a new consignor sees empty states on every page', async () => {
    const fern = await signedInConsignor(storeX, 'Fern');
    const expectations: [string, string][] = [
      ['/consignor', 'No sales yet.'],
      ['/consignor/sales', 'No sales yet.'],
      ['/consignor/payouts', 'No payouts yet.'],
      ['/consignor/statements', 'No statements yet.'],
      ['/consignor/notifications', 'No notifications yet.'],
    ];
    for (const [path, empty] of expectations) {
      const response = await fern.visitor.request('GET', path);
      expect(response.statusCode, path).toBe(200);
      expect(response.body, path).toContain(empty);
      expect(response.body, path).toContain('aria-current="page"');
    }
    expect((await fern.visitor.request('GET', '/consignor')).body).toMatch(/data-figure="payable">\$0\.00</);
  });

  it("another store's host does not open a consignor's session or statement", async () => {
    const rose = await signedInConsignor(storeX, 'Rosa');
    const statementId = await statement(storeX, rose.id, '2026-10-01');
    const session = rose.visitor.jar.get('vs_consignor')!;
    for (const path of ['/consignor', '/consignor/sales', `/consignor/statements/${statementId}/html`]) {
      const response = await t.app.inject({ method: 'GET', url: path, headers: { host: storeHost(storeY), cookie: `vs_consignor=${session}` } });
      expect(response.statusCode, path).toBe(303);
      expect(response.headers.location, path).toBe('/consignor/sign-in');
    }
    // A consignor of store Y signed in on Y's host asking for X's statement id finds nothing.
    const yuki = await signedInConsignor(storeY, 'Yuki');
    expect((await yuki.visitor.request('GET', `/consignor/statements/${statementId}/html`)).statusCode).toBe(404);
  });

  it('staff tokens and shopper sessions do not open portal pages', async () => {
    const staff = await staffSession(t.platform, storeX.id, 'owner');
    for (const path of ['/consignor', '/consignor/payouts', `/consignor/statements/${randomUUID()}/csv`]) {
      const response = await t.app.inject({ method: 'GET', url: path, headers: { host: storeHost(storeX), ...staff.headers } });
      expect(response.statusCode, path).toBe(303);
      expect(response.headers.location, path).toBe('/consignor/sign-in');
    }
    const shopper = formVisitor(t.app, storeX);
    const registered = await shopper.request('POST', '/account/register', {
      _csrf: await shopper.csrf('/account/register'),
      display_name: 'Ada Shopper',
      email: `ada-${randomUUID().slice(0, 6)}@example.test`,
      password: 'shopper-password-1',
    });
    expect(registered.headers.location).toBe('/account');
    expect((await shopper.request('GET', '/account')).statusCode).toBe(200);
    const portal = await shopper.request('GET', '/consignor');
    expect(portal.headers.location).toBe('/consignor/sign-in');
    // And the shopper's cookies, replayed as a portal cookie, open nothing either.
    const forged = await t.app.inject({
      method: 'GET',
      url: '/consignor',
      headers: { host: storeHost(storeX), cookie: [...shopper.jar].map(([name, value]) => `vs_consignor=${value}; ${name}=${value}`).join('; ') },
    });
    expect(forged.headers.location).toBe('/consignor/sign-in');
  });
});
