-- Up Migration

-- Token signing keys of the embedded default (no AUTH_SIGNING_KEYS configured): the newest unretired key signs;
-- a retired key still verifies until the last token it signed has expired.
CREATE TABLE signing_keys (
  kid text PRIMARY KEY,
  private_jwk jsonb NOT NULL,
  public_jwk jsonb NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  retired_at timestamptz
);
REVOKE DELETE ON signing_keys FROM storefront_app;

-- Platform super-users live outside any tenant.
CREATE TABLE platform_users (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  email text NOT NULL UNIQUE CHECK (email = lower(email) AND length(email) BETWEEN 3 AND 254),
  display_name text NOT NULL CHECK (length(display_name) BETWEEN 1 AND 200),
  password_hash text NOT NULL,
  status text NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'disabled')),
  created_at timestamptz NOT NULL DEFAULT now()
);
REVOKE DELETE ON platform_users FROM storefront_app;

CREATE TABLE staff_users (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  tenant_id uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
  email text NOT NULL CHECK (email = lower(email) AND length(email) BETWEEN 3 AND 254),
  display_name text NOT NULL CHECK (length(display_name) BETWEEN 1 AND 200),
  password_hash text NOT NULL,
  role text NOT NULL CHECK (role IN ('owner', 'admin', 'manager', 'staff')),
  status text NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'disabled')),
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  created_by text,
  updated_by text,
  UNIQUE (tenant_id, email)
);
SELECT app_enable_tenant_isolation('staff_users');

-- The same e-mail in two stores is two unrelated accounts.
CREATE TABLE customer_accounts (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  tenant_id uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
  email text NOT NULL CHECK (email = lower(email) AND length(email) BETWEEN 3 AND 254),
  display_name text NOT NULL CHECK (length(display_name) BETWEEN 1 AND 200),
  password_hash text NOT NULL,
  status text NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'disabled')),
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  created_by text,
  updated_by text,
  UNIQUE (tenant_id, email)
);
SELECT app_enable_tenant_isolation('customer_accounts');

-- Headless API clients (OAuth 2.0 client credentials). The secret is 256 random bits, stored as SHA-256.
CREATE TABLE oauth_clients (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  tenant_id uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
  client_id text NOT NULL UNIQUE,
  secret_hash bytea NOT NULL,
  name text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
  scopes text[] NOT NULL,
  revoked_at timestamptz,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  created_by text,
  updated_by text
);
SELECT app_enable_tenant_isolation('oauth_clients');

-- Refresh tokens, stored as SHA-256 of the opaque token. A family is one login; every refresh rotates within it.
-- Platform super-users' tokens have no tenant and are reached only in the platform context.
CREATE TABLE refresh_tokens (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  tenant_id uuid REFERENCES tenants (id) ON DELETE CASCADE,
  family_id uuid NOT NULL,
  subject_kind text NOT NULL CHECK (subject_kind IN ('staff', 'customer', 'platform')),
  subject_id uuid NOT NULL,
  token_hash bytea NOT NULL UNIQUE,
  expires_at timestamptz NOT NULL,
  rotated_at timestamptz,
  revoked_at timestamptz,
  revoked_reason text CHECK (revoked_reason IN ('logout', 'reuse')),
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  created_by text,
  updated_by text,
  CHECK ((tenant_id IS NULL) = (subject_kind = 'platform'))
);
CREATE INDEX refresh_tokens_family ON refresh_tokens (family_id);
CREATE INDEX refresh_tokens_expiry ON refresh_tokens (expires_at);
SELECT app_enable_tenant_isolation('refresh_tokens');
CREATE POLICY platform_sessions ON refresh_tokens
  USING (tenant_id IS NULL AND app_platform_context())
  WITH CHECK (tenant_id IS NULL AND app_platform_context());
-- Housekeeping in the platform context may see and delete expired tokens of every store, and nothing else.
CREATE POLICY expired_cleanup_read ON refresh_tokens FOR SELECT USING (app_platform_context() AND expires_at < now());
CREATE POLICY expired_cleanup ON refresh_tokens FOR DELETE USING (app_platform_context() AND expires_at < now());

