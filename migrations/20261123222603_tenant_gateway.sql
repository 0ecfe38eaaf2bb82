-- Up Migration

-- Custom domains: a merchant's own hostnames, active once a DNS TXT record proves control (verified_at).
CREATE TABLE custom_domains (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  tenant_id uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
  hostname text NOT NULL
    CHECK (length(hostname) <= 253 AND hostname ~ '^([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])$'),
  verification_token text NOT NULL,
  verified_at timestamptz,
  last_checked_at timestamptz,
  last_error text,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  created_by text,
  updated_by text,
  UNIQUE (tenant_id, hostname)
);
-- Several stores may claim a hostname while pending; only the one that proves control serves it.
CREATE UNIQUE INDEX custom_domains_verified_hostname ON custom_domains (hostname) WHERE verified_at IS NOT NULL;
CREATE INDEX custom_domains_tenant ON custom_domains (tenant_id);
SELECT app_enable_tenant_isolation('custom_domains');
CREATE POLICY platform_read ON custom_domains FOR SELECT USING (app_platform_context());

-- Host resolution in one round trip: the tenant a subdomain or verified custom domain names, with its verified
-- domains (for CORS). The function-level SET gives only this read the platform context custom_domains needs.
CREATE FUNCTION app_resolve_host(requested_subdomain text, requested_hostname text)
  RETURNS TABLE (id uuid, subdomain text, name text, status text, plan text, created_at timestamptz, custom_domains text[])
  LANGUAGE sql STABLE
  SET app.platform = 'on'
  AS $$
    WITH match AS (
      (SELECT t.id FROM tenants t WHERE t.subdomain = requested_subdomain
       UNION ALL
       SELECT d.tenant_id FROM custom_domains d WHERE d.hostname = requested_hostname AND d.verified_at IS NOT NULL)
      LIMIT 1
    )
    SELECT t.id, t.subdomain, t.name, t.status, t.plan, t.created_at,
           array(SELECT d.hostname FROM custom_domains d
                  WHERE d.tenant_id = t.id AND d.verified_at IS NOT NULL ORDER BY d.hostname)
      FROM match JOIN tenants t ON t.id = match.id
  $$;

-- Platform commands: the append-only record of manual interventions (suspend, resume, …) with actor, reason
-- and ticket. tenant_id is NULL for fleet-wide commands; a store can read the commands about itself.
CREATE TABLE platform_commands (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  tenant_id uuid REFERENCES tenants (id),
  command text NOT NULL CHECK (command ~ '^[a-z][a-z0-9_.]{1,63}$'),
  actor text NOT NULL CHECK (length(actor) BETWEEN 1 AND 200),
  reason text NOT NULL CHECK (length(btrim(reason)) BETWEEN 1 AND 2000),
  ticket text CHECK (length(ticket) BETWEEN 1 AND 100),
  at timestamptz NOT NULL DEFAULT clock_timestamp(),
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  created_by text,
  updated_by text
);
CREATE INDEX platform_commands_tenant_at ON platform_commands (tenant_id, at DESC);
SELECT app_enable_tenant_isolation('platform_commands');
CREATE POLICY platform_access ON platform_commands USING (app_platform_context()) WITH CHECK (app_platform_context());
CREATE TRIGGER append_only BEFORE UPDATE OR DELETE ON platform_commands FOR EACH ROW EXECUTE FUNCTION app_reject_change();

