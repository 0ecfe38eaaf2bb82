-- Up Migration

-- A newest-first listing orders by (published_at DESC, handle DESC), but its indexes held the handle ascending:
-- no scan direction of (published_at DESC, handle) gives that order, so every page read all of the store's
-- products published at the page's instant (an import publishes thousands at one instant: the whole store),
-- joined each to its first variant, and sorted them. With the handle descending too, a page reads its rows in
-- index order from the cursor and stops after one page, whatever the size of the store.
CREATE INDEX products_newest_listing_idx ON products (tenant_id, published_at DESC, handle DESC) WHERE status = 'published';
DROP INDEX products_listing_idx;
CREATE INDEX products_category_newest_listing_idx ON products (tenant_id, category_id, published_at DESC, handle DESC) WHERE status = 'published';
DROP INDEX products_category_listing_idx;

-- Down Migration

CREATE INDEX products_category_listing_idx ON products (tenant_id, category_id, published_at DESC, handle) WHERE status = 'published';
DROP INDEX products_category_newest_listing_idx;
CREATE INDEX products_listing_idx ON products (tenant_id, published_at DESC, handle) WHERE status = 'published';
DROP INDEX products_newest_listing_idx;
