-- Up Migration

-- The embedded trace store: tail-sampled requests and jobs (one row per local root span), their spans (SQL
-- statements included, as the pg instrumentation's CLIENT spans) and their log lines, for the platform
-- console's correlation-ID search. Platform data: readable and writable only in platform context. Hourly
-- partitions, created ahead and dropped past retention by app_maintain_trace_partitions.
CREATE TABLE obs_traces (
  trace_id text NOT NULL CHECK (trace_id ~ '^[0-9a-f]{32}$'),
  root_span_id text NOT NULL CHECK (root_span_id ~ '^[0-9a-f]{16}$'),
  kind text NOT NULL CHECK (kind IN ('request', 'job')),
  name text NOT NULL CHECK (length(name) <= 300),
  request_id text NOT NULL CHECK (length(request_id) <= 128),
  tenant_id uuid,
  started_at timestamptz NOT NULL,
  duration_ms double precision NOT NULL CHECK (duration_ms >= 0),
  status text NOT NULL CHECK (status IN ('ok', 'error')),
  http_status integer,
  job_id text CHECK (length(job_id) <= 40),
  task text CHECK (length(task) <= 200),
  fingerprint text CHECK (fingerprint ~ '^[0-9a-f]{32}$'),
  kept text NOT NULL CHECK (kept IN ('error', 'slow', 'sampled', 'linked')),
  -- How many requests this row stands for: 1 for every kept error and slow one, 1/ratio for a sampled one.
  weight double precision NOT NULL CHECK (weight >= 1)
) PARTITION BY RANGE (started_at);
CREATE INDEX obs_traces_request ON obs_traces (request_id);
CREATE INDEX obs_traces_recent ON obs_traces (started_at DESC) WHERE kept IN ('error', 'slow');
CREATE INDEX obs_traces_tenant ON obs_traces (tenant_id, started_at DESC);

CREATE TABLE obs_spans (
  trace_id text NOT NULL,
  span_id text NOT NULL,
  parent_span_id text,
  root_span_id text NOT NULL,
  name text NOT NULL,
  kind text NOT NULL,
  service text NOT NULL,
  started_at timestamptz NOT NULL,
  duration_ms double precision NOT NULL,
  status text NOT NULL CHECK (status IN ('unset', 'ok', 'error')),
  attributes jsonb NOT NULL
) PARTITION BY RANGE (started_at);
CREATE INDEX obs_spans_trace ON obs_spans (trace_id);

CREATE TABLE obs_logs (
  trace_id text NOT NULL,
  span_id text,
  at timestamptz NOT NULL,
  level text NOT NULL,
  message text NOT NULL,
  fields jsonb NOT NULL
) PARTITION BY RANGE (at);
CREATE INDEX obs_logs_trace ON obs_logs (trace_id);

ALTER TABLE obs_traces ENABLE ROW LEVEL SECURITY, FORCE ROW LEVEL SECURITY;
ALTER TABLE obs_spans ENABLE ROW LEVEL SECURITY, FORCE ROW LEVEL SECURITY;
ALTER TABLE obs_logs ENABLE ROW LEVEL SECURITY, FORCE ROW LEVEL SECURITY;
CREATE POLICY platform_access ON obs_traces USING (app_platform_context()) WITH CHECK (app_platform_context());
CREATE POLICY platform_access ON obs_spans USING (app_platform_context()) WITH CHECK (app_platform_context());
CREATE POLICY platform_access ON obs_logs USING (app_platform_context()) WITH CHECK (app_platform_context());
REVOKE UPDATE, DELETE ON obs_traces, obs_spans, obs_logs FROM storefront_app;

-- Creates the hourly partitions from `hours_back` before the current hour to `hours_ahead` after it, and drops
-- those wholly older than `retention`. It runs as the owner (the application role may not run DDL), bounded so
-- that the application role can neither create tables without end nor drop what is still inside retention.
CREATE FUNCTION app_maintain_trace_partitions(hours_back integer, hours_ahead integer, retention interval)
  RETURNS TABLE (action text, partition_name text)
  LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
  hour_start timestamp;
  parent text;
  child text;
BEGIN
  IF hours_back IS NULL OR hours_back NOT BETWEEN 0 AND 6 THEN
    RAISE EXCEPTION 'hours_back must be between 0 and 6, got %', hours_back USING ERRCODE = 'invalid_parameter_value';
  END IF;
  IF hours_ahead IS NULL OR hours_ahead NOT BETWEEN 0 AND 48 THEN
    RAISE EXCEPTION 'hours_ahead must be between 0 and 48, got %', hours_ahead USING ERRCODE = 'invalid_parameter_value';
  END IF;
  IF retention IS NULL OR retention < interval '1 hour' OR retention > interval '31 days' THEN
    RAISE EXCEPTION 'retention must be between 1 hour and 31 days, got %', retention USING ERRCODE = 'invalid_parameter_value';
  END IF;
  PERFORM pg_advisory_xact_lock(hashtext('obs partitions'));
  FOREACH parent IN ARRAY ARRAY['obs_traces', 'obs_spans', 'obs_logs'] LOOP
    FOR i IN -hours_back..hours_ahead LOOP
      hour_start := date_trunc('hour', now() AT TIME ZONE 'UTC') + make_interval(hours => i);
      child := parent || '_' || to_char(hour_start, '"h"YYYYMMDDHH24');
      IF to_regclass('public.' || child) IS NULL THEN
        EXECUTE format('CREATE TABLE public.%I PARTITION OF public.%I FOR VALUES FROM (%L) TO (%L)',
                       child, parent, hour_start AT TIME ZONE 'UTC', (hour_start + interval '1 hour') AT TIME ZONE 'UTC');
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
       WHERE i.inhparent = ('public.' || parent)::regclass ORDER BY c.relname
    LOOP
      IF to_timestamp(right(child, 10), 'YYYYMMDDHH24') AT TIME ZONE current_setting('TimeZone') + interval '1 hour'
         <= (now() - retention) AT TIME ZONE 'UTC' THEN
        EXECUTE format('DROP TABLE public.%I', child);
        action := 'dropped';
        partition_name := child;
        RETURN NEXT;
      END IF;
    END LOOP;
  END LOOP;
END $$;
REVOKE EXECUTE ON FUNCTION app_maintain_trace_partitions(integer, integer, interval) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION app_maintain_trace_partitions(integer, integer, interval) TO storefront_app;
SELECT app_maintain_trace_partitions(1, 2, interval '24 hours');

-- One store's waiting jobs by priority (the tenant drill-down); jobs carry their tenant as a flag.
CREATE FUNCTION app_tenant_job_queue_depth(tenant uuid) RETURNS TABLE (priority int, queued bigint, due bigint)
  LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
BEGIN
  RETURN QUERY
    SELECT j.priority::int, count(*), count(*) FILTER (WHERE j.run_at <= now())
      FROM graphile_worker._private_jobs j
     WHERE j.locked_at IS NULL AND j.attempts < j.max_attempts AND j.flags ? ('tenant:' || tenant::text)
     GROUP BY j.priority;
END $$;
REVOKE EXECUTE ON FUNCTION app_tenant_job_queue_depth(uuid) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION app_tenant_job_queue_depth(uuid) TO storefront_app;

-- Down Migration

DROP FUNCTION app_tenant_job_queue_depth(uuid);
DROP FUNCTION app_maintain_trace_partitions(integer, integer, interval);
DROP TABLE obs_logs;
DROP TABLE obs_spans;
DROP TABLE obs_traces;
