import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { platformSession, staffSession, storeHost } from '../../../test/support/auth.ts';
import { type TestApp, logCapture, makeTenant, startTestApp } from '../../../test/support/platform.ts';
import { identityOf } from './identity.ts';
import { startImpersonation } from './impersonation.ts';

describe('requests under impersonation are logged with impersonation_context', () => {
  const logs = logCapture();
  let t: TestApp;

  beforeAll(async () => {
    t = await startTestApp({ LOG_LEVEL: 'info' }, { logs: logs.stream });
  });
  afterAll(() => t.close());

  it('carries actor, reason and ticket on the request line, and both the super-user and the impersonated user as user_id', async () => {
    const store = await makeTenant(t.platform.db, 'Logged Store');
    const member = await staffSession(t.platform, store.id, 'staff');
    const operator = await platformSession(t.platform);
    const grant = await startImpersonation(identityOf(t.platform), operator.claims, {
      tenantId: store.id,
      userId: member.userId,
      reasonCode: 'bug_investigation',
      ticket: 'BUG-77',
    });
    await t.app.inject({ url: '/auth/me', headers: { host: storeHost(store), authorization: `Bearer ${grant.access_token}`, 'x-request-id': 'logged-imp-1' } });
    const line = logs.lines.find((entry) => entry.correlation_id === 'logged-imp-1' && entry.message === 'request completed');
    expect(line).toMatchObject({
      tenant_id: store.id,
      user_id: `platform:${operator.userId}/as:${member.userId}`,
      session_id: grant.impersonation_id,
      impersonation_context: { actorId: operator.userId, reason: 'bug_investigation', ticket: 'BUG-77' },
    });
  });
});
