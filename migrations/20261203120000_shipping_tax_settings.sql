-- Up Migration

-- Each store's own shipping zones and tax rates, read by checkout on every quote. No row (or an empty zone list)
-- means the platform's built-in rate table; tax_rates NULL means the built-in per-region rates.
CREATE TABLE shipping_tax_settings (
  tenant_id uuid PRIMARY KEY REFERENCES tenants (id) ON DELETE CASCADE,
  shipping_zones jsonb NOT NULL DEFAULT '[]' CHECK (jsonb_typeof(shipping_zones) = 'array'),
  tax_rates jsonb CHECK (tax_rates IS NULL OR jsonb_typeof(tax_rates) = 'array'),
  -- Bumped on every save: checkout's quote cache is keyed by it, so a change applies to the next quote.
  revision integer NOT NULL DEFAULT 1 CHECK (revision >= 1),
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  created_by text,
  updated_by text
);
SELECT app_enable_tenant_isolation('shipping_tax_settings');

-- Down Migration

DROP TABLE shipping_tax_settings;
