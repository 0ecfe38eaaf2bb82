-- Up Migration

-- One bulk import: the uploaded file, its progress (rows done / total) and its row-level error report.
CREATE TABLE catalog_imports (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  tenant_id uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
  format text NOT NULL CHECK (format IN ('csv', 'jsonl')),
  status text NOT NULL DEFAULT 'queued' CHECK (status IN ('queued', 'running', 'succeeded', 'failed')),
  -- The uploaded file, kept until the import finishes (object storage is not part of the platform yet).
  source text,
  rows_total int,
  rows_done int NOT NULL DEFAULT 0,
  rows_failed int NOT NULL DEFAULT 0,
  products int,
  errors jsonb NOT NULL DEFAULT '[]',
  failure text,
  started_at timestamptz,
  finished_at timestamptz,
  created_at timestamptz NOT NULL DEFAULT now(),
  created_by text,
  updated_by text,
  updated_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX catalog_imports_recent_idx ON catalog_imports (tenant_id, created_at DESC);
SELECT app_enable_tenant_isolation('catalog_imports');

-- Down Migration

DROP TABLE catalog_imports;
