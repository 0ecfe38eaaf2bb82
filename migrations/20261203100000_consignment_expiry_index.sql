-- Up Migration
-- The dashboard's "items expiring" card: a store's items on the floor by the end of their period.
CREATE INDEX consignment_items_expiry_idx ON consignment_items (tenant_id, expires_at) WHERE status = 'on_floor';

-- Down Migration
DROP INDEX consignment_items_expiry_idx;
