-- Up Migration

-- When the session last proved its second factor: renewals within the freshness window keep it (amr "otp"),
-- so a super-user is not asked for a code every time the 15-minute access token is renewed.
ALTER TABLE refresh_tokens ADD COLUMN second_factor_at timestamptz;

-- Down Migration

ALTER TABLE refresh_tokens DROP COLUMN second_factor_at;
