import type { ColumnType } from 'kysely';

/**
 * The Kysely database type. Each module adds its own tables by augmenting this interface from its
 * `repository.ts`, so the kernel never needs to know the modules:
 *
 *   declare module '../../platform/db/schema.ts' { interface Database { products: ProductsTable } }
 */
// biome-ignore lint/suspicious/noEmptyInterface: filled by module augmentation
export interface Database {}

/** The actor and time columns every tenant-scoped table has; `app_enable_tenant_isolation` stamps them. */
export interface AuditColumns {
  created_at: ColumnType<Date, never, never>;
  updated_at: ColumnType<Date, never, Date | undefined>;
  created_by: ColumnType<string | null, never, never>;
  updated_by: ColumnType<string | null, never, never>;
}
