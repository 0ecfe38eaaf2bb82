-- Up Migration

-- Consignor portal sign-in, kept apart from identity's staff and customer accounts: a consignor's credentials,
-- the one-time links that set a password (invitation, or a new link sent by staff), and opaque portal sessions.
-- consignor_id names a row of the consignment module's consignors (foreign key added once that table exists).
CREATE TABLE consignor_portal_accounts (
  tenant_id uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
  consignor_id uuid NOT NULL,
  email text NOT NULL CHECK (email = lower(email) AND length(email) BETWEEN 3 AND 254),
  password_hash text,
  password_set_at timestamptz,
  active boolean NOT NULL DEFAULT true,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  created_by text,
  updated_by text,
  PRIMARY KEY (tenant_id, consignor_id),
  UNIQUE (tenant_id, email)
);
SELECT app_enable_tenant_isolation('consignor_portal_accounts');

CREATE TABLE consignor_portal_links (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  tenant_id uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
  consignor_id uuid NOT NULL,
  token_hash bytea NOT NULL UNIQUE,
  expires_at timestamptz NOT NULL,
  used_at timestamptz,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  created_by text,
  updated_by text,
  FOREIGN KEY (tenant_id, consignor_id) REFERENCES consignor_portal_accounts (tenant_id, consignor_id) ON DELETE CASCADE
);
SELECT app_enable_tenant_isolation('consignor_portal_links');

CREATE TABLE consignor_portal_sessions (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  tenant_id uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
  consignor_id uuid NOT NULL,
  token_hash bytea NOT NULL UNIQUE,
  -- Sliding (idle) end, moved on use, and the absolute end of the session.
  expires_at timestamptz NOT NULL,
  ends_at timestamptz NOT NULL,
  revoked_at timestamptz,
  ip text,
  user_agent text,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  created_by text,
  updated_by text,
  FOREIGN KEY (tenant_id, consignor_id) REFERENCES consignor_portal_accounts (tenant_id, consignor_id) ON DELETE CASCADE
);
CREATE INDEX consignor_portal_sessions_consignor_idx ON consignor_portal_sessions (tenant_id, consignor_id);
SELECT app_enable_tenant_isolation('consignor_portal_sessions');

-- Down Migration

DROP TABLE consignor_portal_sessions;
DROP TABLE consignor_portal_links;
DROP TABLE consignor_portal_accounts;
