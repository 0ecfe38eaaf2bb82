-- Up Migration

-- The application role: no login of its own, no BYPASSRLS, owns nothing, so row-level security applies to it.
-- Roles are cluster-wide, so an existing one is kept.
DO $$
BEGIN
  CREATE ROLE storefront_app NOLOGIN NOBYPASSRLS;
EXCEPTION WHEN duplicate_object THEN NULL;
END $$;
GRANT storefront_app TO CURRENT_USER;
GRANT USAGE ON SCHEMA public TO storefront_app;
ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO storefront_app;
ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT USAGE, SELECT ON SEQUENCES TO storefront_app;
ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT EXECUTE ON FUNCTIONS TO storefront_app;

CREATE EXTENSION IF NOT EXISTS pgcrypto;

-- The tenant of the current unit of work (SET LOCAL app.tenant_id), NULL outside one.
CREATE FUNCTION app_current_tenant() RETURNS uuid
  LANGUAGE sql STABLE PARALLEL SAFE
  AS $$ SELECT NULLIF(current_setting('app.tenant_id', true), '')::uuid $$;

-- The acting user or client of the current unit of work, NULL when none.
CREATE FUNCTION app_current_actor() RETURNS text
  LANGUAGE sql STABLE PARALLEL SAFE
  AS $$ SELECT NULLIF(current_setting('app.user_id', true), '') $$;

-- True inside an explicit platform context (withPlatform): cross-tenant reads opt in per table.
CREATE FUNCTION app_platform_context() RETURNS boolean
  LANGUAGE sql STABLE PARALLEL SAFE
  AS $$ SELECT coalesce(current_setting('app.platform', true), '') = 'on' $$;

CREATE FUNCTION app_stamp_actor() RETURNS trigger
  LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'INSERT' THEN
    NEW.created_by := coalesce(NEW.created_by, app_current_actor());
    NEW.updated_by := coalesce(NEW.updated_by, NEW.created_by);
  ELSE
    NEW.updated_by := coalesce(app_current_actor(), NEW.updated_by);
    NEW.updated_at := now();
  END IF;
  RETURN NEW;
END $$;

-- Audit tables are append-only: UPDATE and DELETE fail whoever tries.
CREATE FUNCTION app_reject_change() RETURNS trigger
  LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'table % is append-only', TG_TABLE_NAME USING ERRCODE = 'insufficient_privilege';
END $$;

-- One call gives a tenant-scoped table its isolation: RLS enabled and forced, the tenant policy, actor stamps.
-- The table needs tenant_id uuid, created_by, updated_by text and updated_at timestamptz.
CREATE FUNCTION app_enable_tenant_isolation(target regclass) RETURNS void
  LANGUAGE plpgsql AS $$
BEGIN
  EXECUTE format('ALTER TABLE %s ENABLE ROW LEVEL SECURITY', target);
  EXECUTE format('ALTER TABLE %s FORCE ROW LEVEL SECURITY', target);
  EXECUTE format('CREATE POLICY tenant_isolation ON %s USING (tenant_id = app_current_tenant()) '
                 'WITH CHECK (tenant_id = app_current_tenant())', target);
  EXECUTE format('CREATE TRIGGER stamp_actor BEFORE INSERT OR UPDATE ON %s '
                 'FOR EACH ROW EXECUTE FUNCTION app_stamp_actor()', target);
END $$;

-- Tenants are the platform's own rows (no tenant_id): every request reads them to resolve its host.
CREATE TABLE tenants (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  subdomain text NOT NULL UNIQUE
    CHECK (subdomain ~ '^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$'),
  name text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
  status text NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'suspended')),
  plan text NOT NULL DEFAULT 'starter' CHECK (plan IN ('free', 'starter', 'growth', 'enterprise')),
  created_at timestamptz NOT NULL DEFAULT now()
);
REVOKE DELETE ON tenants FROM storefront_app;

CREATE TABLE store_settings (
  tenant_id uuid PRIMARY KEY REFERENCES tenants (id) ON DELETE CASCADE,
  tagline text,
  logo_url text,
  primary_color text NOT NULL DEFAULT '#1f3a5f' CHECK (primary_color ~ '^#[0-9a-fA-F]{6}$'),
  accent_color text NOT NULL DEFAULT '#e07a5f' CHECK (accent_color ~ '^#[0-9a-fA-F]{6}$'),
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  created_by text,
  updated_by text
);
SELECT app_enable_tenant_isolation('store_settings');

-- Down Migration

DROP TABLE store_settings;
DROP TABLE tenants;
DROP FUNCTION app_enable_tenant_isolation(regclass);
DROP FUNCTION app_reject_change();
DROP FUNCTION app_stamp_actor();
DROP FUNCTION app_platform_context();
DROP FUNCTION app_current_actor();
DROP FUNCTION app_current_tenant();
ALTER DEFAULT PRIVILEGES IN SCHEMA public REVOKE EXECUTE ON FUNCTIONS FROM storefront_app;
ALTER DEFAULT PRIVILEGES IN SCHEMA public REVOKE USAGE, SELECT ON SEQUENCES FROM storefront_app;
ALTER DEFAULT PRIVILEGES IN SCHEMA public REVOKE SELECT, INSERT, UPDATE, DELETE ON TABLES FROM storefront_app;
REVOKE USAGE ON SCHEMA public FROM storefront_app;
