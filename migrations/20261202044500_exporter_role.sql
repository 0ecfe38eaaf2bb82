-- Up Migration

-- The role postgres_exporter connects as: pg_monitor reads the statistics views (pg_stat_activity,
-- pg_stat_statements of every role, settings) and nothing else; no table of the product is readable.
-- Roles are cluster-wide, so an existing one is kept. Operators give it a password (ALTER ROLE … PASSWORD).
DO $$
BEGIN
  CREATE ROLE storefront_exporter LOGIN NOSUPERUSER NOBYPASSRLS CONNECTION LIMIT 3;
EXCEPTION WHEN duplicate_object THEN NULL;
END $$;
GRANT pg_monitor TO storefront_exporter;

-- Top statements for the exporter's queries file. Creating the extension needs a superuser; where the
-- migration runs without one, a DBA creates it (the view also needs shared_preload_libraries).
DO $$
BEGIN
  IF EXISTS (SELECT 1 FROM pg_available_extensions WHERE name = 'pg_stat_statements') THEN
    CREATE EXTENSION IF NOT EXISTS pg_stat_statements;
    -- Functions created after the privileges migration get no EXECUTE for PUBLIC by default; the view reads
    -- through this one, so the monitoring role is granted it by name.
    GRANT EXECUTE ON FUNCTION pg_stat_statements(boolean) TO pg_monitor;
  END IF;
EXCEPTION WHEN insufficient_privilege THEN
  RAISE NOTICE 'pg_stat_statements not created: %', SQLERRM;
END $$;

-- Down Migration

DROP EXTENSION IF EXISTS pg_stat_statements;
REVOKE pg_monitor FROM storefront_exporter;
