import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ownerQuery, waitFor } from '../../../test/support/jobs.ts';
import { platformSession, staffSession, storeHost } from '../../../test/support/auth.ts';
import { type TestApp, makeTenant, startTestApp } from '../../../test/support/platform.ts';
import { jobTableCleanup } from './cleanup.ts';


describe('jobs admin API', () => {
  let t: TestApp;
  let deadId: string;
  let admin: Record<string, string>;
  let adminId: string;
  let storeStaff: Record<string, string>;

  beforeAll(async () => {
    t = await startTestApp();
    const operator = await platformSession(t.platform);
    admin = operator.headers;
    adminId = operator.userId;
    const store = await makeTenant(t.platform.db);
    storeStaff = { host: storeHost(store), ...(await staffSession(t.platform, store.id, 'owner')).headers };
    deadId = await recordDead(String(9_000_000_000 + Math.floor(Math.random() * 1e6)), { retention_days: 30 });
  });
  afterAll(() => t.close());

  const recordDead = async (jobId: string, payload: unknown) => {
    await t.platform.jobs.deadJobs.record(
      {
        job_id: jobId,
        task: jobTableCleanup.name,
        priority: 'LOW',
        payload_version: 1,
        payload: { v: 1, tenant_id: null, origin: { correlationId: 'req-1' }, data: payload },
        tenant_id: null,
        correlation_id: 'req-1',
        reason: 'exhausted',
        attempts: 3,
        max_attempts: 3,
        last_error: 'Error: disk full',
      },
      new Date(),
    );
    const [row] = await ownerQuery<{ id: string }>('select id::text from dead_jobs where job_id = $1', [jobId]);
    return row!.id;
  };

  const expectProblem = (response: { statusCode: number; headers: Record<string, unknown>; json(): unknown }, status: number) => {
    expect(response.statusCode).toBe(status);
    expect(response.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(response.json()).toMatchObject({ status, request_id: expect.any(String) });
  };

  it('needs a principal with the jobs:admin scope', async () => {
    expectProblem(await t.app.inject('/admin/jobs/dead'), 401);
    expectProblem(await t.app.inject({ url: '/admin/jobs/dead', headers: storeStaff }), 403);
  });

  it('lists and shows dead jobs with their history', async () => {
    const list = await t.app.inject({ url: '/admin/jobs/dead?limit=10', headers: admin });
    expect(list.statusCode).toBe(200);
    expect(list.json().items).toContainEqual(expect.objectContaining({ id: deadId, task: 'jobs.cleanup', last_error: 'Error: disk full' }));
    const one = await t.app.inject({ url: `/admin/jobs/dead/${deadId}`, headers: admin });
    expect(one.json()).toMatchObject({ id: deadId, payload: { data: { retention_days: 30 } }, errors: [{ attempt: 3, error: 'Error: disk full' }] });
  });

  it('answers bad input with a problem and changes nothing', async () => {
    expectProblem(await t.app.inject({ url: '/admin/jobs/dead?limit=0', headers: admin }), 400);
    expectProblem(await t.app.inject({ url: '/admin/jobs/dead?tenant_id=store-1', headers: admin }), 400);
    expectProblem(await t.app.inject({ url: '/admin/jobs/dead/abc', headers: admin }), 400);
    expectProblem(await t.app.inject({ url: '/admin/jobs/dead/999999999', headers: admin }), 404);
    const invalid = await t.app.inject({ method: 'POST', url: `/admin/jobs/dead/${deadId}/requeue`, headers: admin, payload: { payload: { retention_days: 0 } } });
    expectProblem(invalid, 422);
    expect(invalid.json().detail).toMatch(/retention_days/);
    expectProblem(await t.app.inject({ method: 'POST', url: '/admin/jobs/paused', headers: admin, payload: { kind: 'store', target: 'x' } }), 400);
    expectProblem(await t.app.inject({ method: 'POST', url: '/admin/jobs/paused', headers: admin, payload: { kind: 'tenant', target: 'not-a-uuid' } }), 400);
    expectProblem(await t.app.inject({ method: 'POST', url: '/admin/jobs/paused', headers: admin, payload: { kind: 'job', target: '999999999' } }), 409);
    expect(await t.platform.jobs.deadJobs.get(deadId)).toMatchObject({ id: deadId });
    expect((await t.platform.jobs.pausing.list()).filter((entry) => ['x', 'not-a-uuid', '999999999'].includes(entry.target))).toEqual([]);
  });

  it('requeues a dead job with a fixed payload, and deletes one', async () => {
    // Paused, so the test app's own worker leaves the requeued job for us to look at.
    await t.platform.jobs.pausing.pauseTask(jobTableCleanup.name);
    const requeued = await t.app.inject({ method: 'POST', url: `/admin/jobs/dead/${deadId}/requeue`, headers: admin, payload: { payload: { retention_days: 7 } } });
    expect(requeued.statusCode).toBe(202);
    const { job_id } = requeued.json();
    expect(await t.platform.jobs.deadJobs.get(deadId)).toBeUndefined();
    const jobs = await ownerQuery<{ payload: unknown; attempts: number }>('select payload, attempts from graphile_worker._private_jobs where id = $1', [job_id]);
    expect(jobs).toEqual([{ attempts: 0, payload: expect.objectContaining({ v: 1, data: { retention_days: 7 }, origin: expect.objectContaining({ correlationId: 'req-1' }) }) }]);
    await t.platform.jobs.pausing.resumeTask(jobTableCleanup.name);

    const other = await recordDead(String(9_100_000_000 + Math.floor(Math.random() * 1e6)), { retention_days: 30 });
    expect((await t.app.inject({ method: 'DELETE', url: `/admin/jobs/dead/${other}`, headers: admin })).statusCode).toBe(204);
    expectProblem(await t.app.inject({ method: 'DELETE', url: `/admin/jobs/dead/${other}`, headers: admin }), 404);
  });

  it('pauses and resumes a task', async () => {
    const paused = await t.app.inject({ method: 'POST', url: '/admin/jobs/paused', headers: admin, payload: { kind: 'task', target: 'catalog.import-chunk', reason: 'bad deploy' } });
    expect(paused.statusCode).toBe(201);
    const list = await t.app.inject({ url: '/admin/jobs/paused', headers: admin });
    expect(list.json().items).toContainEqual(expect.objectContaining({ kind: 'task', target: 'catalog.import-chunk', reason: 'bad deploy', paused_by: adminId }));
    expect((await t.app.inject({ method: 'DELETE', url: '/admin/jobs/paused/task/catalog.import-chunk', headers: admin })).statusCode).toBe(204);
    expectProblem(await t.app.inject({ method: 'DELETE', url: '/admin/jobs/paused/task/catalog.import-chunk', headers: admin }), 404);
  });

  it("pauses a store's jobs while it is suspended", async () => {
    const tenantId = '6f1c2a9e-4b7d-4c1e-9a3f-2d5e8b7c1a40';
    const pausedFor = async () => (await t.platform.jobs.pausing.list()).filter((entry) => entry.kind === 'tenant' && entry.target === tenantId);
    t.platform.events.publish('TenantSuspended', { tenantId });
    expect(await waitFor(async () => (await pausedFor())[0], 'the tenant pause')).toMatchObject({ reason: 'store suspended' });
    t.platform.events.publish('TenantResumed', { tenantId });
    await waitFor(async () => (await pausedFor()).length === 0, 'the tenant resume');
  });

  it('reports the queue in readiness and on the admin API', async () => {
    const ready = await t.app.inject('/q/health/ready');
    // Readiness reports the worker only (it scans no table); queue depth and dead jobs are on the admin API.
    expect(ready.json().checks).toContainEqual(expect.objectContaining({ name: 'job-queue', status: 'UP' }));
    const queue = await t.app.inject({ url: '/admin/jobs/queue', headers: admin });
    expect(queue.json()).toMatchObject({ queued: { CRITICAL: expect.any(Number), BULK: expect.any(Number) }, paused: expect.any(Array) });
  });
});
