-- Up Migration

-- The job queue is graphile-worker's own schema (graphile_worker), installed by its migrations just before
-- these run (src/platform/jobs/queue-schema.ts). The application role gets no rights on it; it reaches the
-- queue only through the SECURITY DEFINER functions below, which run as the owner.

-- Enqueue: a jsonb array of {identifier, payload, run_at, max_attempts, job_key, priority, flags}. Runs in the
-- caller's transaction, so a job enqueued inside a unit of work commits or rolls back with it.
CREATE FUNCTION app_enqueue_jobs(specs jsonb) RETURNS SETOF bigint
  LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, public AS $$
BEGIN
  RETURN QUERY
    SELECT added.id FROM graphile_worker.add_jobs(ARRAY(
      SELECT ROW(s.identifier, s.payload, NULL, s.run_at, s.max_attempts, s.job_key, s.priority, s.flags)::graphile_worker.job_spec
        FROM jsonb_to_recordset(specs)
          AS s(identifier text, payload json, run_at timestamptz, max_attempts int, job_key text, priority int, flags text[])
    )) AS added;
END $$;

-- Jobs not yet done, by graphile-worker priority: all of them, and those due now (not waiting for a retry).
CREATE FUNCTION app_job_queue_depth() RETURNS TABLE (priority int, queued bigint, due bigint, oldest_due timestamptz)
  LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = pg_catalog, public AS $$
BEGIN
  RETURN QUERY
    SELECT j.priority::int, count(*), count(*) FILTER (WHERE j.run_at <= now()), min(j.run_at) FILTER (WHERE j.run_at <= now())
      FROM graphile_worker._private_jobs j
     WHERE j.locked_at IS NULL AND j.attempts < j.max_attempts
     GROUP BY j.priority;
END $$;

-- Pausing one job: the `paused` flag, which every worker skips (graphile-worker's forbiddenFlags). A job that is
-- running right now cannot be paused; false when no such waiting job exists.
CREATE FUNCTION app_set_job_paused(job_id bigint, paused boolean) RETURNS boolean
  LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, public AS $$
BEGIN
  UPDATE graphile_worker._private_jobs
     SET flags = CASE WHEN paused THEN coalesce(flags, '{}'::jsonb) || '{"paused": true}'::jsonb ELSE nullif(flags - 'paused', '{}'::jsonb) END
   WHERE id = job_id AND locked_at IS NULL;
  RETURN FOUND;
END $$;

-- Jobs that failed their last attempt, or can never run (unknown payload version, invalid payload). Requeue
-- enqueues the payload again and deletes the row in one transaction.
CREATE TABLE dead_jobs (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  job_id bigint NOT NULL UNIQUE,
  task text NOT NULL,
  priority text NOT NULL CHECK (priority IN ('CRITICAL', 'HIGH', 'DEFAULT', 'LOW', 'BULK')),
  payload_version int NOT NULL,
  payload jsonb NOT NULL,
  tenant_id uuid REFERENCES tenants (id) ON DELETE CASCADE,
  correlation_id text NOT NULL,
  reason text NOT NULL CHECK (reason IN ('exhausted', 'unknown_version', 'invalid_payload')),
  attempts int NOT NULL,
  max_attempts int NOT NULL,
  last_error text NOT NULL,
  errors jsonb NOT NULL DEFAULT '[]',
  failed_at timestamptz NOT NULL DEFAULT now(),
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  created_by text,
  updated_by text
);
CREATE INDEX dead_jobs_failed_at ON dead_jobs (failed_at);
SELECT app_enable_tenant_isolation('dead_jobs');
-- Platform jobs have no tenant; operators see every dead job from the platform context.
CREATE POLICY platform_access ON dead_jobs USING (app_platform_context()) WITH CHECK (app_platform_context());

-- Every failed attempt of a job still being retried; graphile-worker keeps only the last error.
CREATE TABLE job_errors (
  job_id bigint NOT NULL,
  attempt int NOT NULL,
  error text NOT NULL,
  failed_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (job_id, attempt)
);
ALTER TABLE job_errors ENABLE ROW LEVEL SECURITY;
ALTER TABLE job_errors FORCE ROW LEVEL SECURITY;
CREATE POLICY platform_access ON job_errors USING (app_platform_context()) WITH CHECK (app_platform_context());

-- What is paused: a task name, a tenant, or one job id (paused_jobs). Workers skip the matching
-- flags; nothing is deleted, and resuming lets the jobs run.
CREATE TABLE paused_jobs (
  kind text NOT NULL CHECK (kind IN ('task', 'tenant', 'job')),
  target text NOT NULL,
  reason text NOT NULL DEFAULT '',
  paused_by text,
  paused_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (kind, target)
);
ALTER TABLE paused_jobs ENABLE ROW LEVEL SECURITY;
ALTER TABLE paused_jobs FORCE ROW LEVEL SECURITY;
CREATE POLICY platform_access ON paused_jobs USING (app_platform_context()) WITH CHECK (app_platform_context());

-- Worker leases: each worker pool heartbeats here; a pool silent for longer than the lease is dead, and
-- another worker unlocks its jobs with graphile-worker's force_unlock_workers.
CREATE TABLE job_workers (
  pool_id text PRIMARY KEY,
  priority text NOT NULL,
  hostname text NOT NULL,
  pid int NOT NULL,
  started_at timestamptz NOT NULL DEFAULT now(),
  heartbeat_at timestamptz NOT NULL DEFAULT now()
);
ALTER TABLE job_workers ENABLE ROW LEVEL SECURITY;
ALTER TABLE job_workers FORCE ROW LEVEL SECURITY;
CREATE POLICY platform_access ON job_workers USING (app_platform_context()) WITH CHECK (app_platform_context());

-- Down Migration

DROP TABLE job_workers;
DROP TABLE paused_jobs;
DROP TABLE job_errors;
DROP TABLE dead_jobs;
DROP FUNCTION app_set_job_paused(bigint, boolean);
DROP FUNCTION app_job_queue_depth();
DROP FUNCTION app_enqueue_jobs(jsonb);
