-- Up Migration

-- Every encrypt and decrypt of a consignor's tax identifier: who, which key version, never the value. Append-only.
CREATE TABLE consignor_tax_id_access_log (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  tenant_id uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
  consignor_id uuid NOT NULL,
  operation text NOT NULL CHECK (operation IN ('encrypt', 'decrypt')),
  key_version int NOT NULL CHECK (key_version > 0),
  actor text NOT NULL,
  purpose text NOT NULL CHECK (purpose IN ('set', 'reveal', 'rotate')),
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  created_by text,
  updated_by text,
  FOREIGN KEY (tenant_id, consignor_id) REFERENCES consignors (tenant_id, id) ON DELETE CASCADE
);
CREATE INDEX consignor_tax_id_access_log_consignor_idx ON consignor_tax_id_access_log (tenant_id, consignor_id, id);
SELECT app_enable_tenant_isolation('consignor_tax_id_access_log');
CREATE TRIGGER append_only BEFORE UPDATE OR DELETE ON consignor_tax_id_access_log FOR EACH ROW EXECUTE FUNCTION app_reject_change();

-- Rotation re-encrypts tax identifiers of every store: the job finds the stale rows platform-wide (read only).
CREATE INDEX consignors_tax_id_key_idx ON consignors (tax_id_key_version) WHERE tax_id_key_version IS NOT NULL;
CREATE POLICY key_rotation_scan ON consignors FOR SELECT USING (app_platform_context());

-- The consignor's acceptance of the store's agreement: which version, when, from which address. Append-only.
CREATE TABLE consignor_agreement_acceptances (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  tenant_id uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
  consignor_id uuid NOT NULL,
  agreement_version int NOT NULL CHECK (agreement_version > 0),
  accepted_at timestamptz NOT NULL DEFAULT now(),
  ip_address inet NOT NULL,
  user_agent text CHECK (length(user_agent) <= 500),
  channel text NOT NULL CHECK (channel IN ('portal', 'in_store')),
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  created_by text,
  updated_by text,
  FOREIGN KEY (tenant_id, consignor_id) REFERENCES consignors (tenant_id, id) ON DELETE CASCADE
);
CREATE INDEX consignor_agreement_acceptances_consignor_idx ON consignor_agreement_acceptances (tenant_id, consignor_id, accepted_at);
SELECT app_enable_tenant_isolation('consignor_agreement_acceptances');
CREATE TRIGGER append_only BEFORE UPDATE OR DELETE ON consignor_agreement_acceptances FOR EACH ROW EXECUTE FUNCTION app_reject_change();

-- The store's default consignment terms (one row per store) and the agreement text consignors accept.
-- commission_percent is the store's share of a sale; markdown_steps is [{"after_days": 30, "percent_off": 20}, …].
CREATE TABLE consignment_store_terms (
  tenant_id uuid PRIMARY KEY REFERENCES tenants (id) ON DELETE CASCADE,
  commission_percent numeric(5, 2) NOT NULL DEFAULT 40 CHECK (commission_percent BETWEEN 0 AND 100),
  intake_fee_minor bigint NOT NULL DEFAULT 0 CHECK (intake_fee_minor >= 0),
  monthly_fee_minor bigint NOT NULL DEFAULT 0 CHECK (monthly_fee_minor >= 0),
  period_days int NOT NULL DEFAULT 90 CHECK (period_days BETWEEN 1 AND 3650),
  grace_days int NOT NULL DEFAULT 7 CHECK (grace_days BETWEEN 0 AND 365),
  expiry_outcome text NOT NULL DEFAULT 'return' CHECK (expiry_outcome IN ('return', 'donate', 'store_stock')),
  discount_absorption text NOT NULL DEFAULT 'shared' CHECK (discount_absorption IN ('store', 'consignor', 'shared')),
  expiry_notice_days int NOT NULL DEFAULT 7 CHECK (expiry_notice_days BETWEEN 0 AND 365),
  markdown_steps jsonb NOT NULL DEFAULT '[]' CHECK (jsonb_typeof(markdown_steps) = 'array'),
  agreement_version int NOT NULL DEFAULT 1 CHECK (agreement_version > 0),
  agreement_text text NOT NULL DEFAULT '' CHECK (length(agreement_text) <= 50000),
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  created_by text,
  updated_by text
);
SELECT app_enable_tenant_isolation('consignment_store_terms');

-- A consignor's own terms; a NULL column takes the store's.
CREATE TABLE consignor_terms (
  tenant_id uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
  consignor_id uuid NOT NULL,
  commission_percent numeric(5, 2) CHECK (commission_percent BETWEEN 0 AND 100),
  intake_fee_minor bigint CHECK (intake_fee_minor >= 0),
  monthly_fee_minor bigint CHECK (monthly_fee_minor >= 0),
  period_days int CHECK (period_days BETWEEN 1 AND 3650),
  grace_days int CHECK (grace_days BETWEEN 0 AND 365),
  expiry_outcome text CHECK (expiry_outcome IN ('return', 'donate', 'store_stock')),
  discount_absorption text CHECK (discount_absorption IN ('store', 'consignor', 'shared')),
  markdown_steps jsonb CHECK (jsonb_typeof(markdown_steps) = 'array'),
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  created_by text,
  updated_by text,
  PRIMARY KEY (tenant_id, consignor_id),
  FOREIGN KEY (tenant_id, consignor_id) REFERENCES consignors (tenant_id, id) ON DELETE CASCADE
);
SELECT app_enable_tenant_isolation('consignor_terms');

