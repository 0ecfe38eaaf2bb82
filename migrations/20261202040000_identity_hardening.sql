-- Up Migration

-- A login attempt is reserved (a row written under an advisory lock) before the password is checked; a success
-- takes its reservation back by id.
ALTER TABLE login_failures ADD COLUMN id bigint GENERATED ALWAYS AS IDENTITY;

-- Absolute session lifetime: refreshing slides `expires_at` but never past the session's end.
ALTER TABLE refresh_tokens ADD COLUMN session_expires_at timestamptz NOT NULL DEFAULT now() + interval '30 days';
ALTER TABLE refresh_tokens ALTER COLUMN session_expires_at DROP DEFAULT;
ALTER TABLE refresh_tokens DROP CONSTRAINT refresh_tokens_revoked_reason_check;
ALTER TABLE refresh_tokens ADD CONSTRAINT refresh_tokens_revoked_reason_check
  CHECK (revoked_reason IN ('logout', 'reuse', 'password', 'disabled'));

ALTER TABLE session_logs DROP CONSTRAINT session_logs_event_check;
ALTER TABLE session_logs ADD CONSTRAINT session_logs_event_check CHECK (event IN (
  'login', 'login_failed', 'login_throttled', 'refresh', 'refresh_reuse', 'logout',
  'password_changed', 'password_reset_requested', 'password_reset', 'mfa_enrolled', 'mfa_failed', 'disabled'));

-- Access tokens live 15 minutes; this list refuses them sooner. `session`: one login (refresh family) or
-- impersonation; `subject`: every token of an account or API client issued up to `revoked_at`. Holds only opaque
-- ids, is read by every request's authentication on any host, and is pruned once its rows outlive any token.
CREATE TABLE access_revocations (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  kind text NOT NULL CHECK (kind IN ('session', 'subject')),
  target text NOT NULL CHECK (length(target) <= 200),
  revoked_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX access_revocations_recent ON access_revocations (revoked_at);
REVOKE UPDATE ON access_revocations FROM storefront_app;

-- Second factor of platform super-users: an RFC 6238 TOTP secret, confirmed by a first code. `last_step` refuses
-- a code's replay within its 30-second step.
CREATE TABLE platform_user_totp (
  platform_user_id uuid PRIMARY KEY REFERENCES platform_users (id),
  secret text NOT NULL,
  confirmed_at timestamptz,
  last_step bigint NOT NULL DEFAULT 0,
  created_at timestamptz NOT NULL DEFAULT now()
);

-- Single-use recovery codes, stored as SHA-256.
CREATE TABLE platform_recovery_codes (
  platform_user_id uuid NOT NULL REFERENCES platform_users (id),
  code_hash bytea NOT NULL,
  used_at timestamptz,
  PRIMARY KEY (platform_user_id, code_hash)
);
REVOKE DELETE ON platform_recovery_codes FROM storefront_app;

-- Password reset tokens: 256 random bits sent by mail, stored as SHA-256, single use, short-lived.
CREATE TABLE password_reset_tokens (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  tenant_id uuid REFERENCES tenants (id) ON DELETE CASCADE,
  subject_kind text NOT NULL CHECK (subject_kind IN ('staff', 'customer', 'platform')),
  subject_id uuid NOT NULL,
  token_hash bytea NOT NULL UNIQUE,
  expires_at timestamptz NOT NULL,
  used_at timestamptz,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  created_by text,
  updated_by text,
  CHECK ((tenant_id IS NULL) = (subject_kind = 'platform'))
);
CREATE INDEX password_reset_tokens_expiry ON password_reset_tokens (expires_at);
SELECT app_enable_tenant_isolation('password_reset_tokens');
CREATE POLICY platform_resets ON password_reset_tokens
  USING (tenant_id IS NULL AND app_platform_context())
  WITH CHECK (tenant_id IS NULL AND app_platform_context());
CREATE POLICY expired_cleanup ON password_reset_tokens FOR ALL USING (app_platform_context() AND expires_at < now());

-- Mail outbox: written in the sender's unit of work, so a message exists only if its transaction commits. The
-- SMTP transport delivers rows after commit (a job per row); the embedded default keeps them here as the dev
-- mailbox. Delivery runs in the platform context and reaches every store's rows.
CREATE TABLE mail_outbox (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  tenant_id uuid REFERENCES tenants (id) ON DELETE CASCADE,
  to_address text NOT NULL CHECK (length(to_address) BETWEEN 3 AND 254),
  subject text NOT NULL CHECK (length(subject) <= 998),
  body_text text NOT NULL,
  sent_at timestamptz,
  attempts integer NOT NULL DEFAULT 0,
  last_attempt_at timestamptz,
  last_error text CHECK (length(last_error) <= 1000),
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  created_by text,
  updated_by text
);
CREATE INDEX mail_outbox_recent ON mail_outbox (created_at DESC);
CREATE INDEX mail_outbox_unsent ON mail_outbox (created_at) WHERE sent_at IS NULL;
SELECT app_enable_tenant_isolation('mail_outbox');
CREATE POLICY platform_mail ON mail_outbox USING (app_platform_context()) WITH CHECK (app_platform_context());

-- Down Migration

DROP TABLE mail_outbox;
DROP TABLE password_reset_tokens;
DROP TABLE platform_recovery_codes;
DROP TABLE platform_user_totp;
DROP TABLE access_revocations;
ALTER TABLE session_logs DROP CONSTRAINT session_logs_event_check;
ALTER TABLE session_logs ADD CONSTRAINT session_logs_event_check
  CHECK (event IN ('login', 'login_failed', 'login_throttled', 'refresh', 'refresh_reuse', 'logout'));
ALTER TABLE refresh_tokens DROP CONSTRAINT refresh_tokens_revoked_reason_check;
ALTER TABLE refresh_tokens ADD CONSTRAINT refresh_tokens_revoked_reason_check CHECK (revoked_reason IN ('logout', 'reuse'));
ALTER TABLE refresh_tokens DROP COLUMN session_expires_at;
ALTER TABLE login_failures DROP COLUMN id;
