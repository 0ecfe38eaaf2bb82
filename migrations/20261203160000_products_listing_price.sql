-- Up Migration

-- A listing shows each product with its first variant's price (the variant the product page shows first: position,
-- then SKU). Joining every product of a page to that variant cost more than the rest of the page, so the product row
-- keeps the price and currency itself. The database maintains them, after every statement that writes variants, so
-- no write path (admin API, import, markdowns, one-of-a-kind intake, cascades) can forget to. NULL: no variant.
ALTER TABLE products ADD COLUMN listing_price_minor bigint, ADD COLUMN listing_currency char(3);

-- Recomputes the listing price of the products of the variants a statement wrote. Statement-level with transition
-- tables, so an import's batch of 20,000 variants is one UPDATE; products whose listing price is unchanged are left
-- alone (a repeated import still writes nothing). Runs as the writer, so row-level security applies as to the
-- statement itself.
CREATE FUNCTION app_refresh_listing_prices() RETURNS trigger
  LANGUAGE plpgsql AS $$
DECLARE
  changed uuid[];
BEGIN
  IF TG_OP = 'INSERT' THEN
    changed := ARRAY(SELECT product_id FROM new_rows);
  ELSIF TG_OP = 'DELETE' THEN
    changed := ARRAY(SELECT product_id FROM old_rows);
  ELSE
    changed := ARRAY(
      SELECT unnest(ARRAY[o.product_id, n.product_id])
        FROM old_rows o JOIN new_rows n ON n.id = o.id
       WHERE (o.product_id, o.position, o.sku, o.price_minor, o.currency)
             IS DISTINCT FROM (n.product_id, n.position, n.sku, n.price_minor, n.currency));
  END IF;
  IF cardinality(changed) = 0 THEN
    RETURN NULL;
  END IF;
  UPDATE products p
     SET listing_price_minor = f.price_minor, listing_currency = f.currency
    FROM (SELECT q.id, v.price_minor, v.currency
            FROM products q
            LEFT JOIN LATERAL (SELECT price_minor, currency FROM variants
                                WHERE tenant_id = q.tenant_id AND product_id = q.id
                                ORDER BY position, sku LIMIT 1) v ON true
           WHERE q.id = ANY (changed)) f
   WHERE p.id = f.id
     AND (p.listing_price_minor, p.listing_currency) IS DISTINCT FROM (f.price_minor, f.currency);
  RETURN NULL;
END $$;

CREATE TRIGGER refresh_listing_prices_insert AFTER INSERT ON variants
  REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION app_refresh_listing_prices();
CREATE TRIGGER refresh_listing_prices_update AFTER UPDATE ON variants
  REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION app_refresh_listing_prices();
CREATE TRIGGER refresh_listing_prices_delete AFTER DELETE ON variants
  REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION app_refresh_listing_prices();

-- The backfill is the database's own bookkeeping, not an edit: it keeps each product's updated_at and updated_by.
ALTER TABLE products DISABLE TRIGGER stamp_actor;
UPDATE products p
   SET listing_price_minor = v.price_minor, listing_currency = v.currency
  FROM (SELECT DISTINCT ON (product_id) product_id, price_minor, currency
          FROM variants ORDER BY product_id, position, sku) v
 WHERE v.product_id = p.id;
ALTER TABLE products ENABLE TRIGGER stamp_actor;

-- Down Migration

DROP TRIGGER refresh_listing_prices_delete ON variants;
DROP TRIGGER refresh_listing_prices_update ON variants;
DROP TRIGGER refresh_listing_prices_insert ON variants;
DROP FUNCTION app_refresh_listing_prices();
ALTER TABLE products DROP COLUMN listing_currency, DROP COLUMN listing_price_minor;
