import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type TestSession, staffSession, storeHost } from '../../../test/support/auth.ts';
import { type TestApp, makeTenant, ownerClient, startTestApp } from '../../../test/support/platform.ts';
import type { Tenant } from '../tenancy/service.ts';

describe('refresh rotation, reuse detection, logout and the session log', () => {
  let t: TestApp;
  let store: Tenant;
  let other: Tenant;
  beforeAll(async () => {
    // inject() connects from loopback, standing in for the ingress proxy whose X-Forwarded-For is believed.
    t = await startTestApp({ TRUST_PROXY: 'loopback' });
    store = await makeTenant(t.platform.db, 'Session Store');
    other = await makeTenant(t.platform.db, 'Session Other');
  });
  afterAll(() => t.close());

  const post = (url: string, payload: unknown, host = storeHost(store)) =>
    t.app.inject({ method: 'POST', url, headers: { host, 'user-agent': 'session-test/1.0', 'x-forwarded-for': '203.0.113.7' }, payload: payload as object });
  const refresh = (token: string, host?: string) => post('/auth/refresh', { refresh_token: token }, host);

  async function sessionLog(sessionId: string) {
    const client = await ownerClient();
    try {
      await client.query(`select set_config('app.tenant_id', $1, false)`, [store.id]);
      const { rows } = await client.query(`select event, host(ip) as ip, user_agent from session_logs where session_id = $1 order by occurred_at`, [sessionId]);
      return rows;
    } finally {
      await client.end();
    }
  }

  it('rotates the refresh token on every use and logs each step with IP and user agent', async () => {
    const session: TestSession = await staffSession(t.platform, store.id);
    const first = await refresh(session.tokens.refresh_token);
    expect(first.statusCode).toBe(200);
    const rotated = first.json();
    expect(rotated.refresh_token).not.toBe(session.tokens.refresh_token);
    const second = await refresh(rotated.refresh_token);
    expect(second.statusCode).toBe(200);
    const sid = JSON.parse(Buffer.from(second.json().access_token.split('.')[1], 'base64url').toString()).sid;
    expect(await sessionLog(sid)).toEqual([
      { event: 'login', ip: '192.0.2.1', user_agent: 'vitest' },
      { event: 'refresh', ip: '203.0.113.7', user_agent: 'session-test/1.0' },
      { event: 'refresh', ip: '203.0.113.7', user_agent: 'session-test/1.0' },
    ]);
  });

  it('revokes the whole family when a rotated refresh token is used again', async () => {
    const session = await staffSession(t.platform, store.id);
    const next = (await refresh(session.tokens.refresh_token)).json();
    const replay = await refresh(session.tokens.refresh_token);
    expect(replay.statusCode).toBe(401);
    expect(replay.headers['content-type']).toContain('application/problem+json');
    expect(replay.json()).toMatchObject({ title: 'Invalid refresh token', reason: 'reused' });
    // The legitimate holder's current token died with the family.
    const afterTheft = await refresh(next.refresh_token);
    expect(afterTheft.statusCode).toBe(401);
    expect(afterTheft.json().reason).toBe('revoked');
    const sid = JSON.parse(Buffer.from(next.access_token.split('.')[1], 'base64url').toString()).sid;
    expect((await sessionLog(sid)).map((row) => row.event)).toEqual(['login', 'refresh', 'refresh_reuse']);
  });

  it('revokes the session on logout', async () => {
    const session = await staffSession(t.platform, store.id);
    const logout = await post('/auth/logout', { refresh_token: session.tokens.refresh_token });
    expect(logout.statusCode).toBe(204);
    const after = await refresh(session.tokens.refresh_token);
    expect(after.statusCode).toBe(401);
    expect(after.json().reason).toBe('revoked');
  });

  it("refuses a store's refresh token on another store's host", async () => {
    const session = await staffSession(t.platform, store.id);
    const response = await refresh(session.tokens.refresh_token, storeHost(other));
    expect(response.statusCode).toBe(401);
    expect(response.json().reason).toBe('unknown');
    // Refused elsewhere, still good at home: the attempt did not revoke it.
    expect((await refresh(session.tokens.refresh_token)).statusCode).toBe(200);
  });

  it('answers bad refresh input with a 400 problem', async () => {
    for (const payload of [{}, { refresh_token: '' }, { refresh_token: 'x'.repeat(201) }]) {
      const response = await post('/auth/refresh', payload);
      expect(response.statusCode).toBe(400);
      expect(response.json()).toMatchObject({ title: 'Validation failed' });
    }
  });
});
