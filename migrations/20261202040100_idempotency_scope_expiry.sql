-- Up Migration

-- Idempotency keys belong to the store and the principal that sent them (two integrations of one store may pick
-- the same key), and live 24 hours: after that the key may be used again, and a cleanup job deletes them.
ALTER TABLE idempotency_keys ADD COLUMN principal text NOT NULL DEFAULT 'anonymous' CHECK (length(principal) BETWEEN 1 AND 300);
ALTER TABLE idempotency_keys ALTER COLUMN principal DROP DEFAULT;
ALTER TABLE idempotency_keys ADD COLUMN expires_at timestamptz NOT NULL DEFAULT now() + interval '24 hours';
ALTER TABLE idempotency_keys DROP CONSTRAINT idempotency_keys_pkey;
ALTER TABLE idempotency_keys ADD PRIMARY KEY (tenant_id, principal, key);
CREATE INDEX idempotency_keys_expiry ON idempotency_keys (expires_at);
-- The cleanup deletes expired keys of every store, and nothing else: a narrow owner-rights function rather than
-- a platform policy that would also let the platform context read the stored responses.
CREATE FUNCTION app_delete_expired_idempotency_keys(batch integer) RETURNS integer
  LANGUAGE sql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
  WITH expired AS (
    SELECT k.tenant_id, k.principal, k.key FROM public.idempotency_keys k
     WHERE k.expires_at <= now() LIMIT least(greatest(batch, 1), 100000)
  ), deleted AS (
    DELETE FROM public.idempotency_keys k USING expired e
     WHERE k.tenant_id = e.tenant_id AND k.principal = e.principal AND k.key = e.key RETURNING 1
  )
  SELECT count(*)::integer FROM deleted $$;
REVOKE EXECUTE ON FUNCTION app_delete_expired_idempotency_keys(integer) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION app_delete_expired_idempotency_keys(integer) TO storefront_app;

-- Down Migration

DROP FUNCTION app_delete_expired_idempotency_keys(integer);
DROP INDEX idempotency_keys_expiry;
ALTER TABLE idempotency_keys DROP CONSTRAINT idempotency_keys_pkey;
DELETE FROM idempotency_keys a USING idempotency_keys b
 WHERE a.tenant_id = b.tenant_id AND a.key = b.key AND a.principal > b.principal;
ALTER TABLE idempotency_keys ADD PRIMARY KEY (tenant_id, key);
ALTER TABLE idempotency_keys DROP COLUMN expires_at;
ALTER TABLE idempotency_keys DROP COLUMN principal;
