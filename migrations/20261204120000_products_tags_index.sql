-- Up Migration

-- A rule collection by tag is served newest first by the store's listing index, its tag checked on each row: a
-- tag on one product in a thousand, or on none, read the whole store for one page. With the store's rows of a tag
-- in a GIN index (btree_gin holds the uuid beside the array, so other stores' rows are never read) a page can
-- take the bitmap of the tag's rows instead, and sort them (ADR 0105).
-- Like every migration this runs in the migrations' one transaction, so not CONCURRENTLY: writes to products
-- wait for the build and the transaction's commit (reads do not).
CREATE INDEX products_tenant_tags_idx ON products USING gin (tenant_id, tags);

-- Under row-level security only a leakproof condition goes into an index scan (ADR 0102), and `@>`
-- (arraycontains) is not marked so. It compares the elements with their type's equality and raises no error that
-- depends on a row's content (only on mismatched element types), so it is marked leakproof. Only a superuser
-- may: elsewhere a DBA runs this ALTER FUNCTION once per database (rule collections stay correct without it, but
-- a rare tag reads the store's products).
DO $$
BEGIN
  ALTER FUNCTION arraycontains(anyarray, anyarray) LEAKPROOF;
EXCEPTION WHEN insufficient_privilege THEN
  RAISE NOTICE 'arraycontains not marked leakproof: %', SQLERRM;
END $$;

-- Down Migration

DO $$
BEGIN
  ALTER FUNCTION arraycontains(anyarray, anyarray) NOT LEAKPROOF;
EXCEPTION WHEN insufficient_privilege THEN
  RAISE NOTICE 'arraycontains left as it is: %', SQLERRM;
END $$;
DROP INDEX products_tenant_tags_idx;
