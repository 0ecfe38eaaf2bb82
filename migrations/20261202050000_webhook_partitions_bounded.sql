-- Up Migration

-- The webhook partition helper runs as its owner for the application role, like the session-log one, and gets
-- the same bounds: at most 3 months back and 12 ahead, at least 90 days kept, every name schema-qualified, so
-- the application role can neither drop stored webhook events nor create tables without end.
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

-- Down Migration

ALTER FUNCTION app_maintain_webhook_event_partitions(integer, integer, interval) SET search_path = public, pg_temp;
