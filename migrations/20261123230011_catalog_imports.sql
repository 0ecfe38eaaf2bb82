-- Up Migration

-- One bulk import: progress (rows done / total, chunks done / total), outcome counts and the row-level error
-- report (the first 1,000 errors: line, field, message).
CREATE TABLE catalog_imports (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  tenant_id uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
  format text NOT NULL CHECK (format IN ('csv', 'jsonl')),
  status text NOT NULL DEFAULT 'queued' CHECK (status IN ('queued', 'running', 'succeeded')),
  rows_total int NOT NULL,
  rows_done int NOT NULL DEFAULT 0,
  rows_failed int NOT NULL DEFAULT 0,
  chunks_total int NOT NULL,
  chunks_done int NOT NULL DEFAULT 0,
  -- Distinct product handles in the file, for the throughput metric.
  products_total int NOT NULL,
  products_changed int NOT NULL DEFAULT 0,
  variants_inserted int NOT NULL DEFAULT 0,
  variants_updated int NOT NULL DEFAULT 0,
  errors jsonb NOT NULL DEFAULT '[]',
  started_at timestamptz,
  finished_at timestamptz,
  created_at timestamptz NOT NULL DEFAULT now(),
  created_by text,
  updated_by text,
  updated_at timestamptz NOT NULL DEFAULT now(),
  UNIQUE (tenant_id, id)
);
CREATE INDEX catalog_imports_recent_idx ON catalog_imports (tenant_id, created_at DESC);
SELECT app_enable_tenant_isolation('catalog_imports');

-- The parsed rows of an import waiting for their job, as JSON lines of [line, record]; a chunk is deleted in
-- the transaction that imports it, so a retried job finds either all of it or nothing.
CREATE TABLE catalog_import_chunks (
  tenant_id uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
  import_id uuid NOT NULL,
  seq int NOT NULL,
  records text NOT NULL,
  created_by text,
  updated_by text,
  updated_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (tenant_id, import_id, seq),
  FOREIGN KEY (tenant_id, import_id) REFERENCES catalog_imports (tenant_id, id) ON DELETE CASCADE
);
SELECT app_enable_tenant_isolation('catalog_import_chunks');

-- Down Migration

DROP TABLE catalog_import_chunks;
DROP TABLE catalog_imports;
