import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ownerClient } from '../support/platform.ts';

describe('storefront search (L10)', () => {
  let client: pg.Client;
  beforeAll(async () => {
    client = await ownerClient();
  });
  afterAll(() => client.end());

  it('indexes the full text per store: every search index over products leads with tenant_id', async () => {
    const { rows } = await client.query<{ indexdef: string }>(
      `select indexdef from pg_indexes where tablename = 'products' and indexdef like '%USING gin%' and indexdef like '%search%'`,
    );
    expect(rows.length).toBeGreaterThan(0);
    for (const row of rows) expect(row.indexdef).toMatch(/USING gin \(tenant_id, search\)/);
  });

  it('lets the words into the index condition under row-level security: the text-search match is leakproof', async () => {
    const { rows } = await client.query<{ proleakproof: boolean }>(`select proleakproof from pg_proc where oid = 'ts_match_vq(tsvector, tsquery)'::regprocedure`);
    expect(rows[0]?.proleakproof).toBe(true);
  });
});
