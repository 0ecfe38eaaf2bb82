-- Up Migration

-- Two transactions writing variants of one product at once could leave its listing price at a variant that is no
-- longer first: each computed the first variant from its own snapshot, and the later writer's UPDATE, once the
-- earlier one committed, rechecked only the product row, not the variants it had read. Locking the products first
-- (in id order, so two writers of several products queue rather than deadlock) makes the later writer wait; the
-- UPDATE, a statement of its own, then reads the variants with a snapshot taken after the earlier writer's commit.
CREATE OR REPLACE FUNCTION app_refresh_listing_prices() RETURNS trigger
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
  PERFORM 1 FROM products WHERE id = ANY (changed) ORDER BY id FOR NO KEY UPDATE;
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

-- Down Migration

CREATE OR REPLACE FUNCTION app_refresh_listing_prices() RETURNS trigger
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
