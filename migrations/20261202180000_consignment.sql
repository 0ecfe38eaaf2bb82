-- Up Migration

-- Consignors: the people whose goods a store sells on their behalf. The tax identifier is kept only as pgcrypto
-- ciphertext (pgp_sym_encrypt) with the version of the key that sealed it, so keys can rotate row by row.
CREATE TABLE consignors (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  tenant_id uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
  display_name text NOT NULL CHECK (length(display_name) BETWEEN 1 AND 200),
  email text CHECK (email = lower(email) AND length(email) BETWEEN 3 AND 254),
  phone text CHECK (length(phone) BETWEEN 3 AND 40),
  address jsonb CHECK (jsonb_typeof(address) = 'object'),
  tax_id_ciphertext bytea,
  tax_id_key_version int CHECK (tax_id_key_version > 0),
  payout_method text NOT NULL DEFAULT 'check' CHECK (payout_method IN ('stripe_connect', 'check', 'cash', 'store_credit')),
  store_credit_bonus_percent numeric(5, 2) NOT NULL DEFAULT 0 CHECK (store_credit_bonus_percent BETWEEN 0 AND 100),
  stripe_account_id text CHECK (stripe_account_id ~ '^acct_[A-Za-z0-9]+$'),
  status text NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'inactive', 'archived')),
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  created_by text,
  updated_by text,
  UNIQUE (tenant_id, id),
  UNIQUE (tenant_id, email),
  CHECK ((tax_id_ciphertext IS NULL) = (tax_id_key_version IS NULL))
);
CREATE INDEX consignors_name_idx ON consignors (tenant_id, lower(display_name), id);
SELECT app_enable_tenant_isolation('consignors');

-- The portal's accounts were created before this table; from now on each names a consignor of its store.
ALTER TABLE consignor_portal_accounts
  ADD CONSTRAINT consignor_portal_accounts_consignor_fk FOREIGN KEY (tenant_id, consignor_id) REFERENCES consignors (tenant_id, id) ON DELETE CASCADE;

-- Down Migration

ALTER TABLE consignor_portal_accounts DROP CONSTRAINT consignor_portal_accounts_consignor_fk;
DROP TABLE consignors;
