import { sql } from 'kysely';
import type { Tx } from '../../platform/db/database.ts';
import { HttpProblem } from '../../platform/http/problem.ts';
import { recordEvent } from './events.ts';
import type { Adjustment, AdjustmentInput, InventoryLevel, Location, LocationInput } from './schemas.ts';
import { clientErrorFrom } from './service.ts';

export async function listLocations(trx: Tx): Promise<Location[]> {
  return trx.selectFrom('inventory_locations').select(['id', 'code', 'name']).orderBy('code').execute();
}

export async function createLocation(trx: Tx, tenantId: string, input: LocationInput): Promise<Location> {
  try {
    const location = await trx.insertInto('inventory_locations').values({ tenant_id: tenantId, ...input }).returning(['id', 'code', 'name']).executeTakeFirstOrThrow();
    await recordEvent(trx, tenantId, { type: 'InventoryLocationCreated', aggregateType: 'inventory_location', aggregateId: location.id, payload: { code: location.code } });
    return location;
  } catch (error) {
    clientErrorFrom(error);
  }
}

export async function levelsOf(trx: Tx, variantId: string): Promise<InventoryLevel[]> {
  return trx
    .selectFrom('inventory_levels as l')
    .innerJoin('inventory_locations as loc', 'loc.id', 'l.location_id')
    .select(['l.location_id', 'loc.code as location_code', 'l.on_hand'])
    .where('l.variant_id', '=', variantId)
    .orderBy('loc.code')
    .execute();
}

/**
 * Changes a level by `delta` with a reason, records the adjustment and `InventoryAdjusted`, all in one
 * transaction. The level row is locked by the upsert, so concurrent adjustments add up; stock never goes negative.
 */
export async function adjustInventory(trx: Tx, tenantId: string, input: AdjustmentInput): Promise<Adjustment> {
  if (input.delta === 0) {
    throw new HttpProblem(400, 'Validation failed', 'The request has invalid fields.', { extensions: { errors: [{ field: 'body/delta', message: 'must not be 0' }] } });
  }
  let onHand: number;
  try {
    const { rows } = await sql<{ on_hand: number }>`
      insert into inventory_levels (tenant_id, variant_id, location_id, on_hand)
      values (${tenantId}, ${input.variant_id}, ${input.location_id}, ${input.delta})
      on conflict (tenant_id, variant_id, location_id) do update set on_hand = inventory_levels.on_hand + excluded.on_hand
      returning on_hand`.execute(trx);
    onHand = rows[0]!.on_hand;
  } catch (error) {
    clientErrorFrom(error);
  }
  if (onHand < 0) {
    throw new HttpProblem(409, 'Insufficient stock', `The adjustment would leave ${onHand} on hand.`, { extensions: { on_hand_after: onHand } });
  }
  const row = await trx
    .insertInto('inventory_adjustments')
    .values({ tenant_id: tenantId, ...input, note: input.note ?? null, on_hand_after: onHand })
    .returningAll()
    .executeTakeFirstOrThrow();
  await recordEvent(trx, tenantId, {
    type: 'InventoryAdjusted',
    aggregateType: 'variant',
    aggregateId: input.variant_id,
    payload: { location_id: input.location_id, delta: input.delta, reason: input.reason, on_hand: onHand },
  });
  return {
    id: row.id,
    variant_id: row.variant_id,
    location_id: row.location_id,
    delta: row.delta,
    on_hand_after: row.on_hand_after,
    reason: row.reason,
    note: row.note,
    created_at: row.created_at.toISOString(),
  };
}
