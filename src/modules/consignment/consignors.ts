import { type Selectable, sql } from 'kysely';
import type { Tx } from '../../platform/db/database.ts';
import { isUniqueViolation } from '../../platform/db/errors.ts';
import { decodeCursor, type Page, toPage } from '../../platform/http/pagination.ts';
import { ConsignmentError } from './errors.ts';
import { checkedPercent } from './percent.ts';
import type { ConsignorsTable } from './repository.ts';
import type { ConsignorInput, ConsignorListQuery, ConsignorPatch } from './schemas.ts';

/** A consignor as other modules and the admin API see it: never the tax identifier, only whether one is on file. */
export interface Consignor {
  id: string;
  display_name: string;
  email: string | null;
  phone: string | null;
  address: Selectable<ConsignorsTable>['address'];
  has_tax_id: boolean;
  tax_id_key_version: number | null;
  payout_method: Selectable<ConsignorsTable>['payout_method'];
  store_credit_bonus_percent: number;
  stripe_account_id: string | null;
  status: Selectable<ConsignorsTable>['status'];
  created_at: string;
  updated_at: string;
}

export type NewConsignor = ConsignorInput;

export function toConsignor(row: Selectable<ConsignorsTable>): Consignor {
  return {
    id: row.id,
    display_name: row.display_name,
    email: row.email,
    phone: row.phone,
    address: row.address,
    has_tax_id: row.tax_id_ciphertext !== null,
    tax_id_key_version: row.tax_id_key_version,
    payout_method: row.payout_method,
    store_credit_bonus_percent: Number(row.store_credit_bonus_percent),
    stripe_account_id: row.stripe_account_id,
    status: row.status,
    created_at: row.created_at.toISOString(),
    updated_at: row.updated_at.toISOString(),
  };
}

/** The consignor of this store, or undefined. */
export async function getConsignor(trx: Tx, tenantId: string, id: string): Promise<Consignor | undefined> {
  const row = await trx.selectFrom('consignors').selectAll().where('tenant_id', '=', tenantId).where('id', '=', id).executeTakeFirst();
  return row && toConsignor(row);
}

export async function requireConsignor(trx: Tx, tenantId: string, id: string): Promise<Consignor> {
  const consignor = await getConsignor(trx, tenantId, id);
  if (!consignor) throw new ConsignmentError('consignor_not_found', 'No consignor with this id in this store.');
  return consignor;
}

function columnsOf(input: ConsignorPatch) {
  return {
    ...(input.display_name !== undefined ? { display_name: input.display_name } : {}),
    ...(input.email !== undefined ? { email: input.email?.toLowerCase() ?? null } : {}),
    ...(input.phone !== undefined ? { phone: input.phone } : {}),
    ...(input.address !== undefined ? { address: input.address ? JSON.stringify(input.address) : null } : {}),
    ...(input.payout_method !== undefined ? { payout_method: input.payout_method } : {}),
    ...(input.store_credit_bonus_percent !== undefined ? { store_credit_bonus_percent: checkedPercent(input.store_credit_bonus_percent, 'store_credit_bonus_percent') } : {}),
    ...(input.stripe_account_id !== undefined ? { stripe_account_id: input.stripe_account_id } : {}),
    ...(input.status !== undefined ? { status: input.status } : {}),
  };
}

const emailTaken = (error: unknown): never => {
  if (isUniqueViolation(error)) throw new ConsignmentError('email_taken', 'Another consignor of this store has this e-mail.');
  throw error;
};

export async function createConsignor(trx: Tx, tenantId: string, input: NewConsignor): Promise<Consignor> {
  const row = await trx
    .insertInto('consignors')
    .values({ tenant_id: tenantId, ...columnsOf(input), display_name: input.display_name })
    .returningAll()
    .executeTakeFirstOrThrow()
    .catch(emailTaken);
  return toConsignor(row);
}

export async function updateConsignor(trx: Tx, tenantId: string, id: string, patch: ConsignorPatch): Promise<Consignor> {
  const row = await trx
    .updateTable('consignors')
    .set(columnsOf(patch))
    .where('tenant_id', '=', tenantId)
    .where('id', '=', id)
    .returningAll()
    .executeTakeFirst()
    .catch(emailTaken);
  if (!row) throw new ConsignmentError('consignor_not_found', 'No consignor with this id in this store.');
  return toConsignor(row);
}

const CURSOR = /^[0-9a-f-]{36}$/;

/**
 * By name (then id), keyset-paginated: the cursor is the last consignor's id, and the page after it starts past
 * that consignor's (name, id), so a rename between pages neither repeats nor skips anyone else. `q` matches part of
 * the name, e-mail or phone.
 */
export async function listConsignors(trx: Tx, tenantId: string, query: ConsignorListQuery): Promise<Page<Consignor>> {
  const limit = query.limit ?? 50;
  const after = decodeCursor(query.cursor, (key) => CURSOR.test(key));
  let select = trx.selectFrom('consignors').selectAll().where('tenant_id', '=', tenantId);
  if (query.status) select = select.where('status', '=', query.status);
  if (query.q) {
    const pattern = `%${query.q.trim().replace(/[\\%_]/g, (c: string) => `\\${c}`)}%`;
    select = select.where((eb) => eb.or([eb('display_name', 'ilike', pattern), eb('email', 'ilike', pattern), eb('phone', 'ilike', pattern)]));
  }
  if (after) {
    select = select.where(sql<boolean>`(lower(display_name), id) > (select lower(last.display_name), last.id from consignors last where last.id = ${after})`);
  }
  const rows = await select.orderBy(sql`lower(display_name)`).orderBy('id').limit(limit + 1).execute();
  return toPage(rows.map(toConsignor), limit, (consignor) => consignor.id);
}
