-- Up Migration
-- The fleet-wide command log (platform console audit screen) pages newest first over every store.
CREATE INDEX platform_commands_at ON platform_commands (at DESC, id DESC);

-- Down Migration
DROP INDEX platform_commands_at;