-- Feature flags: typed values (jsonb) with a default, per-plan values and per-tenant overrides.
CREATE TABLE feature_flags (
  key text PRIMARY KEY CHECK (key ~ '^[a-z][a-z0-9_.-]{1,99}$'),
  description text NOT NULL CHECK (length(description) BETWEEN 1 AND 1000),
  owner text NOT NULL CHECK (length(owner) BETWEEN 1 AND 200),
  default_value jsonb NOT NULL,
  plan_values jsonb NOT NULL DEFAULT '{}' CHECK (jsonb_typeof(plan_values) = 'object'),
  -- When the flag must be removed or turned into configuration.
  expires_at timestamptz,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE feature_flag_overrides (
  tenant_id uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
  flag_key text NOT NULL REFERENCES feature_flags (key) ON DELETE CASCADE,
  value jsonb NOT NULL,
  reason text NOT NULL CHECK (length(btrim(reason)) BETWEEN 1 AND 1000),
  expires_at timestamptz,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  created_by text,
  updated_by text,
  PRIMARY KEY (tenant_id, flag_key)
);
CREATE INDEX feature_flag_overrides_expiry ON feature_flag_overrides (expires_at) WHERE expires_at IS NOT NULL;
SELECT app_enable_tenant_isolation('feature_flag_overrides');
CREATE POLICY platform_access ON feature_flag_overrides USING (app_platform_context()) WITH CHECK (app_platform_context());

-- A store's overrides in one round trip for flag evaluation (same platform-context pattern as app_resolve_host).
CREATE FUNCTION app_tenant_flag_overrides(requested_tenant uuid)
  RETURNS TABLE (flag_key text, value jsonb, expires_at timestamptz)
  LANGUAGE sql STABLE
  SET app.platform = 'on'
  AS $$ SELECT o.flag_key, o.value, o.expires_at FROM feature_flag_overrides o WHERE o.tenant_id = requested_tenant $$;

-- Per-plan request budgets of the gateway (thresholds live in feature_flags).
INSERT INTO feature_flags (key, description, owner, default_value, plan_values) VALUES
  ('rate_limit.burst', 'Requests a store may make in a burst (token bucket capacity)', 'tenant-gateway', '200',
   '{"free": 60, "starter": 200, "growth": 600, "enterprise": 2000}'),
  ('rate_limit.per_second', 'Sustained requests per second a store may make (token bucket refill rate)', 'tenant-gateway', '20',
   '{"free": 5, "starter": 20, "growth": 60, "enterprise": 200}');

-- Shared token buckets of every replica, keyed by what is limited ("tenant:<id>", "client:<id>", "ip:<addr>").
-- Unlogged and half-filled pages: counters are rewritten constantly and may start full again after a crash.
CREATE UNLOGGED TABLE rate_limit_buckets (
  key text PRIMARY KEY CHECK (length(key) <= 300),
  tokens double precision NOT NULL,
  refilled_at timestamptz NOT NULL
) WITH (fillfactor = 50);

-- Refills the bucket for the time elapsed, then takes up to `wanted` tokens; returns what was granted and left.
CREATE FUNCTION app_rate_limit_take(bucket_key text, capacity double precision, refill_per_second double precision, wanted double precision)
  RETURNS TABLE (granted double precision, remaining double precision)
  LANGUAGE plpgsql AS $$
DECLARE
  available double precision;
BEGIN
  INSERT INTO rate_limit_buckets AS b (key, tokens, refilled_at) VALUES (bucket_key, capacity, clock_timestamp())
  ON CONFLICT (key) DO UPDATE
    SET tokens = least(capacity, b.tokens + greatest(0, extract(epoch FROM clock_timestamp() - b.refilled_at)) * refill_per_second),
        refilled_at = clock_timestamp()
  RETURNING b.tokens INTO available;
  granted := greatest(0, least(wanted, floor(available)));
  remaining := available - granted;
  UPDATE rate_limit_buckets SET tokens = remaining WHERE key = bucket_key;
  RETURN NEXT;
END $$;

-- Every replica's caches follow these tables through LISTEN tenancy_changes.
CREATE FUNCTION app_notify_tenancy_change() RETURNS trigger
  LANGUAGE plpgsql AS $$
DECLARE
  row_new jsonb := CASE WHEN TG_OP = 'DELETE' THEN NULL ELSE to_jsonb(NEW) END;
  row_old jsonb := CASE WHEN TG_OP = 'INSERT' THEN NULL ELSE to_jsonb(OLD) END;
  payload jsonb;
BEGIN
  payload := CASE TG_TABLE_NAME
    WHEN 'tenants' THEN jsonb_build_object('kind', 'tenant', 'tenant_id', coalesce(row_new, row_old)->>'id',
      'status', row_new->>'status', 'previous_status', row_old->>'status',
      'subdomains', jsonb_build_array(row_new->>'subdomain', row_old->>'subdomain'))
    WHEN 'custom_domains' THEN jsonb_build_object('kind', 'domain', 'tenant_id', coalesce(row_new, row_old)->>'tenant_id',
      'hostname', coalesce(row_new, row_old)->>'hostname')
    WHEN 'feature_flags' THEN jsonb_build_object('kind', 'flag', 'key', coalesce(row_new, row_old)->>'key')
    ELSE jsonb_build_object('kind', 'override', 'tenant_id', coalesce(row_new, row_old)->>'tenant_id')
  END;
  PERFORM pg_notify('tenancy_changes', payload::text);
  RETURN NULL;
END $$;

CREATE TRIGGER notify_change AFTER INSERT OR UPDATE OR DELETE ON tenants
  FOR EACH ROW EXECUTE FUNCTION app_notify_tenancy_change();
CREATE TRIGGER notify_change AFTER INSERT OR UPDATE OR DELETE ON custom_domains
  FOR EACH ROW EXECUTE FUNCTION app_notify_tenancy_change();
CREATE TRIGGER notify_change AFTER INSERT OR UPDATE OR DELETE ON feature_flags
  FOR EACH ROW EXECUTE FUNCTION app_notify_tenancy_change();
CREATE TRIGGER notify_change AFTER INSERT OR UPDATE OR DELETE ON feature_flag_overrides
  FOR EACH ROW EXECUTE FUNCTION app_notify_tenancy_change();

-- Down Migration

DROP TRIGGER notify_change ON feature_flag_overrides;
DROP TRIGGER notify_change ON feature_flags;
DROP TRIGGER notify_change ON custom_domains;
DROP TRIGGER notify_change ON tenants;
DROP FUNCTION app_notify_tenancy_change();
DROP FUNCTION app_rate_limit_take(text, double precision, double precision, double precision);
DROP TABLE rate_limit_buckets;
DROP FUNCTION app_tenant_flag_overrides(uuid);
DROP TABLE feature_flag_overrides;
DROP TABLE feature_flags;
DROP TABLE platform_commands;
DROP FUNCTION app_resolve_host(text, text);
DROP TABLE custom_domains;
