-- Up Migration

-- An order's timeline reads its domain events; without this a store's every event (catalog changes included)
-- was scanned to find one order's handful.
CREATE INDEX domain_events_aggregate_idx ON domain_events (tenant_id, aggregate_id, id);
-- The dashboard counts the orders still to ship; those are few beside a store's closed ones.
CREATE INDEX orders_fulfillable_idx ON orders (tenant_id) WHERE status IN ('authorised', 'paid', 'partially_fulfilled', 'partially_refunded');

-- Down Migration

DROP INDEX orders_fulfillable_idx;
DROP INDEX domain_events_aggregate_idx;
