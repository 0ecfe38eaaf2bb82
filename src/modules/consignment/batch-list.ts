import { sql } from 'kysely';
import type { Tx } from '../../platform/db/database.ts';
import { decodeCursor, type Page, toPage } from '../../platform/http/pagination.ts';
import type { BatchesTable } from './repository.ts';
import type { BatchListQuery, BatchSummary } from './schemas.ts';

const CURSOR = /^[0-9a-f-]{36}$/;

type Row = { id: string; consignor_id: string; consignor_name: string; source: BatchesTable['source']; status: BatchesTable['status']; note: string | null; items: number; total_minor: string | null; currency: string | null; accepted_at: Date | null; created_at: Date };

/**
 * Intake batches newest first, with their consignor's name and item count and total, for the intake screen (staff
 * drafts and consignors' proposals waiting for review). The cursor is the last batch's id; the next page starts past
 * its (created_at, id) as the database holds it, so timestamps are never rounded through the client.
 */
export async function listBatches(trx: Tx, tenantId: string, query: BatchListQuery): Promise<Page<BatchSummary>> {
  const limit = query.limit ?? 50;
  const after = decodeCursor(query.cursor, (key) => CURSOR.test(key));
  const { rows } = await sql<Row>`
    select b.id, b.consignor_id, c.display_name as consignor_name, b.source, b.status, b.note, b.accepted_at, b.created_at,
           count(i.id)::int as items, sum(i.price_minor) as total_minor, min(i.currency) as currency
      from consignment_batches b
      join consignors c on c.tenant_id = b.tenant_id and c.id = b.consignor_id
      left join consignment_items i on i.tenant_id = b.tenant_id and i.batch_id = b.id
     where b.tenant_id = ${tenantId}
       ${query.status ? sql`and b.status = any(${query.status === 'open' ? ['draft', 'proposed'] : [query.status]}::text[])` : sql``}
       ${query.consignor_id ? sql`and b.consignor_id = ${query.consignor_id}` : sql``}
       ${after ? sql`and (b.created_at, b.id) < (select last.created_at, last.id from consignment_batches last where last.tenant_id = ${tenantId} and last.id = ${after})` : sql``}
     group by b.id, c.display_name
     order by b.created_at desc, b.id desc
     limit ${limit + 1}`.execute(trx);
  const batches = rows.map((row) => ({
    ...row,
    total_minor: Number(row.total_minor ?? 0),
    accepted_at: row.accepted_at?.toISOString() ?? null,
    created_at: row.created_at.toISOString(),
  }));
  return toPage(batches, limit, (batch) => batch.id);
}
