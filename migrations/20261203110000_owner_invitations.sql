-- Up Migration

-- A store's first owner is invited by e-mail to choose a password: the invitation is a password-setting token
-- like a reset, longer-lived, and accepted only by the invitation page (a reset link does not open it, nor the
-- reverse).
ALTER TABLE password_reset_tokens ADD COLUMN purpose text NOT NULL DEFAULT 'reset' CHECK (purpose IN ('reset', 'invitation'));

ALTER TABLE session_logs DROP CONSTRAINT session_logs_event_check;
ALTER TABLE session_logs ADD CONSTRAINT session_logs_event_check CHECK (event IN (
  'login', 'login_failed', 'login_throttled', 'refresh', 'refresh_reuse', 'logout',
  'password_changed', 'password_reset_requested', 'password_reset', 'mfa_enrolled', 'mfa_failed', 'disabled',
  'invitation_accepted'));

-- Down Migration

ALTER TABLE session_logs DROP CONSTRAINT session_logs_event_check;
ALTER TABLE session_logs ADD CONSTRAINT session_logs_event_check CHECK (event IN (
  'login', 'login_failed', 'login_throttled', 'refresh', 'refresh_reuse', 'logout',
  'password_changed', 'password_reset_requested', 'password_reset', 'mfa_enrolled', 'mfa_failed', 'disabled'));
ALTER TABLE password_reset_tokens DROP COLUMN purpose;
