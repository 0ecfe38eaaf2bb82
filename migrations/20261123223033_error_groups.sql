-- Up Migration

-- Unexpected errors (5xx) grouped by fingerprint, for the platform console's "top errors". A platform table,
-- not tenant-scoped: one defect is one group whichever stores hit it (docs/adr/0030-error-groups-are-platform-data.md).
CREATE TABLE error_groups (
  fingerprint text PRIMARY KEY CHECK (fingerprint ~ '^[0-9a-f]{32}$'),
  error_type text NOT NULL CHECK (length(error_type) BETWEEN 1 AND 200),
  message text NOT NULL CHECK (length(message) <= 1000),
  top_frames text[] NOT NULL,
  endpoint text NOT NULL CHECK (length(endpoint) <= 500),
  first_seen timestamptz NOT NULL DEFAULT now(),
  last_seen timestamptz NOT NULL DEFAULT now(),
  count bigint NOT NULL DEFAULT 1 CHECK (count > 0),
  sample_request_id text NOT NULL CHECK (sample_request_id ~ '^[A-Za-z0-9._:-]{1,128}$')
);
CREATE INDEX error_groups_last_seen ON error_groups (last_seen DESC);
REVOKE DELETE ON error_groups FROM storefront_app;

-- Down Migration

DROP TABLE error_groups;
