import { Writable } from 'node:stream';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { platformSession, staffSession, storeHost } from '../../../test/support/auth.ts';
import { makeTenant, testConfig } from '../../../test/support/platform.ts';
import { buildApp } from '../../platform/http/app.ts';
import { configureLogging } from '../../platform/observability/logger.ts';
import { type RunningPlatform, startPlatform } from '../../platform/runtime/start.ts';
import { identityOf } from './identity.ts';
import { startImpersonation } from './impersonation.ts';

describe('requests under impersonation are logged with impersonation_context', () => {
  const lines: Record<string, unknown>[] = [];
  let running: RunningPlatform;
  let app: FastifyInstance;

  beforeAll(async () => {
    const config = testConfig({ LOG_LEVEL: 'info' });
    const sink = new Writable({
      write(chunk, _encoding, done) {
        for (const line of String(chunk).split('\n').filter(Boolean)) lines.push(JSON.parse(line));
        done();
      },
    });
    configureLogging(config, sink);
    running = await startPlatform(config, ['web']);
    app = await buildApp(running.platform);
    await app.ready();
  });
  afterAll(async () => {
    await app.close();
    await running.stop();
  });

  it('carries actor, reason and ticket on the request line, and the impersonated user as user_id', async () => {
    const store = await makeTenant(running.platform.db, 'Logged Store');
    const member = await staffSession(running.platform, store.id, 'staff');
    const operator = await platformSession(running.platform);
    const grant = await startImpersonation(identityOf(running.platform), operator.userId, {
      tenantId: store.id,
      userId: member.userId,
      reasonCode: 'bug_investigation',
      ticket: 'BUG-77',
    });
    await app.inject({ url: '/auth/me', headers: { host: storeHost(store), authorization: `Bearer ${grant.access_token}`, 'x-request-id': 'logged-imp-1' } });
    const line = lines.find((entry) => entry.correlation_id === 'logged-imp-1' && entry.message === 'request completed');
    expect(line).toMatchObject({
      tenant_id: store.id,
      user_id: member.userId,
      session_id: grant.impersonation_id,
      impersonation_context: { actorId: operator.userId, reason: 'bug_investigation', ticket: 'BUG-77' },
    });
  });
});
