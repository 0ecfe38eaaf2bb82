-- Up Migration

-- One partition helper for every range-partitioned log (session logs and webhook events by month, the trace store
-- by hour), instead of three copies of the same loop. It runs as its owner and is not granted to the application
-- role: only the three bounded helpers below call it, each checking its own limits first (how far ahead and back,
-- the least retention), so the application role still cannot drop what is inside retention or create tables
-- without end. Partitions are named <parent>_y2026m12 (month) or <parent>_h2026120314 (hour), UTC.
CREATE FUNCTION app_maintain_range_partitions(parent text, unit text, steps_back integer, steps_ahead integer, retention interval)
  RETURNS TABLE (action text, partition_name text)
  LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
  step interval := CASE unit WHEN 'month' THEN interval '1 month' WHEN 'hour' THEN interval '1 hour' END;
  suffix_format text := CASE unit WHEN 'month' THEN '"y"YYYY"m"MM' WHEN 'hour' THEN '"h"YYYYMMDDHH24' END;
  period_start timestamp;
  child text;
BEGIN
  IF step IS NULL THEN
    RAISE EXCEPTION 'unit must be month or hour, got %', unit USING ERRCODE = 'invalid_parameter_value';
  END IF;
  -- Several processes may start together; one at a time creates partitions.
  PERFORM pg_advisory_xact_lock(hashtext(parent || ' partitions'));
  FOR i IN -steps_back..steps_ahead LOOP
    period_start := date_trunc(unit, now() AT TIME ZONE 'UTC') + i * step;
    child := parent || '_' || to_char(period_start, suffix_format);
    IF to_regclass('public.' || child) IS NULL THEN
      EXECUTE format('CREATE TABLE public.%I PARTITION OF public.%I FOR VALUES FROM (%L) TO (%L)',
                     child, parent, period_start AT TIME ZONE 'UTC', (period_start + step) AT TIME ZONE 'UTC');
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
    period_start := to_timestamp(substr(child, length(parent) + 2), suffix_format)::timestamp;
    IF period_start + step <= (now() - retention) AT TIME ZONE 'UTC' THEN
      EXECUTE format('DROP TABLE public.%I', child);
      action := 'dropped';
      partition_name := child;
      RETURN NEXT;
    END IF;
  END LOOP;
END $$;
REVOKE EXECUTE ON FUNCTION app_maintain_range_partitions(text, text, integer, integer, interval) FROM PUBLIC;

CREATE OR REPLACE FUNCTION app_maintain_session_log_partitions(months_ahead integer, retention interval)
  RETURNS TABLE (action text, partition_name text)
  LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
BEGIN
  IF months_ahead IS NULL OR months_ahead NOT BETWEEN 0 AND 12 THEN
    RAISE EXCEPTION 'months_ahead must be between 0 and 12, got %', months_ahead USING ERRCODE = 'invalid_parameter_value';
  END IF;
  IF retention IS NULL OR now() - retention > now() - interval '90 days' THEN
    RAISE EXCEPTION 'retention must be at least 90 days, got %', retention USING ERRCODE = 'invalid_parameter_value';
  END IF;
  RETURN QUERY SELECT * FROM public.app_maintain_range_partitions('session_logs', 'month', 0, months_ahead, retention);
END $$;

CREATE OR REPLACE FUNCTION app_maintain_webhook_event_partitions(months_back integer, months_ahead integer, retention interval)
  RETURNS TABLE (action text, partition_name text)
  LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
BEGIN
  IF months_back IS NULL OR months_back NOT BETWEEN 0 AND 3 THEN
    RAISE EXCEPTION 'months_back must be between 0 and 3, got %', months_back USING ERRCODE = 'invalid_parameter_value';
  END IF;
  IF months_ahead IS NULL OR months_ahead NOT BETWEEN 0 AND 12 THEN
    RAISE EXCEPTION 'months_ahead must be between 0 and 12, got %', months_ahead USING ERRCODE = 'invalid_parameter_value';
  END IF;
  IF retention IS NULL OR now() - retention > now() - interval '90 days' THEN
    RAISE EXCEPTION 'retention must be at least 90 days, got %', retention USING ERRCODE = 'invalid_parameter_value';
  END IF;
  RETURN QUERY SELECT * FROM public.app_maintain_range_partitions('webhook_events', 'month', months_back, months_ahead, retention);
END $$;

CREATE OR REPLACE FUNCTION app_maintain_trace_partitions(hours_back integer, hours_ahead integer, retention interval)
  RETURNS TABLE (action text, partition_name text)
  LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
  parent text;
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
  FOREACH parent IN ARRAY ARRAY['obs_traces', 'obs_spans', 'obs_logs'] LOOP
    RETURN QUERY SELECT * FROM public.app_maintain_range_partitions(parent, 'hour', hours_back, hours_ahead, retention);
  END LOOP;
END $$;

-- Down Migration

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

CREATE OR REPLACE FUNCTION app_maintain_webhook_event_partitions(months_back integer, months_ahead integer, retention interval)
  RETURNS TABLE (action text, partition_name text)
  LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
  first_day timestamp;
  child text;
BEGIN
  IF months_back IS NULL OR months_back NOT BETWEEN 0 AND 3 THEN
    RAISE EXCEPTION 'months_back must be between 0 and 3, got %', months_back USING ERRCODE = 'invalid_parameter_value';
  END IF;
  IF months_ahead IS NULL OR months_ahead NOT BETWEEN 0 AND 12 THEN
    RAISE EXCEPTION 'months_ahead must be between 0 and 12, got %', months_ahead USING ERRCODE = 'invalid_parameter_value';
  END IF;
  IF retention IS NULL OR now() - retention > now() - interval '90 days' THEN
    RAISE EXCEPTION 'retention must be at least 90 days, got %', retention USING ERRCODE = 'invalid_parameter_value';
  END IF;
  PERFORM pg_advisory_xact_lock(hashtext('webhook_events partitions'));
  FOR i IN -months_back..months_ahead LOOP
    first_day := date_trunc('month', now() AT TIME ZONE 'UTC') + make_interval(months => i);
    child := 'webhook_events_' || to_char(first_day, '"y"YYYY"m"MM');
    IF to_regclass('public.' || child) IS NULL THEN
      EXECUTE format('CREATE TABLE public.%I PARTITION OF public.webhook_events FOR VALUES FROM (%L) TO (%L)',
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
     WHERE i.inhparent = 'public.webhook_events'::regclass ORDER BY c.relname
  LOOP
    IF to_date(substr(child, 16), '"y"YYYY"m"MM') + interval '1 month' <= (now() - retention) AT TIME ZONE 'UTC' THEN
      EXECUTE format('DROP TABLE public.%I', child);
      action := 'dropped';
      partition_name := child;
      RETURN NEXT;
    END IF;
  END LOOP;
END $$;

CREATE OR REPLACE FUNCTION app_maintain_trace_partitions(hours_back integer, hours_ahead integer, retention interval)
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
DROP FUNCTION app_maintain_range_partitions(text, text, integer, integer, interval);
