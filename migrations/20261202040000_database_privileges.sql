-- Up Migration

-- Functions created from now on are not executable by PUBLIC (the built-in default). Per-schema defaults can
-- only add to the global ones, so this is the global default of the migrating role; storefront_app keeps its
-- per-schema EXECUTE grant from the kernel migration.
ALTER DEFAULT PRIVILEGES REVOKE EXECUTE ON FUNCTIONS FROM PUBLIC;

-- Any role that can connect could otherwise create objects in pg_temp that a careless function resolves first.
-- The application needs no temporary objects. (A warning, not an error, when the migrating role does not own
-- the database; then the deployment's database owner revokes it.)
DO $$ BEGIN
  EXECUTE format('REVOKE TEMPORARY ON DATABASE %I FROM PUBLIC', current_database());
END $$;

-- Enqueue takes the job's queue (graphile-worker runs one job of a queue at a time), for per-tenant fairness.
CREATE OR REPLACE FUNCTION app_enqueue_jobs(specs jsonb) RETURNS SETOF bigint
  LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
BEGIN
  RETURN QUERY
    SELECT added.id FROM graphile_worker.add_jobs(ARRAY(
      SELECT ROW(s.identifier, s.payload, s.queue_name, s.run_at, s.max_attempts, s.job_key, s.priority, s.flags)::graphile_worker.job_spec
        FROM jsonb_to_recordset(specs)
          AS s(identifier text, payload json, queue_name text, run_at timestamptz, max_attempts int, job_key text, priority int, flags text[])
    )) AS added;
END $$;

-- The job-queue functions run as the owner: only catalog names (pg_catalog first, pg_temp explicitly last, no
-- public), and only the application role may call them.
ALTER FUNCTION app_enqueue_jobs(jsonb) SET search_path = pg_catalog, pg_temp;
ALTER FUNCTION app_job_queue_depth() SET search_path = pg_catalog, pg_temp;
ALTER FUNCTION app_set_job_paused(bigint, boolean) SET search_path = pg_catalog, pg_temp;
REVOKE EXECUTE ON FUNCTION app_enqueue_jobs(jsonb), app_job_queue_depth(), app_set_job_paused(bigint, boolean) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION app_enqueue_jobs(jsonb), app_job_queue_depth(), app_set_job_paused(bigint, boolean) TO storefront_app;

-- Session-log partitions: the caller chooses neither how far ahead tables are created nor how much history is
-- dropped beyond bounds (at most 12 months ahead, at least 90 days kept), so the application role cannot empty
-- the append-only log or create tables without end. Every name is schema-qualified.
CREATE OR REPLACE FUNCTION app_maintain_session_log_partitions(months_ahead integer, retention interval)
  RETURNS TABLE (action text, partition_name text)
  LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
  first_day timestamp;
  child text;
BEGIN
  IF months_ahead IS NULL OR months_ahead NOT BETWEEN 0 AND 12 THEN
    RAISE EXCEPTION 'months_ahead must be between 0 and 12, got %', months_ahead USING ERRCODE = 'invalid_parameter_value';
  END IF;
  IF retention IS NULL OR now() - retention > now() - interval '90 days' THEN
    RAISE EXCEPTION 'retention must be at least 90 days, got %', retention USING ERRCODE = 'invalid_parameter_value';
  END IF;
  -- Several processes may start together; one at a time creates partitions.
  PERFORM pg_advisory_xact_lock(hashtext('session_logs partitions'));
  FOR i IN 0..months_ahead LOOP
    first_day := date_trunc('month', now() AT TIME ZONE 'UTC') + make_interval(months => i);
    child := 'session_logs_' || to_char(first_day, '"y"YYYY"m"MM');
    IF to_regclass('public.' || child) IS NULL THEN
      EXECUTE format('CREATE TABLE public.%I PARTITION OF public.session_logs FOR VALUES FROM (%L) TO (%L)',
                     child, first_day AT TIME ZONE 'UTC', (first_day + interval '1 month') AT TIME ZONE 'UTC');
      EXECUTE format('ALTER TABLE public.%I ENABLE ROW LEVEL SECURITY, FORCE ROW LEVEL SECURITY', child);
      EXECUTE format('CREATE POLICY no_direct_access ON public.%I USING (false)', child);
      EXECUTE format('REVOKE ALL ON public.%I FROM storefront_app', child);
      action := 'created';
      partition_name := child;
      RETURN NEXT;
    END IF;
  END LOOP;
  FOR child IN
    SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
     WHERE i.inhparent = 'public.session_logs'::regclass ORDER BY c.relname
  LOOP
    IF to_date(substr(child, 14), '"y"YYYY"m"MM') + interval '1 month'
       <= (now() - retention) AT TIME ZONE 'UTC' THEN
      EXECUTE format('DROP TABLE public.%I', child);
      action := 'dropped';
      partition_name := child;
      RETURN NEXT;
    END IF;
  END LOOP;
END $$;

-- The flag overrides helper reads across stores (function-level platform context, for the gateway, which runs
-- before any unit of work). Inside a store's unit of work it answers only for that store.
CREATE OR REPLACE FUNCTION app_tenant_flag_overrides(requested_tenant uuid)
  RETURNS TABLE (flag_key text, value jsonb, expires_at timestamptz)
  LANGUAGE sql STABLE
  SET app.platform = 'on'
  AS $$ SELECT o.flag_key, o.value, o.expires_at FROM feature_flag_overrides o
         WHERE o.tenant_id = requested_tenant
           AND coalesce(NULLIF(current_setting('app.tenant_id', true), '')::uuid, requested_tenant) = requested_tenant $$;

-- Down Migration

CREATE OR REPLACE FUNCTION app_enqueue_jobs(specs jsonb) RETURNS SETOF bigint
  LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, public AS $$
BEGIN
  RETURN QUERY
    SELECT added.id FROM graphile_worker.add_jobs(ARRAY(
      SELECT ROW(s.identifier, s.payload, NULL, s.run_at, s.max_attempts, s.job_key, s.priority, s.flags)::graphile_worker.job_spec
        FROM jsonb_to_recordset(specs)
          AS s(identifier text, payload json, run_at timestamptz, max_attempts int, job_key text, priority int, flags text[])
    )) AS added;
END $$;

CREATE OR REPLACE FUNCTION app_tenant_flag_overrides(requested_tenant uuid)
  RETURNS TABLE (flag_key text, value jsonb, expires_at timestamptz)
  LANGUAGE sql STABLE
  SET app.platform = 'on'
  AS $$ SELECT o.flag_key, o.value, o.expires_at FROM feature_flag_overrides o WHERE o.tenant_id = requested_tenant $$;
ALTER FUNCTION app_enqueue_jobs(jsonb) SET search_path = pg_catalog, public;
ALTER FUNCTION app_job_queue_depth() SET search_path = pg_catalog, public;
ALTER FUNCTION app_set_job_paused(bigint, boolean) SET search_path = pg_catalog, public;
GRANT EXECUTE ON FUNCTION app_enqueue_jobs(jsonb), app_job_queue_depth(), app_set_job_paused(bigint, boolean) TO PUBLIC;
DO $$ BEGIN
  EXECUTE format('GRANT TEMPORARY ON DATABASE %I TO PUBLIC', current_database());
END $$;
ALTER DEFAULT PRIVILEGES GRANT EXECUTE ON FUNCTIONS TO PUBLIC;
