/**
 * The Kysely database type. Each module adds its own tables by augmenting this interface from its
 * `repository.ts`, so the kernel never needs to know the modules:
 *
 *   declare module '../../platform/db/schema.ts' { interface Database { products: ProductsTable } }
 */
// biome-ignore lint/suspicious/noEmptyInterface: filled by module augmentation
export interface Database {}
