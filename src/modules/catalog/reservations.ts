import { sql } from 'kysely';
import type { Tx } from '../../platform/db/database.ts';
import { HttpProblem } from '../../platform/http/problem.ts';
import { recordEvent } from './events.ts';

/**
 * Stock holds taken before payment. Every function locks the level rows of the variants it touches (in variant
 * id order, so two checkouts never deadlock), so availability is read and changed under one lock: two buyers of
 * the last unit are served one after the other, and the second sees it held.
 */
export interface StockLine {
  variantId: string;
  quantity: number;
}

/** Not enough stock: a 409 naming the variants short, so the shopper can change the cart. */
export class OutOfStock extends HttpProblem {
  constructor(variantIds: string[]) {
    super(409, 'Out of stock', 'Some items in the cart are no longer available in the quantity asked for.', {
      extensions: { code: 'out_of_stock', variant_ids: variantIds },
    });
  }
}

const merge = (lines: readonly StockLine[]) => {
  const byVariant = new Map<string, number>();
  for (const line of lines) byVariant.set(line.variantId, (byVariant.get(line.variantId) ?? 0) + line.quantity);
  return [...byVariant].sort(([a], [b]) => (a < b ? -1 : 1));
};

async function lockAvailability(trx: Tx, variantIds: string[], exceptHolder: string): Promise<Map<string, number>> {
  const { rows } = await sql<{ variant_id: string; on_hand: number }>`
    with locked as (
      select variant_id, on_hand from inventory_levels where variant_id = any(${variantIds}::uuid[]) order by variant_id, location_id for update
    )
    select variant_id, sum(on_hand)::int as on_hand from locked group by variant_id`.execute(trx);
  const held = await sql<{ variant_id: string; held: number }>`
    select variant_id, sum(quantity)::int as held from inventory_reservations
     where variant_id = any(${variantIds}::uuid[]) and status = 'active' and expires_at > now() and holder <> ${exceptHolder}
     group by variant_id`.execute(trx);
  const heldBy = new Map(held.rows.map((row) => [row.variant_id, row.held]));
  return new Map(rows.map((row) => [row.variant_id, row.on_hand - (heldBy.get(row.variant_id) ?? 0)]));
}

/** Holds `lines` for `holder` until `expiresAt`, or throws OutOfStock and holds nothing. Holding again is a no-op. */
export async function reserveStock(trx: Tx, tenantId: string, holder: string, lines: readonly StockLine[], expiresAt: Date): Promise<void> {
  const wanted = merge(lines);
  const available = await lockAvailability(
    trx,
    wanted.map(([id]) => id),
    holder,
  );
  const short = wanted.filter(([id, quantity]) => (available.get(id) ?? 0) < quantity).map(([id]) => id);
  if (short.length > 0) throw new OutOfStock(short);
  await sql`
    insert into inventory_reservations (tenant_id, holder, variant_id, quantity, expires_at)
    select ${tenantId}, ${holder}, variant_id, quantity, ${expiresAt}
      from unnest(${wanted.map(([id]) => id)}::uuid[], ${wanted.map(([, quantity]) => quantity)}::int[]) as w(variant_id, quantity)
    on conflict (tenant_id, holder, variant_id) do update set quantity = excluded.quantity, expires_at = excluded.expires_at, status = 'active'
    where inventory_reservations.status = 'active'`.execute(trx);
}

/** Gives the holder's active holds back. Returns how many were released. */
export async function releaseStock(trx: Tx, holder: string): Promise<number> {
  const result = await sql`update inventory_reservations set status = 'released' where holder = ${holder} and status = 'active'`.execute(trx);
  return Number(result.numAffectedRows ?? 0);
}

/**
 * Turns the holder's holds into a sale: on hand goes down (largest location first), each change is recorded as
 * a `sold` adjustment with its InventoryAdjusted event. A hold that expired and was taken by another buyer
 * makes this throw OutOfStock, never oversell.
 */
export async function commitStock(trx: Tx, tenantId: string, holder: string, reference: string): Promise<void> {
  const holds = await sql<{ variant_id: string; quantity: number }>`
    select variant_id, quantity from inventory_reservations where holder = ${holder} and status = 'active' order by variant_id`.execute(trx);
  if (holds.rows.length === 0) throw new OutOfStock([]);
  const available = await lockAvailability(
    trx,
    holds.rows.map((row) => row.variant_id),
    holder,
  );
  const short = holds.rows.filter((row) => (available.get(row.variant_id) ?? 0) < row.quantity).map((row) => row.variant_id);
  if (short.length > 0) throw new OutOfStock(short);
  for (const hold of holds.rows) {
    let remaining = hold.quantity;
    const levels = await sql<{ location_id: string; on_hand: number }>`
      select location_id, on_hand from inventory_levels where variant_id = ${hold.variant_id} and on_hand > 0 order by on_hand desc, location_id`.execute(trx);
    for (const level of levels.rows) {
      if (remaining === 0) break;
      const take = Math.min(remaining, level.on_hand);
      remaining -= take;
      await sql`
        with level as (
          update inventory_levels set on_hand = on_hand - ${take} where variant_id = ${hold.variant_id} and location_id = ${level.location_id} returning on_hand
        )
        insert into inventory_adjustments (tenant_id, variant_id, location_id, delta, reason, note, on_hand_after)
        select ${tenantId}, ${hold.variant_id}, ${level.location_id}, ${-take}, 'sold', ${reference}, on_hand from level`.execute(trx);
      await recordEvent(trx, tenantId, {
        type: 'InventoryAdjusted',
        aggregateType: 'variant',
        aggregateId: hold.variant_id,
        payload: { location_id: level.location_id, delta: -take, reason: 'sold', on_hand: level.on_hand - take },
      });
    }
  }
  await sql`update inventory_reservations set status = 'committed' where holder = ${holder} and status = 'active'`.execute(trx);
}

/** Releases every store's expired holds (the release job, in a platform transaction). */
export async function releaseExpiredStock(trx: Tx): Promise<number> {
  const result = await sql`update inventory_reservations set status = 'released' where status = 'active' and expires_at < now()`.execute(trx);
  return Number(result.numAffectedRows ?? 0);
}
