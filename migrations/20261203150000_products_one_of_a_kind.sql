-- Up Migration

-- A unique piece (one product, one variant, one in stock), set by its creator: the catalog's own record of it, so
-- "low stock" does not list every one-of-a-kind item, whose stock of one is its whole stock, not a shortage.
ALTER TABLE products ADD COLUMN one_of_a_kind boolean NOT NULL DEFAULT false;

-- Down Migration

ALTER TABLE products DROP COLUMN one_of_a_kind;
