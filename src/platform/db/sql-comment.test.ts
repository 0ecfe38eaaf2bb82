import { randomBytes } from 'node:crypto';
import { sql } from 'kysely';
import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ownerClient, testConfig, testDb, testSpans } from '../../../test/support/platform.ts';
import { activeSpan, runWithContext, updateContext } from '../observability/context.ts';
import { runWithCapturedContext } from '../observability/handoff.ts';
import { startObservability } from '../observability/start.ts';
import type { Db } from './database.ts';
import { contextComment, sqlComment, withComment } from './sql-comment.ts';

describe('sqlcommenter formatting', () => {
  it('sorts keys and URL-encodes values so nothing can close the comment or its quotes', () => {
    expect(sqlComment({ traceparent: '00-abc-def-01', request_id: 'abc-123' })).toBe("/*request_id='abc-123',traceparent='00-abc-def-01'*/");
    const hostile = sqlComment({ request_id: "x'*/ drop table tenants; --" });
    expect(hostile).toBe("/*request_id='x%27%2A%2F%20drop%20table%20tenants%3B%20--'*/");
    expect(hostile.slice(2, -2)).not.toContain('*/');
    expect(sqlComment({ request_id: undefined })).toBe('');
  });

  it('names the request, its route template and tenant, sorted and URL-encoded', () => {
    const comment = runWithContext({ correlationId: 'r-1', route: '/products/:handle', tenantId: 't-1' }, contextComment);
    expect(comment).toBe("/*request_id='r-1',route='%2Fproducts%2F%3Ahandle',tenant_id='t-1'*/");
    const hostile = runWithContext({ correlationId: "x'*/ drop", route: "/a(b)!~*'", tenantId: 'T.1_~-' }, contextComment);
    expect(hostile).toBe("/*request_id='x%27%2A%2F%20drop',route='%2Fa%28b%29%21~%2A%27',tenant_id='T.1_~-'*/");
  });

  it('names the tenant once the context learns it', () => {
    const comments = runWithContext({ correlationId: 'r-2' }, () => {
      const before = contextComment();
      updateContext({ tenantId: 't-2' });
      return [before, contextComment()];
    });
    expect(comments).toEqual(["/*request_id='r-2'*/", "/*request_id='r-2',tenant_id='t-2'*/"]);
  });

  it('keeps a statement one statement', () => {
    expect(withComment('select 1;  ', '/*a=\'b\'*/')).toBe("select 1 /*a='b'*/;");
    expect(withComment('select 1', '')).toBe('select 1');
  });
});

/** The comment as PostgreSQL sees it: in pg_stat_activity while the query runs, in pg_stat_statements after. */
describe('SQL comments on the wire', () => {
  let db: Db;
  let owner: pg.Client;
  let statements = false;

  beforeAll(async () => {
    startObservability(testConfig(), testSpans);
    db = testDb();
    owner = await ownerClient();
    const { rows } = await owner.query(
      `select current_setting('shared_preload_libraries') like '%pg_stat_statements%' as preloaded,
              exists (select 1 from pg_available_extensions where name = 'pg_stat_statements') as available`,
    );
    statements = rows[0].preloaded && rows[0].available;
    if (statements) await owner.query('create extension if not exists pg_stat_statements');
  });
  afterAll(async () => {
    await owner.end();
    await db.close();
  });

  /**
   * Runs a slow query tagged with a unique alias and returns its text as pg_stat_activity shows it. pg_stat_statements
   * ignores aliases and constants and keeps the text of a statement's first run, so the probe has a shape no other
   * test runs (the `::text`): another file's `select pg_sleep(…)` would otherwise own its entry.
   */
  async function activityOf(run: (query: string) => Promise<unknown>): Promise<{ marker: string; text: string }> {
    const marker = `probe_${randomBytes(6).toString('hex')}`;
    const running = run(`select pg_sleep(1)::text as ${marker}`);
    let text: string | undefined;
    for (let attempt = 0; attempt < 250 && text === undefined; attempt++) {
      const { rows } = await owner.query('select query from pg_stat_activity where query like $1 and pid <> pg_backend_pid()', [`%${marker}%`]);
      text = rows[0]?.query;
      if (text === undefined) await new Promise((resolve) => setTimeout(resolve, 20));
    }
    await running;
    return { marker, text: text ?? '' };
  }

  it('carries request_id and traceparent on queries inside a context', async () => {
    const tenant = '1b4e28ba-2fa1-11d2-883f-0016d3cca427';
    const captured = { correlationId: 'abc-123', tenantId: tenant, traceparent: '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01' };
    let jobSpan = '';
    const { marker, text } = await activityOf((query) =>
      runWithCapturedContext(captured, { spanName: 'Job.execute.sql' }, async () => {
        const span = activeSpan()!.spanContext();
        jobSpan = `00-${span.traceId}-${span.spanId}-01`;
        return sql.raw(query).execute(db.kysely);
      }),
    );
    expect(text).toBe(`select pg_sleep(1)::text as ${marker} /*request_id='abc-123',tenant_id='${tenant}',traceparent='${jobSpan}'*/`);
    expect(jobSpan).toMatch(/^00-4bf92f3577b34da6a3ce929d0e0e4736-/);

    // The embedded server preloads pg_stat_statements; a given server (the machine's PG 15) may not.
    if (!process.env.DATABASE_URL) expect(statements).toBe(true);
    if (statements) {
      const { rows } = await owner.query('select query from pg_stat_statements where query like $1', [`%${marker}%`]);
      expect(rows.map((row) => row.query)).toEqual([expect.stringContaining(`/*request_id='abc-123',tenant_id='${tenant}',traceparent='${jobSpan}'*/`)]);
    }
  });

  it('leaves queries outside any context bare', async () => {
    const { marker, text } = await activityOf((query) => sql.raw(query).execute(db.kysely));
    expect(text).toBe(`select pg_sleep(1)::text as ${marker}`);
  });
});
