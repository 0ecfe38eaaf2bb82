-- Up Migration

-- Full-text search per store: the index leads with the store, so a store's search reads only its own matches
-- (before, a search cost in proportion to the matches across every store, filtered afterwards by RLS).
-- btree_gin (a trusted contrib extension) lets a GIN index hold the uuid column beside the tsvector.
CREATE EXTENSION IF NOT EXISTS btree_gin;
CREATE INDEX products_tenant_search_idx ON products USING gin (tenant_id, search);
DROP INDEX products_search_idx;

-- Down Migration

CREATE INDEX products_search_idx ON products USING gin (search);
DROP INDEX products_tenant_search_idx;
