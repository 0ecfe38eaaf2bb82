import { sql } from 'kysely';
import type { Db } from '../../platform/db/database.ts';
import type { Tenant, TenantPlan } from '../tenancy/index.ts';

/** Position after a store in the list: its creation time as PostgreSQL prints it (microseconds) and id. */
export interface StoreCursor {
  at: string;
  id: string;
}

export interface StoreFilter {
  search?: string | undefined;
  status?: Tenant['status'] | undefined;
  plan?: TenantPlan | undefined;
  after?: StoreCursor | undefined;
  limit: number;
}

const likePattern = (text: string) => `%${text.replace(/[\\%_]/g, (char) => `\\${char}`)}%`;

/** The fleet, newest store first. Tenants are the platform's own rows, readable without a tenant context. */
export function listStores(db: Db, filter: StoreFilter): Promise<(Tenant & { cursor_at: string })[]> {
  let query = db.kysely
    .selectFrom('tenants')
    .selectAll()
    .select(sql<string>`to_char(created_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')`.as('cursor_at'));
  if (filter.search) {
    const pattern = likePattern(filter.search);
    query = query.where((eb) => eb.or([eb('name', 'ilike', pattern), eb('subdomain', 'ilike', pattern)]));
  }
  if (filter.status) query = query.where('status', '=', filter.status);
  if (filter.plan) query = query.where('plan', '=', filter.plan);
  const after = filter.after;
  if (after) query = query.where((eb) => eb(eb.refTuple('created_at', 'id'), '<', eb.tuple(sql<Date>`${after.at}::timestamptz`, after.id)));
  return query.orderBy('created_at', 'desc').orderBy('id', 'desc').limit(filter.limit).execute();
}

export function findStore(db: Db, id: string): Promise<Tenant | undefined> {
  return db.kysely.selectFrom('tenants').selectAll().where('id', '=', id).executeTakeFirst();
}
