-- Up Migration

-- Per API client budgets (rate limiting per client_id and tenant), on the gateway's feature flags
-- so that a store's clients can be given more or less room by override.
INSERT INTO feature_flags (key, description, owner, default_value, plan_values) VALUES
  ('rate_limit.client_burst', 'Requests one API client of a store may make in a burst (token bucket capacity)', 'identity', '100',
   '{"free": 20, "starter": 100, "growth": 300, "enterprise": 1000}'),
  ('rate_limit.client_per_second', 'Sustained requests per second one API client of a store may make', 'identity', '10',
   '{"free": 2, "starter": 10, "growth": 30, "enterprise": 100}');

-- Down Migration

DELETE FROM feature_flags WHERE key IN ('rate_limit.client_burst', 'rate_limit.client_per_second');
