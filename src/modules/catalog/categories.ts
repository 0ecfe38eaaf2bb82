import { sql } from 'kysely';
import type { Tx } from '../../platform/db/database.ts';
import { isStillReferenced } from '../../platform/db/errors.ts';
import { HttpProblem } from '../../platform/http/problem.ts';
import { recordEvent } from './events.ts';
import type { CategoryRow } from './repository.ts';
import type { Category, CategoryInput, CategoryPatch } from './schemas.ts';
import { clientErrorFrom } from './service.ts';

/** Categories form a tree through parent_id; the tree is returned flat, parents before children. */
const toCategory = (row: CategoryRow): Category => ({ id: row.id, handle: row.handle, name: row.name, parent_id: row.parent_id });

export async function listCategories(trx: Tx): Promise<Category[]> {
  const { rows } = await sql<CategoryRow>`
    with recursive tree as (
      select c.*, array[c.name] as path from categories c where parent_id is null
      union all
      select c.*, tree.path || c.name from categories c join tree on c.parent_id = tree.id
    )
    select * from tree order by path`.execute(trx);
  return rows.map(toCategory);
}

export async function createCategory(trx: Tx, tenantId: string, input: CategoryInput): Promise<Category> {
  try {
    const row = await trx
      .insertInto('categories')
      .values({ tenant_id: tenantId, handle: input.handle, name: input.name, parent_id: input.parent_id ?? null })
      .returningAll()
      .executeTakeFirstOrThrow();
    await recordEvent(trx, tenantId, { type: 'CategoryChanged', aggregateType: 'category', aggregateId: row.id, payload: { change: 'created' } });
    return toCategory(row);
  } catch (error) {
    clientErrorFrom(error);
  }
}

/**
 * Moving a category under one of its own descendants would make a cycle: refused. Moves of one store's categories
 * take turns (a transaction-scoped lock), so two concurrent moves cannot each pass the check and together make a
 * cycle; the walk uses UNION, so even a cycle already present ends it.
 */
async function assertNoCycle(trx: Tx, id: string, parentId: string): Promise<void> {
  await sql`select pg_advisory_xact_lock(hashtext('categories.move'), hashtext(app_current_tenant()::text))`.execute(trx);
  const { rows } = await sql<{ id: string }>`
    with recursive ancestors as (
      select id, parent_id from categories where id = ${parentId}
      union
      select c.id, c.parent_id from categories c join ancestors a on c.id = a.parent_id
    )
    select id from ancestors where id = ${id}`.execute(trx);
  if (rows.length > 0) throw new HttpProblem(422, 'Category cycle', 'A category cannot be moved under itself or one of its descendants.');
}

export async function updateCategory(trx: Tx, tenantId: string, id: string, patch: CategoryPatch): Promise<Category> {
  if (patch.parent_id) await assertNoCycle(trx, id, patch.parent_id);
  try {
    const row = await trx.updateTable('categories').set(patch).where('id', '=', id).returningAll().executeTakeFirst();
    if (!row) throw new HttpProblem(404, 'Not Found', 'No such category in this store.');
    await recordEvent(trx, tenantId, { type: 'CategoryChanged', aggregateType: 'category', aggregateId: id, payload: { change: 'updated' } });
    return toCategory(row);
  } catch (error) {
    clientErrorFrom(error);
  }
}

export async function deleteCategory(trx: Tx, tenantId: string, id: string): Promise<void> {
  try {
    const row = await trx.deleteFrom('categories').where('id', '=', id).returning('id').executeTakeFirst();
    if (!row) throw new HttpProblem(404, 'Not Found', 'No such category in this store.');
  } catch (error) {
    if (!isStillReferenced(error)) throw error;
    throw new HttpProblem(409, 'Conflict', 'The category has subcategories; move or delete them first.');
  }
  await recordEvent(trx, tenantId, { type: 'CategoryChanged', aggregateType: 'category', aggregateId: id, payload: { change: 'deleted' } });
}
