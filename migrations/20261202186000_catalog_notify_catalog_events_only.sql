-- Up Migration

-- The storefront's page cache is bumped by catalog changes only: an order, a payment or a consignor's ledger
-- entry writes domain events too, and must not throw away every cached page of a busy store.
DROP TRIGGER notify_catalog_changed ON domain_events;
CREATE TRIGGER notify_catalog_changed AFTER INSERT ON domain_events FOR EACH ROW
  WHEN (NEW.aggregate_type IN ('product', 'variant', 'category', 'collection', 'inventory_location', 'catalog_import'))
  EXECUTE FUNCTION app_notify_catalog_changed();

-- Down Migration

DROP TRIGGER notify_catalog_changed ON domain_events;
CREATE TRIGGER notify_catalog_changed AFTER INSERT ON domain_events FOR EACH ROW EXECUTE FUNCTION app_notify_catalog_changed();
