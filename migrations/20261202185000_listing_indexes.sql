-- Up Migration

-- Storefront listings read one page in index order and stop: newest first (home, rule collections) with the
-- handle breaking ties (an import publishes thousands of products at one published_at), per category, and a manual
-- collection in its merchant's order. Each index leads with the store, so a page costs the same whatever the size
-- of the store and of the other stores in the table; the page after is read from where the last one ended (keyset).
CREATE INDEX products_listing_idx ON products (tenant_id, published_at DESC, handle) WHERE status = 'published';
DROP INDEX products_visible_idx;
CREATE INDEX products_category_listing_idx ON products (tenant_id, category_id, published_at DESC, handle) WHERE status = 'published';
CREATE INDEX collection_products_position_idx ON collection_products (tenant_id, collection_id, position, product_id);
-- A listing shows each product's first variant (the one the product page shows first): position, then SKU.
CREATE INDEX variants_first_idx ON variants (tenant_id, product_id, position, sku);
DROP INDEX variants_product_idx;

-- Down Migration

CREATE INDEX variants_product_idx ON variants (tenant_id, product_id, position);
DROP INDEX variants_first_idx;
DROP INDEX collection_products_position_idx;
DROP INDEX products_category_listing_idx;
CREATE INDEX products_visible_idx ON products (tenant_id, published_at DESC) WHERE status = 'published';
DROP INDEX products_listing_idx;
