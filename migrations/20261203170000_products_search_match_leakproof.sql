-- Up Migration

-- Under row-level security the planner puts a query's condition into an index scan only when the condition's
-- functions are leakproof (it must not see another store's rows before the policy has). The full-text match
-- `tsvector @@ tsquery` (ts_match_vq) is not marked so, so the GIN index (tenant_id, search) served the store
-- alone and the words were checked on every product of the store, however rare they were. ts_match_vq only
-- compares the lexemes of its two arguments and raises no error that depends on a row's content, so it is
-- marked leakproof and the words join the store in the index condition (ADR 0102).
-- Only a superuser may mark a function leakproof: where the migration runs without one, a DBA runs this ALTER
-- FUNCTION once per database (search stays correct and per store without it, but reads the store's products).
DO $$
BEGIN
  ALTER FUNCTION ts_match_vq(tsvector, tsquery) LEAKPROOF;
EXCEPTION WHEN insufficient_privilege THEN
  RAISE NOTICE 'ts_match_vq not marked leakproof: %', SQLERRM;
END $$;

-- Down Migration

DO $$
BEGIN
  ALTER FUNCTION ts_match_vq(tsvector, tsquery) NOT LEAKPROOF;
EXCEPTION WHEN insufficient_privilege THEN
  RAISE NOTICE 'ts_match_vq left as it is: %', SQLERRM;
END $$;
