import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type TestApp, makeTenant, startTestApp } from '../../../test/support/platform.ts';

describe('tenancy (kernel)', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(() => t.close());

  it("shows a store's name, from the database, on its subdomain", async () => {
    const tenant = await makeTenant(t.platform.db, 'Maple & <Thread>');
    const response = await t.app.inject({ url: '/', headers: { host: `${tenant.subdomain}.localhost:8080` } });
    expect(response.statusCode).toBe(200);
    expect(response.headers['content-type']).toContain('text/html');
    expect(response.body).toContain('<h1>Maple &amp; &lt;Thread&gt;</h1>');
  });

  it('answers an unknown store with a 404 problem carrying the request id', async () => {
    const response = await t.app.inject({ url: '/', headers: { host: 'no-such-store.localhost', 'x-request-id': 'abc-123' } });
    expect(response.statusCode).toBe(404);
    expect(response.headers['content-type']).toContain('application/problem+json');
    expect(response.headers['x-request-id']).toBe('abc-123');
    expect(response.json()).toMatchObject({ status: 404, title: 'Store not found', request_id: 'abc-123' });
  });

});
