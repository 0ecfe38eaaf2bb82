import type { ColumnType, Generated, Selectable } from 'kysely';

/** Columns every tenant-scoped table has; the database fills them (defaults and the actor-stamping trigger). */
interface Audited {
  tenant_id: string;
  created_by: ColumnType<string | null, never, never>;
  updated_by: ColumnType<string | null, never, never>;
  updated_at: ColumnType<Date, never, Date | undefined>;
}

type CreatedAt = ColumnType<Date, never, never>;
type Json<T> = ColumnType<T, string, string>;

/** An external image by URL, or an asset of the media module (`asset_id`), which the storefront renders as variants. */
export type Medium = { url: string; alt: string; asset_id?: never } | { asset_id: string; alt: string; url?: never };

export type ProductStatus = 'draft' | 'published' | 'archived';

export interface ProductsTable extends Audited {
  id: Generated<string>;
  handle: string;
  title: string;
  description: ColumnType<string, string | undefined>;
  status: ColumnType<ProductStatus, ProductStatus | undefined>;
  published_at: Date | null;
  category_id: string | null;
  tags: ColumnType<string[], string[] | undefined>;
  media: Json<Medium[]>;
  /** Set only by the one-of-a-kind creator: its single piece in stock is not "low stock". */
  one_of_a_kind: ColumnType<boolean, boolean | undefined, never>;
  /** The first variant's price and currency (position, then SKU), kept by the database for listings; NULL without variants. */
  listing_price_minor: ColumnType<string | null, never, never>;
  listing_currency: ColumnType<string | null, never, never>;
  search: ColumnType<string, never, never>;
  created_at: CreatedAt;
}

export interface VariantsTable extends Audited {
  id: Generated<string>;
  product_id: string;
  sku: string;
  title: ColumnType<string, string | undefined>;
  /** bigint: the driver returns it as a string; the service turns it into a number. */
  price_minor: ColumnType<string, number, number>;
  currency: string;
  cost_minor: ColumnType<string | null, number | null, number | null>;
  options: Json<Record<string, string>>;
  weight_grams: number | null;
  position: ColumnType<number, number | undefined>;
  created_at: CreatedAt;
}

export interface CategoriesTable extends Audited {
  id: Generated<string>;
  parent_id: string | null;
  handle: string;
  name: string;
  created_at: CreatedAt;
}

export interface CollectionRules {
  tag?: string;
  category_id?: string;
  max_price_minor?: number;
}

export interface CollectionsTable extends Audited {
  id: Generated<string>;
  handle: string;
  title: string;
  description: ColumnType<string, string | undefined>;
  kind: 'manual' | 'rule';
  rules: Json<CollectionRules>;
  created_at: CreatedAt;
}

export interface CollectionProductsTable extends Audited {
  collection_id: string;
  product_id: string;
  position: ColumnType<number, number | undefined>;
}

export interface InventoryLocationsTable extends Audited {
  id: Generated<string>;
  code: string;
  name: string;
  created_at: CreatedAt;
}

export interface InventoryLevelsTable extends Audited {
  variant_id: string;
  location_id: string;
  on_hand: ColumnType<number, number | undefined>;
}

export type AdjustmentReason = 'received' | 'sold' | 'returned' | 'damaged' | 'correction' | 'count';

export interface InventoryAdjustmentsTable extends Audited {
  id: Generated<string>;
  variant_id: string;
  location_id: string;
  delta: number;
  on_hand_after: number;
  reason: AdjustmentReason;
  note: string | null;
  created_at: CreatedAt;
}

export interface DomainEventsTable extends Audited {
  id: Generated<string>;
  type: string;
  aggregate_type: string;
  aggregate_id: string;
  payload: Json<Record<string, unknown>>;
  correlation_id: string | null;
  occurred_at: CreatedAt;
}

declare module '../../platform/db/schema.ts' {
  interface Database {
    products: ProductsTable;
    variants: VariantsTable;
    categories: CategoriesTable;
    collections: CollectionsTable;
    collection_products: CollectionProductsTable;
    inventory_locations: InventoryLocationsTable;
    inventory_levels: InventoryLevelsTable;
    inventory_adjustments: InventoryAdjustmentsTable;
    domain_events: DomainEventsTable;
  }
}

export type ProductRow = Selectable<ProductsTable>;
export type VariantRow = Selectable<VariantsTable>;
export type CategoryRow = Selectable<CategoriesTable>;
export type CollectionRow = Selectable<CollectionsTable>;

export type ImportStatus = 'queued' | 'running' | 'succeeded' | 'failed';

export interface CatalogImportsTable extends Audited {
  id: Generated<string>;
  format: 'csv' | 'jsonl';
  status: ColumnType<ImportStatus, ImportStatus | undefined>;
  rows_total: number;
  rows_done: ColumnType<number, number | undefined>;
  rows_failed: ColumnType<number, number | undefined>;
  chunks_total: number;
  chunks_done: ColumnType<number, number | undefined>;
  products_total: number;
  products_changed: ColumnType<number, number | undefined>;
  variants_inserted: ColumnType<number, number | undefined>;
  variants_updated: ColumnType<number, number | undefined>;
  errors: Json<{ line: number; field: string; message: string }[]>;
  started_at: ColumnType<Date | null, Date | null | undefined>;
  finished_at: ColumnType<Date | null, Date | null | undefined>;
  created_at: CreatedAt;
}

export interface CatalogImportChunksTable extends Audited {
  import_id: string;
  seq: number;
  records: string;
}

declare module '../../platform/db/schema.ts' {
  interface Database {
    catalog_imports: CatalogImportsTable;
    catalog_import_chunks: CatalogImportChunksTable;
  }
}

export type CatalogImportRow = Selectable<CatalogImportsTable>;
