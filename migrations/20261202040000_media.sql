-- Up Migration

-- Media assets of a store: the uploaded original and what the pipeline made of it (image variants, video
-- renditions). The original is never deleted by a failed run; `status = 'failed'` marks it for reprocessing.
CREATE TABLE media_assets (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  tenant_id uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
  kind text NOT NULL CHECK (kind IN ('image', 'video')),
  status text NOT NULL DEFAULT 'awaiting_upload' CHECK (status IN ('awaiting_upload', 'processing', 'ready', 'failed')),
  filename text NOT NULL CHECK (length(filename) BETWEEN 1 AND 255),
  declared_type text NOT NULL,
  detected_type text,
  byte_size bigint NOT NULL CHECK (byte_size > 0),
  sha256 text NOT NULL CHECK (sha256 ~ '^[0-9a-f]{64}$'),
  original_key text NOT NULL,
  width int,
  height int,
  duration_ms int,
  -- image: [{width, height, format, key, bytes}]; video: {master_key, mp4_key, poster_key, renditions: [...]}
  variants jsonb NOT NULL DEFAULT '[]',
  -- Original plus everything derived from it: what the asset counts against the store's quota.
  stored_bytes bigint NOT NULL DEFAULT 0 CHECK (stored_bytes >= 0),
  progress real NOT NULL DEFAULT 0 CHECK (progress BETWEEN 0 AND 1),
  attempts int NOT NULL DEFAULT 0,
  error text,
  processed_at timestamptz,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  created_by text,
  updated_by text
);
CREATE INDEX media_assets_tenant_idx ON media_assets (tenant_id, created_at DESC, id);
CREATE INDEX media_assets_pending_idx ON media_assets (kind) WHERE status = 'processing';
SELECT app_enable_tenant_isolation('media_assets');
-- The media queue depth gauge counts assets being processed across stores.
CREATE POLICY platform_access ON media_assets FOR SELECT USING (app_platform_context());

-- Bytes each store keeps in object storage, moved in the same transaction as the asset that changed them.
CREATE TABLE media_usage (
  tenant_id uuid PRIMARY KEY REFERENCES tenants (id) ON DELETE CASCADE,
  bytes_stored bigint NOT NULL DEFAULT 0 CHECK (bytes_stored >= 0),
  -- When the store last crossed 80 % of its quota (cleared when it falls below), so it is warned once.
  warned_at timestamptz,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  created_by text,
  updated_by text
);
SELECT app_enable_tenant_isolation('media_usage');
CREATE POLICY platform_access ON media_usage FOR SELECT USING (app_platform_context());

-- The store's logo: an image asset, rendered through the same variants as product images.
CREATE TABLE media_store_logos (
  tenant_id uuid PRIMARY KEY REFERENCES tenants (id) ON DELETE CASCADE,
  asset_id uuid NOT NULL REFERENCES media_assets (id) ON DELETE CASCADE,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  created_by text,
  updated_by text
);
SELECT app_enable_tenant_isolation('media_store_logos');

-- Per-plan media quotas (overridable per store like every flag).
INSERT INTO feature_flags (key, description, owner, default_value, plan_values) VALUES
  ('media.storage_quota_bytes', 'Bytes of media (originals and variants) a store may keep', 'media', '10737418240',
   '{"free": 1073741824, "starter": 10737418240, "growth": 107374182400, "enterprise": 1099511627776}'),
  ('media.max_upload_bytes', 'Largest single media upload a store may make', 'media', '104857600',
   '{"free": 20971520, "starter": 104857600, "growth": 524288000, "enterprise": 2147483648}');

-- Down Migration

DELETE FROM feature_flags WHERE key IN ('media.storage_quota_bytes', 'media.max_upload_bytes');
DROP TABLE media_store_logos;
DROP TABLE media_usage;
DROP TABLE media_assets;
