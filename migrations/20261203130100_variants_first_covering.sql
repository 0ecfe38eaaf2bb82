-- Up Migration

-- A listing shows each product's first variant's price: the index that finds that variant now carries the price
-- and currency too, so the page reads them from the index (an index-only scan) instead of one heap page per product.
CREATE INDEX variants_first_priced_idx ON variants (tenant_id, product_id, position, sku) INCLUDE (price_minor, currency);
DROP INDEX variants_first_idx;

-- Down Migration

CREATE INDEX variants_first_idx ON variants (tenant_id, product_id, position, sku);
DROP INDEX variants_first_priced_idx;