-- Commission by catalog category (the category's id; catalog rows are reached through its service only).
CREATE TABLE consignment_category_commissions (
  tenant_id uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
  category_id uuid NOT NULL,
  commission_percent numeric(5, 2) NOT NULL CHECK (commission_percent BETWEEN 0 AND 100),
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  created_by text,
  updated_by text,
  PRIMARY KEY (tenant_id, category_id)
);
SELECT app_enable_tenant_isolation('consignment_category_commissions');

-- Intake batches: entered by staff, or proposed by the consignor and accepted by staff.
CREATE TABLE consignment_batches (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  tenant_id uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
  consignor_id uuid NOT NULL,
  source text NOT NULL CHECK (source IN ('staff', 'consignor')),
  status text NOT NULL CHECK (status IN ('draft', 'proposed', 'accepted', 'rejected')),
  note text CHECK (length(note) <= 2000),
  accepted_at timestamptz,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  created_by text,
  updated_by text,
  UNIQUE (tenant_id, id),
  FOREIGN KEY (tenant_id, consignor_id) REFERENCES consignors (tenant_id, id) ON DELETE RESTRICT,
  CHECK ((status = 'accepted') = (accepted_at IS NOT NULL))
);
CREATE INDEX consignment_batches_consignor_idx ON consignment_batches (tenant_id, consignor_id, created_at);
SELECT app_enable_tenant_isolation('consignment_batches');

-- A consigned item: entered in a batch ('pending'), then on the floor as a catalog product of quantity 1 until
-- it sells or its period ends. Terms are frozen at acceptance (period end, grace end), like the paper contract.
CREATE TABLE consignment_items (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  tenant_id uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
  batch_id uuid NOT NULL,
  consignor_id uuid NOT NULL,
  position int NOT NULL,
  title text NOT NULL CHECK (length(title) BETWEEN 1 AND 300),
  description text NOT NULL DEFAULT '' CHECK (length(description) <= 20000),
  category_id uuid,
  price_minor bigint NOT NULL CHECK (price_minor > 0),
  currency char(3) NOT NULL CHECK (currency ~ '^[A-Z]{3}$'),
  -- The item's own commission, the most specific layer of the split.
  commission_percent numeric(5, 2) CHECK (commission_percent BETWEEN 0 AND 100),
  status text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'on_floor', 'sold', 'returned', 'donated', 'store_stock')),
  sku text CHECK (sku ~ '^[A-Za-z0-9][A-Za-z0-9._/-]{0,63}$'),
  product_id uuid,
  variant_id uuid,
  received_at timestamptz,
  expires_at timestamptz,
  grace_ends_at timestamptz,
  -- How many markdown steps are applied: the markdown job moves it forward only, so a re-run changes nothing.
  markdown_step int NOT NULL DEFAULT 0 CHECK (markdown_step >= 0),
  expiry_notice_sent_at timestamptz,
  sold_at timestamptz,
  closed_at timestamptz,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  created_by text,
  updated_by text,
  UNIQUE (tenant_id, id),
  UNIQUE (tenant_id, product_id),
  UNIQUE (tenant_id, sku),
  FOREIGN KEY (tenant_id, batch_id) REFERENCES consignment_batches (tenant_id, id) ON DELETE CASCADE,
  FOREIGN KEY (tenant_id, consignor_id) REFERENCES consignors (tenant_id, id) ON DELETE RESTRICT,
  CHECK ((status = 'pending') = (product_id IS NULL)),
  CHECK (status = 'pending' OR (variant_id IS NOT NULL AND received_at IS NOT NULL AND expires_at IS NOT NULL AND grace_ends_at IS NOT NULL))
);
CREATE INDEX consignment_items_batch_idx ON consignment_items (tenant_id, batch_id, position);
CREATE INDEX consignment_items_consignor_idx ON consignment_items (tenant_id, consignor_id, status);
CREATE INDEX consignment_items_floor_idx ON consignment_items (tenant_id, received_at) WHERE status = 'on_floor';
SELECT app_enable_tenant_isolation('consignment_items');
-- The aging sweep finds the stores that have items on the floor (read only); each store's work runs in its own job.
CREATE POLICY aging_scan ON consignment_items FOR SELECT USING (app_platform_context());

-- Every price a consigned item had (the catalog keeps only the current one). Append-only.
CREATE TABLE consignment_price_history (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  tenant_id uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
  item_id uuid NOT NULL,
  price_minor bigint NOT NULL CHECK (price_minor >= 0),
  reason text NOT NULL CHECK (reason IN ('intake', 'markdown')),
  markdown_step int NOT NULL DEFAULT 0,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  created_by text,
  updated_by text,
  FOREIGN KEY (tenant_id, item_id) REFERENCES consignment_items (tenant_id, id) ON DELETE CASCADE
);
CREATE INDEX consignment_price_history_item_idx ON consignment_price_history (tenant_id, item_id, id);
SELECT app_enable_tenant_isolation('consignment_price_history');
CREATE TRIGGER append_only BEFORE UPDATE OR DELETE ON consignment_price_history FOR EACH ROW EXECUTE FUNCTION app_reject_change();

-- Down Migration

DROP TABLE consignment_price_history;
DROP TABLE consignment_items;
DROP TABLE consignment_batches;
DROP TABLE consignment_category_commissions;
DROP TABLE consignor_terms;
DROP TABLE consignment_store_terms;
DROP TABLE consignor_agreement_acceptances;
DROP POLICY key_rotation_scan ON consignors;
DROP INDEX consignors_tax_id_key_idx;
DROP TABLE consignor_tax_id_access_log;
