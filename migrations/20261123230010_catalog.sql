-- Up Migration

-- Domain events: written in the same transaction as the change they describe, so a
-- projection never sees a change without its event or an event without its change. Append-only.
CREATE TABLE domain_events (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  tenant_id uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
  type text NOT NULL CHECK (type ~ '^[A-Z][A-Za-z]+$'),
  aggregate_type text NOT NULL,
  aggregate_id uuid NOT NULL,
  payload jsonb NOT NULL DEFAULT '{}',
  correlation_id text,
  occurred_at timestamptz NOT NULL DEFAULT now(),
  created_by text,
  updated_by text,
  updated_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX domain_events_tenant_id_idx ON domain_events (tenant_id, id);
SELECT app_enable_tenant_isolation('domain_events');
CREATE TRIGGER append_only BEFORE UPDATE OR DELETE ON domain_events FOR EACH ROW EXECUTE FUNCTION app_reject_change();

-- Tells listeners (the storefront's page cache) which tenant's catalog changed, at commit. PostgreSQL folds
-- identical notifications of one transaction into one, so a batch of events costs one message.
CREATE FUNCTION app_notify_catalog_changed() RETURNS trigger
  LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_notify('catalog_changed', NEW.tenant_id::text);
  RETURN NULL;
END $$;
CREATE TRIGGER notify_catalog_changed AFTER INSERT ON domain_events FOR EACH ROW EXECUTE FUNCTION app_notify_catalog_changed();

-- Responses of writes sent with an Idempotency-Key, replayed when the same key comes again.
CREATE TABLE idempotency_keys (
  tenant_id uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
  key text NOT NULL CHECK (length(key) BETWEEN 1 AND 255),
  fingerprint text NOT NULL,
  status_code int,
  response jsonb,
  created_at timestamptz NOT NULL DEFAULT now(),
  created_by text,
  updated_by text,
  updated_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (tenant_id, key)
);
SELECT app_enable_tenant_isolation('idempotency_keys');

CREATE TABLE categories (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  tenant_id uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
  parent_id uuid,
  handle text NOT NULL CHECK (handle ~ '^[a-z0-9]+(-[a-z0-9]+)*$' AND length(handle) <= 120),
  name text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
  created_at timestamptz NOT NULL DEFAULT now(),
  created_by text,
  updated_by text,
  updated_at timestamptz NOT NULL DEFAULT now(),
  UNIQUE (tenant_id, handle),
  UNIQUE (tenant_id, id),
  FOREIGN KEY (tenant_id, parent_id) REFERENCES categories (tenant_id, id) ON DELETE RESTRICT,
  CHECK (parent_id IS DISTINCT FROM id)
);
SELECT app_enable_tenant_isolation('categories');

CREATE TABLE products (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  tenant_id uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
  handle text NOT NULL CHECK (handle ~ '^[a-z0-9]+(-[a-z0-9]+)*$' AND length(handle) <= 120),
  title text NOT NULL CHECK (length(title) BETWEEN 1 AND 300),
  description text NOT NULL DEFAULT '' CHECK (length(description) <= 20000),
  status text NOT NULL DEFAULT 'draft' CHECK (status IN ('draft', 'published', 'archived')),
  -- Visible in the storefront when status = 'published' and published_at <= now(); a future value schedules it.
  published_at timestamptz,
  category_id uuid,
  tags text[] NOT NULL DEFAULT '{}',
  -- Media references: [{"url": "...", "alt": "..."}], files live in the media pipeline.
  media jsonb NOT NULL DEFAULT '[]',
  search tsvector GENERATED ALWAYS AS (
    setweight(to_tsvector('english', title), 'A') || setweight(to_tsvector('english', description), 'B')
  ) STORED,
  created_at timestamptz NOT NULL DEFAULT now(),
  created_by text,
  updated_by text,
  updated_at timestamptz NOT NULL DEFAULT now(),
  UNIQUE (tenant_id, handle),
  UNIQUE (tenant_id, id),
  FOREIGN KEY (tenant_id, category_id) REFERENCES categories (tenant_id, id) ON DELETE SET NULL (category_id),
  CHECK (status <> 'published' OR published_at IS NOT NULL)
);
CREATE INDEX products_search_idx ON products USING gin (search);
CREATE INDEX products_visible_idx ON products (tenant_id, published_at DESC) WHERE status = 'published';
CREATE INDEX products_category_idx ON products (tenant_id, category_id);
SELECT app_enable_tenant_isolation('products');

CREATE TABLE variants (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  tenant_id uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
  product_id uuid NOT NULL,
  sku text NOT NULL CHECK (sku ~ '^[A-Za-z0-9][A-Za-z0-9._/-]{0,63}$'),
  title text NOT NULL DEFAULT '' CHECK (length(title) <= 200),
  price_minor bigint NOT NULL CHECK (price_minor >= 0),
  currency char(3) NOT NULL CHECK (currency ~ '^[A-Z]{3}$'),
  -- Internal: what the merchant paid. Never leaves the admin API.
  cost_minor bigint CHECK (cost_minor >= 0),
  options jsonb NOT NULL DEFAULT '{}',
  weight_grams int CHECK (weight_grams >= 0),
  position int NOT NULL DEFAULT 0,
  created_at timestamptz NOT NULL DEFAULT now(),
  created_by text,
  updated_by text,
  updated_at timestamptz NOT NULL DEFAULT now(),
  UNIQUE (tenant_id, sku),
  UNIQUE (tenant_id, id),
  FOREIGN KEY (tenant_id, product_id) REFERENCES products (tenant_id, id) ON DELETE CASCADE
);
CREATE INDEX variants_product_idx ON variants (tenant_id, product_id, position);
SELECT app_enable_tenant_isolation('variants');

CREATE TABLE collections (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  tenant_id uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
  handle text NOT NULL CHECK (handle ~ '^[a-z0-9]+(-[a-z0-9]+)*$' AND length(handle) <= 120),
  title text NOT NULL CHECK (length(title) BETWEEN 1 AND 200),
  description text NOT NULL DEFAULT '',
  kind text NOT NULL CHECK (kind IN ('manual', 'rule')),
  -- For kind = 'rule': {"tag": "...", "category_id": "...", "max_price_minor": n}; all given conditions apply.
  rules jsonb NOT NULL DEFAULT '{}',
  created_at timestamptz NOT NULL DEFAULT now(),
  created_by text,
  updated_by text,
  updated_at timestamptz NOT NULL DEFAULT now(),
  UNIQUE (tenant_id, handle),
  UNIQUE (tenant_id, id)
);
SELECT app_enable_tenant_isolation('collections');

CREATE TABLE collection_products (
  tenant_id uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
  collection_id uuid NOT NULL,
  product_id uuid NOT NULL,
  position int NOT NULL DEFAULT 0,
  created_by text,
  updated_by text,
  updated_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (tenant_id, collection_id, product_id),
  FOREIGN KEY (tenant_id, collection_id) REFERENCES collections (tenant_id, id) ON DELETE CASCADE,
  FOREIGN KEY (tenant_id, product_id) REFERENCES products (tenant_id, id) ON DELETE CASCADE
);
SELECT app_enable_tenant_isolation('collection_products');

CREATE TABLE inventory_locations (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  tenant_id uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
  code text NOT NULL CHECK (code ~ '^[a-z0-9-]{1,40}$'),
  name text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
  created_at timestamptz NOT NULL DEFAULT now(),
  created_by text,
  updated_by text,
  updated_at timestamptz NOT NULL DEFAULT now(),
  UNIQUE (tenant_id, code),
  UNIQUE (tenant_id, id)
);
SELECT app_enable_tenant_isolation('inventory_locations');

CREATE TABLE inventory_levels (
  tenant_id uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
  variant_id uuid NOT NULL,
  location_id uuid NOT NULL,
  on_hand int NOT NULL DEFAULT 0,
  created_by text,
  updated_by text,
  updated_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (tenant_id, variant_id, location_id),
  FOREIGN KEY (tenant_id, variant_id) REFERENCES variants (tenant_id, id) ON DELETE CASCADE,
  FOREIGN KEY (tenant_id, location_id) REFERENCES inventory_locations (tenant_id, id) ON DELETE RESTRICT
);
SELECT app_enable_tenant_isolation('inventory_levels');

-- Every change of a level, with its reason; append-only.
CREATE TABLE inventory_adjustments (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  tenant_id uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
  variant_id uuid NOT NULL,
  location_id uuid NOT NULL,
  delta int NOT NULL CHECK (delta <> 0),
  on_hand_after int NOT NULL,
  reason text NOT NULL CHECK (reason IN ('received', 'sold', 'returned', 'damaged', 'correction', 'count')),
  note text CHECK (length(note) <= 500),
  created_at timestamptz NOT NULL DEFAULT now(),
  created_by text,
  updated_by text,
  updated_at timestamptz NOT NULL DEFAULT now(),
  FOREIGN KEY (tenant_id, variant_id, location_id) REFERENCES inventory_levels (tenant_id, variant_id, location_id) ON DELETE CASCADE
);
CREATE INDEX inventory_adjustments_variant_idx ON inventory_adjustments (tenant_id, variant_id, created_at);
SELECT app_enable_tenant_isolation('inventory_adjustments');
CREATE TRIGGER append_only BEFORE UPDATE ON inventory_adjustments FOR EACH ROW EXECUTE FUNCTION app_reject_change();

-- Down Migration

DROP TABLE inventory_adjustments;
DROP TABLE inventory_levels;
DROP TABLE inventory_locations;
DROP TABLE collection_products;
DROP TABLE collections;
DROP TABLE variants;
DROP TABLE products;
DROP TABLE categories;
DROP TABLE idempotency_keys;
DROP TABLE domain_events;
DROP FUNCTION app_notify_catalog_changed();
