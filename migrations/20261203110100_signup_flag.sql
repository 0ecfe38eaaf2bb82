-- Up Migration

-- The merchant sign-up page on the platform host. A platform-wide switch: read as the flag's default (the
-- platform host has no store, so plans and overrides do not apply). Off until the fleet opens self-service
-- onboarding; the dev seed turns it on.
INSERT INTO feature_flags (key, description, owner, default_value) VALUES
  ('platform.signup', 'Merchants may create their own store at /signup on the platform host', 'platform-admin', 'false');

-- Down Migration

DELETE FROM feature_flags WHERE key = 'platform.signup';
