-- Up Migration

-- The platform console's store list (GET /admin/platform/stores): newest first with a keyset cursor, and
-- substring search on name and subdomain (global store list < 300 ms at fleet scale).
CREATE EXTENSION IF NOT EXISTS pg_trgm;
CREATE INDEX tenants_newest_first ON tenants (created_at DESC, id DESC);
CREATE INDEX tenants_name_search ON tenants USING gin (name gin_trgm_ops);
CREATE INDEX tenants_subdomain_search ON tenants USING gin (subdomain gin_trgm_ops);

-- Down Migration

DROP INDEX tenants_subdomain_search;
DROP INDEX tenants_name_search;
DROP INDEX tenants_newest_first;
