-- Up Migration

-- An import whose chunk failed its last attempt ends as failed instead of staying "running".
ALTER TABLE catalog_imports DROP CONSTRAINT catalog_imports_status_check;
ALTER TABLE catalog_imports ADD CONSTRAINT catalog_imports_status_check CHECK (status IN ('queued', 'running', 'succeeded', 'failed'));

-- Down Migration

UPDATE catalog_imports SET status = 'succeeded' WHERE status = 'failed';
ALTER TABLE catalog_imports DROP CONSTRAINT catalog_imports_status_check;
ALTER TABLE catalog_imports ADD CONSTRAINT catalog_imports_status_check CHECK (status IN ('queued', 'running', 'succeeded'));
