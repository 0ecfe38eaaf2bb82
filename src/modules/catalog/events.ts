import { sql } from 'kysely';
import type { Tx } from '../../platform/db/database.ts';
import { currentContext } from '../../platform/observability/context.ts';

/** The catalog's domain events; other modules build projections from them, never from catalog tables. */
export type CatalogEventType =
  | 'ProductCreated'
  | 'ProductUpdated'
  | 'ProductDeleted'
  | 'ProductPublished'
  | 'ProductScheduled'
  | 'ProductUnpublished'
  | 'VariantCreated'
  | 'VariantUpdated'
  | 'VariantDeleted'
  | 'CategoryChanged'
  | 'CollectionChanged'
  | 'InventoryLocationCreated'
  | 'InventoryAdjusted'
  | 'CatalogImported';

export interface CatalogEvent {
  type: CatalogEventType;
  aggregateType: 'product' | 'variant' | 'category' | 'collection' | 'inventory_location' | 'catalog_import';
  aggregateId: string;
  payload?: Record<string, unknown>;
}

/** Appends an event in the caller's transaction: it commits or rolls back with the change it describes. */
export async function recordEvent(trx: Tx, tenantId: string, event: CatalogEvent): Promise<void> {
  await trx
    .insertInto('domain_events')
    .values({
      tenant_id: tenantId,
      type: event.type,
      aggregate_type: event.aggregateType,
      aggregate_id: event.aggregateId,
      payload: JSON.stringify(event.payload ?? {}),
      correlation_id: currentContext()?.correlationId ?? null,
    })
    .execute();
}

/** The id of the tenant's latest domain event: a version that changes whenever the catalog does. */
export async function catalogVersion(trx: Tx): Promise<string> {
  const { rows } = await sql<{ version: string | null }>`select max(id)::text as version from domain_events`.execute(trx);
  return rows[0]?.version ?? '0';
}
