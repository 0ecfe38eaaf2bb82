import { type ColumnType, type Generated, type Selectable, sql } from 'kysely';
import type { AuditColumns } from '../../platform/db/schema.ts';
import type { Tx } from '../../platform/db/database.ts';
import type { VariantFormat } from './images.ts';

export type AssetStatus = 'awaiting_upload' | 'processing' | 'ready' | 'failed';
export type AssetKind = 'image' | 'video';

export interface ImageVariant {
  width: number;
  height: number;
  format: VariantFormat;
  key: string;
  bytes: number;
}

export interface VideoOutputs {
  /** Folder of this run's outputs; a retried run writes to a new one. */
  prefix: string;
  master_key: string;
  mp4_key: string;
  poster_key: string;
  renditions: { name: string; height: number; playlist_key: string }[];
}

type Json<T> = ColumnType<T, string | undefined, string>;

export interface MediaAssetsTable extends AuditColumns {
  id: Generated<string>;
  tenant_id: string;
  kind: AssetKind;
  status: ColumnType<AssetStatus, AssetStatus | undefined, AssetStatus>;
  filename: string;
  declared_type: string;
  detected_type: string | null;
  byte_size: ColumnType<string, number, number>;
  sha256: string;
  original_key: string;
  width: number | null;
  height: number | null;
  duration_ms: number | null;
  variants: Json<ImageVariant[] | VideoOutputs>;
  stored_bytes: ColumnType<string, number | undefined, number>;
  progress: ColumnType<number, number | undefined, number>;
  attempts: ColumnType<number, number | undefined, number>;
  error: string | null;
  processed_at: Date | null;
}

export interface MediaUsageTable extends AuditColumns {
  tenant_id: string;
  bytes_stored: ColumnType<string, number | undefined, number>;
  warned_at: Date | null;
}

export interface MediaStoreLogosTable extends AuditColumns {
  tenant_id: string;
  asset_id: string;
}

declare module '../../platform/db/schema.ts' {
  interface Database {
    media_assets: MediaAssetsTable;
    media_usage: MediaUsageTable;
    media_store_logos: MediaStoreLogosTable;
  }
}

export type AssetRow = Selectable<MediaAssetsTable>;

export function findAsset(trx: Tx, id: string): Promise<AssetRow | undefined> {
  return trx.selectFrom('media_assets').selectAll().where('id', '=', id).executeTakeFirst();
}

export function findAssets(trx: Tx, ids: string[]): Promise<AssetRow[]> {
  if (ids.length === 0) return Promise.resolve([]);
  return trx.selectFrom('media_assets').selectAll().where('id', 'in', ids).execute();
}

/** The store's usage row, locked: quota decisions of one store are taken one at a time. */
export async function lockUsage(trx: Tx, tenantId: string): Promise<{ bytes_stored: number; warned_at: Date | null }> {
  await trx.insertInto('media_usage').values({ tenant_id: tenantId }).onConflict((oc) => oc.column('tenant_id').doNothing()).execute();
  const row = await trx.selectFrom('media_usage').select(['bytes_stored', 'warned_at']).where('tenant_id', '=', tenantId).forUpdate().executeTakeFirstOrThrow();
  return { bytes_stored: Number(row.bytes_stored), warned_at: row.warned_at };
}

/** Moves the store's usage by `delta` bytes; returns the new total. */
export async function addUsage(trx: Tx, tenantId: string, delta: number): Promise<number> {
  if (delta === 0) return (await lockUsage(trx, tenantId)).bytes_stored;
  await lockUsage(trx, tenantId);
  const row = await sql<{ bytes_stored: string }>`
    update media_usage set bytes_stored = greatest(0, bytes_stored + ${delta}) where tenant_id = ${tenantId} returning bytes_stored`.execute(trx);
  return Number(row.rows[0]?.bytes_stored ?? 0);
}

export async function setWarned(trx: Tx, tenantId: string, warned: boolean): Promise<void> {
  await trx.updateTable('media_usage').set({ warned_at: warned ? new Date() : null }).where('tenant_id', '=', tenantId).execute();
}

/** Platform-wide figures for the gauges: usage per store, assets in processing per kind. */
export async function platformFigures(trx: Tx): Promise<{ usage: { tenant_id: string; bytes: number }[]; processing: { kind: AssetKind; n: number }[] }> {
  const usage = await trx.selectFrom('media_usage').select(['tenant_id', 'bytes_stored']).execute();
  const processing = await sql<{ kind: AssetKind; n: string }>`select kind, count(*) as n from media_assets where status = 'processing' group by kind`.execute(trx);
  return {
    usage: usage.map((row) => ({ tenant_id: row.tenant_id, bytes: Number(row.bytes_stored) })),
    processing: processing.rows.map((row) => ({ kind: row.kind, n: Number(row.n) })),
  };
}