-- Login throttling: one row per failed attempt, keyed by a hash of (tenant, e-mail) or of the client IP.
CREATE TABLE login_failures (
  key_hash bytea NOT NULL,
  failed_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX login_failures_key ON login_failures (key_hash, failed_at);

-- Session log: monthly partitions, append-only.
CREATE TABLE session_logs (
  id uuid NOT NULL DEFAULT gen_random_uuid(),
  tenant_id uuid,
  occurred_at timestamptz NOT NULL DEFAULT now(),
  event text NOT NULL CHECK (event IN ('login', 'login_failed', 'login_throttled', 'refresh', 'refresh_reuse', 'logout')),
  subject_kind text CHECK (subject_kind IN ('staff', 'customer', 'platform')),
  subject_id uuid,
  session_id uuid,
  ip inet,
  user_agent text CHECK (length(user_agent) <= 512),
  updated_at timestamptz NOT NULL DEFAULT now(),
  created_by text,
  updated_by text,
  PRIMARY KEY (id, occurred_at)
) PARTITION BY RANGE (occurred_at);
CREATE INDEX session_logs_tenant_time ON session_logs (tenant_id, occurred_at);
SELECT app_enable_tenant_isolation('session_logs');
CREATE POLICY platform_sessions ON session_logs
  USING (tenant_id IS NULL AND app_platform_context())
  WITH CHECK (tenant_id IS NULL AND app_platform_context());
CREATE TRIGGER append_only BEFORE UPDATE OR DELETE ON session_logs
  FOR EACH ROW EXECUTE FUNCTION app_reject_change();

-- Creates the partitions of this month and the next `months_ahead`, drops those wholly older than `retention`.
-- It runs as the owner (the application role may not run DDL); partitions refuse direct access, so rows are
-- reached only through the parent and its policies.
CREATE FUNCTION app_maintain_session_log_partitions(months_ahead integer, retention interval)
  RETURNS TABLE (action text, partition_name text)
  LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
  first_day timestamp;
  child text;
BEGIN
  -- Several processes may start together; one at a time creates partitions.
  PERFORM pg_advisory_xact_lock(hashtext('session_logs partitions'));
  FOR i IN 0..months_ahead LOOP
    first_day := date_trunc('month', now() AT TIME ZONE 'UTC') + make_interval(months => i);
    child := 'session_logs_' || to_char(first_day, '"y"YYYY"m"MM');
    IF to_regclass(child) IS NULL THEN
      EXECUTE format('CREATE TABLE %I PARTITION OF session_logs FOR VALUES FROM (%L) TO (%L)',
                     child, first_day AT TIME ZONE 'UTC', (first_day + interval '1 month') AT TIME ZONE 'UTC');
      EXECUTE format('ALTER TABLE %I ENABLE ROW LEVEL SECURITY, FORCE ROW LEVEL SECURITY', child);
      EXECUTE format('CREATE POLICY no_direct_access ON %I USING (false)', child);
      EXECUTE format('REVOKE ALL ON %I FROM storefront_app', child);
      action := 'created';
      partition_name := child;
      RETURN NEXT;
    END IF;
  END LOOP;
  FOR child IN
    SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
     WHERE i.inhparent = 'session_logs'::regclass ORDER BY c.relname
  LOOP
    IF to_date(substr(child, 14), '"y"YYYY"m"MM') + interval '1 month'
       <= (now() - retention) AT TIME ZONE 'UTC' THEN
      EXECUTE format('DROP TABLE %I', child);
      action := 'dropped';
      partition_name := child;
      RETURN NEXT;
    END IF;
  END LOOP;
END $$;
REVOKE EXECUTE ON FUNCTION app_maintain_session_log_partitions(integer, interval) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION app_maintain_session_log_partitions(integer, interval) TO storefront_app;
SELECT app_maintain_session_log_partitions(3, interval '90 days');

-- Every step of an impersonation (start, each request, end) is one row; nothing changes or leaves it.
CREATE TABLE impersonation_audit (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  tenant_id uuid NOT NULL REFERENCES tenants (id),
  impersonation_id uuid NOT NULL,
  event text NOT NULL CHECK (event IN ('started', 'request', 'ended')),
  actor_id uuid NOT NULL REFERENCES platform_users (id),
  target_user_id uuid NOT NULL,
  reason_code text NOT NULL,
  ticket text CHECK (length(ticket) <= 100),
  method text,
  path text CHECK (length(path) <= 2048),
  request_id text,
  occurred_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  created_by text,
  updated_by text
);
CREATE UNIQUE INDEX impersonation_audit_one_start ON impersonation_audit (impersonation_id) WHERE event = 'started';
CREATE UNIQUE INDEX impersonation_audit_one_end ON impersonation_audit (impersonation_id) WHERE event = 'ended';
CREATE INDEX impersonation_audit_recent ON impersonation_audit (occurred_at DESC, id DESC);
SELECT app_enable_tenant_isolation('impersonation_audit');
CREATE POLICY platform_read ON impersonation_audit FOR SELECT USING (app_platform_context());
CREATE TRIGGER append_only BEFORE UPDATE OR DELETE ON impersonation_audit
  FOR EACH ROW EXECUTE FUNCTION app_reject_change();
CREATE TRIGGER append_only_truncate BEFORE TRUNCATE ON impersonation_audit
  FOR EACH STATEMENT EXECUTE FUNCTION app_reject_change();

-- Down Migration

DROP TABLE impersonation_audit;
DROP FUNCTION app_maintain_session_log_partitions(integer, interval);
DROP TABLE session_logs;
DROP TABLE login_failures;
DROP TABLE refresh_tokens;
DROP TABLE oauth_clients;
DROP TABLE customer_accounts;
DROP TABLE staff_users;
DROP TABLE platform_users;
DROP TABLE signing_keys;
