-- Up Migration

-- What a store owes each consignor, as append-only entries: a balance is the sum of a consignor's entries and is
-- never stored on its own. Amounts are signed minor units from the consignor's side (a sale credit is positive,
-- the store's commission, fees, clawbacks and payouts negative). An entry is payable from `available_at`: a
-- sale's credit and commission once the store's return window has passed, everything else at once.
-- `posting_key` names the business fact an entry records (an order line's credit, a payout's reservation), so a
-- redelivered event or a retried request can never post the same fact twice.
CREATE TABLE consignment_ledger_entries (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  tenant_id uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
  consignor_id uuid NOT NULL,
  kind text NOT NULL CHECK (kind IN ('sale_credit', 'commission', 'fee', 'refund_clawback', 'payout', 'adjustment')),
  amount_minor bigint NOT NULL CHECK (amount_minor <> 0),
  currency text NOT NULL CHECK (currency ~ '^[A-Z]{3}$'),
  posting_key text NOT NULL CHECK (length(posting_key) BETWEEN 1 AND 200),
  available_at timestamptz NOT NULL DEFAULT now(),
  order_id uuid,
  order_line_id uuid,
  payout_id uuid,
  -- The split rule a sale credit or commission came from (e.g. "category:shoes 55%").
  rule text CHECK (length(rule) <= 200),
  description text CHECK (length(description) <= 500),
  reason text CHECK (length(reason) BETWEEN 1 AND 500),
  ticket text CHECK (length(ticket) BETWEEN 1 AND 100),
  occurred_at timestamptz NOT NULL DEFAULT now(),
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  created_by text,
  updated_by text,
  UNIQUE (tenant_id, posting_key),
  FOREIGN KEY (tenant_id, consignor_id) REFERENCES consignors (tenant_id, id),
  -- An adjustment says why and under which support ticket.
  CHECK (kind <> 'adjustment' OR (reason IS NOT NULL AND ticket IS NOT NULL))
);
-- Led by the consignor and the order (ids unique across stores): the platform-context policy below joins the
-- tenant policy with OR, so tenant_id is a filter of these lookups, not an index condition.
CREATE INDEX consignment_ledger_consignor_idx ON consignment_ledger_entries (consignor_id, id);
CREATE INDEX consignment_ledger_order_idx ON consignment_ledger_entries (order_id) WHERE order_id IS NOT NULL;
SELECT app_enable_tenant_isolation('consignment_ledger_entries');
CREATE TRIGGER append_only BEFORE UPDATE OR DELETE ON consignment_ledger_entries FOR EACH ROW EXECUTE FUNCTION app_reject_change();
CREATE TRIGGER append_only_truncate BEFORE TRUNCATE ON consignment_ledger_entries FOR EACH STATEMENT EXECUTE FUNCTION app_reject_change();
REVOKE UPDATE, DELETE, TRUNCATE ON consignment_ledger_entries FROM storefront_app;

-- Balances, derived: everything posted, and what of it is payable now. "Now" is the statement's time, not the
-- transaction's: a payout that waited for another's lock must count the reservation committed meanwhile.
CREATE VIEW consignment_balances WITH (security_invoker = true) AS
SELECT tenant_id, consignor_id, currency,
       sum(amount_minor)::bigint AS balance_minor,
       (sum(amount_minor) FILTER (WHERE available_at <= statement_timestamp()))::bigint AS payable_minor,
       count(*)::int AS entries
  FROM consignment_ledger_entries
 GROUP BY tenant_id, consignor_id, currency;
GRANT SELECT ON consignment_balances TO storefront_app;

-- Each store's payout terms.
CREATE TABLE consignment_payout_settings (
  tenant_id uuid PRIMARY KEY REFERENCES tenants (id) ON DELETE CASCADE,
  return_window_days int NOT NULL DEFAULT 14 CHECK (return_window_days BETWEEN 0 AND 365),
  minimum_payout_minor bigint NOT NULL DEFAULT 100 CHECK (minimum_payout_minor >= 1),
  currency text NOT NULL DEFAULT 'USD' CHECK (currency ~ '^[A-Z]{3}$'),
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  created_by text,
  updated_by text
);
SELECT app_enable_tenant_isolation('consignment_payout_settings');

-- A payout run: proposed (what is payable per consignor), approved by staff, processed, closed.
CREATE TABLE consignment_payout_runs (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  tenant_id uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
  status text NOT NULL DEFAULT 'awaiting_approval'
    CHECK (status IN ('awaiting_approval', 'approved', 'processing', 'completed', 'incomplete', 'rejected')),
  origin text NOT NULL CHECK (origin IN ('schedule', 'on_demand')),
  currency text NOT NULL CHECK (currency ~ '^[A-Z]{3}$'),
  total_minor bigint NOT NULL DEFAULT 0,
  payouts int NOT NULL DEFAULT 0,
  approved_at timestamptz,
  closed_at timestamptz,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  created_by text,
  updated_by text,
  UNIQUE (tenant_id, id)
);
CREATE INDEX consignment_payout_runs_recent_idx ON consignment_payout_runs (tenant_id, created_at DESC, id);
-- One open run per store: two runs proposing the same payable amounts would only fight over it.
CREATE UNIQUE INDEX consignment_payout_runs_open_idx ON consignment_payout_runs (tenant_id) WHERE status IN ('awaiting_approval', 'approved', 'processing');
SELECT app_enable_tenant_isolation('consignment_payout_runs');

-- One payout of a run to one consignor. `attempt` rises each time a failed transfer is retried; the ledger
-- reservation and the provider's idempotency key both carry it.
CREATE TABLE consignment_payouts (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  tenant_id uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
  run_id uuid NOT NULL,
  consignor_id uuid NOT NULL,
  method text NOT NULL CHECK (method IN ('stripe_connect', 'test', 'check', 'cash', 'store_credit')),
  amount_minor bigint NOT NULL CHECK (amount_minor > 0),
  -- Store credit: the bonus the store adds on top of the amount taken from the ledger.
  bonus_minor bigint NOT NULL DEFAULT 0 CHECK (bonus_minor >= 0),
  currency text NOT NULL CHECK (currency ~ '^[A-Z]{3}$'),
  status text NOT NULL DEFAULT 'proposed'
    CHECK (status IN ('proposed', 'sending', 'sent', 'awaiting_handover', 'paid', 'failed', 'reversed', 'cancelled')),
  attempt int NOT NULL DEFAULT 0 CHECK (attempt >= 0),
  provider text,
  provider_reference text,
  -- Check number or cash receipt, recorded by staff.
  handover_reference text CHECK (length(handover_reference) <= 100),
  sent_at timestamptz,
  failure text CHECK (length(failure) <= 2000),
  paid_at timestamptz,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  created_by text,
  updated_by text,
  UNIQUE (tenant_id, run_id, consignor_id),
  FOREIGN KEY (tenant_id, run_id) REFERENCES consignment_payout_runs (tenant_id, id),
  FOREIGN KEY (tenant_id, consignor_id) REFERENCES consignors (tenant_id, id)
);
CREATE INDEX consignment_payouts_consignor_idx ON consignment_payouts (tenant_id, consignor_id, created_at DESC);
CREATE UNIQUE INDEX consignment_payouts_reference_idx ON consignment_payouts (provider, provider_reference) WHERE provider_reference IS NOT NULL;
SELECT app_enable_tenant_isolation('consignment_payouts');

-- Staff decisions on payout runs, append-only: who approved or rejected which run, when, under which ticket.
CREATE TABLE consignment_payout_approvals (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  tenant_id uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
  run_id uuid NOT NULL,
  decision text NOT NULL CHECK (decision IN ('approved', 'rejected')),
  ticket text NOT NULL CHECK (length(ticket) BETWEEN 1 AND 100),
  note text CHECK (length(note) <= 500),
  decided_by text NOT NULL,
  decided_at timestamptz NOT NULL DEFAULT now(),
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  created_by text,
  updated_by text,
  UNIQUE (tenant_id, run_id),
  FOREIGN KEY (tenant_id, run_id) REFERENCES consignment_payout_runs (tenant_id, id)
);
SELECT app_enable_tenant_isolation('consignment_payout_approvals');
CREATE TRIGGER append_only BEFORE UPDATE OR DELETE ON consignment_payout_approvals FOR EACH ROW EXECUTE FUNCTION app_reject_change();
REVOKE UPDATE, DELETE, TRUNCATE ON consignment_payout_approvals FROM storefront_app;

-- Daily comparison of the ledger's provider payouts with the provider's transfers, and what did not match.
CREATE TABLE consignment_reconciliations (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  tenant_id uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
  provider text NOT NULL,
  day date NOT NULL,
  payouts_checked int NOT NULL,
  transfers_checked int NOT NULL,
  discrepancies int NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  created_by text,
  updated_by text,
  UNIQUE (tenant_id, provider, day),
  UNIQUE (tenant_id, id)
);
SELECT app_enable_tenant_isolation('consignment_reconciliations');

CREATE TABLE consignment_reconciliation_discrepancies (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  tenant_id uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
  reconciliation_id uuid NOT NULL,
  kind text NOT NULL CHECK (kind IN ('missing_transfer', 'unknown_transfer', 'amount_mismatch', 'reversed_transfer')),
  payout_id uuid,
  provider_reference text,
  ledger_minor bigint,
  provider_minor bigint,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  created_by text,
  updated_by text,
  FOREIGN KEY (tenant_id, reconciliation_id) REFERENCES consignment_reconciliations (tenant_id, id) ON DELETE CASCADE
);
SELECT app_enable_tenant_isolation('consignment_reconciliation_discrepancies');

-- Monthly statements as sent: the figures and both renderings, kept so a consignor sees what was mailed.
CREATE TABLE consignment_statements (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  tenant_id uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
  consignor_id uuid NOT NULL,
  period date NOT NULL CHECK (extract(day FROM period) = 1),
  currency text NOT NULL,
  opening_minor bigint NOT NULL,
  closing_minor bigint NOT NULL,
  entries int NOT NULL,
  html text NOT NULL,
  csv text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  created_by text,
  updated_by text,
  UNIQUE (tenant_id, consignor_id, period),
  FOREIGN KEY (tenant_id, consignor_id) REFERENCES consignors (tenant_id, id)
);
SELECT app_enable_tenant_isolation('consignment_statements');

-- Messages to consignors (sale, expiry, payout, statement), one per business fact; sent by a job.
CREATE TABLE consignment_notifications (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  tenant_id uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
  consignor_id uuid NOT NULL,
  kind text NOT NULL CHECK (kind IN ('sale', 'expiry', 'payout', 'statement')),
  dedupe_key text NOT NULL CHECK (length(dedupe_key) BETWEEN 1 AND 200),
  subject text NOT NULL CHECK (length(subject) BETWEEN 1 AND 200),
  body text NOT NULL,
  sent_at timestamptz,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  created_by text,
  updated_by text,
  UNIQUE (tenant_id, dedupe_key),
  FOREIGN KEY (tenant_id, consignor_id) REFERENCES consignors (tenant_id, id)
);
CREATE INDEX consignment_notifications_consignor_idx ON consignment_notifications (tenant_id, consignor_id, created_at DESC);
SELECT app_enable_tenant_isolation('consignment_notifications');

-- Order events (OrderPaid, OrderRefunded) the ledger has posted. The event log is read by a sweeper as well as
-- heard on the bus, so an event whose delivery raced a crash is still posted; this table says which are done.
CREATE TABLE consignment_order_events (
  tenant_id uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
  event_id bigint NOT NULL,
  type text NOT NULL,
  processed_at timestamptz NOT NULL DEFAULT now(),
  created_by text,
  updated_by text,
  updated_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (tenant_id, event_id)
);
SELECT app_enable_tenant_isolation('consignment_order_events');

-- How far the sweeper has read the event log (one row, platform-wide; rows behind it are all posted).
CREATE TABLE consignment_event_watermark (
  singleton boolean PRIMARY KEY DEFAULT true CHECK (singleton),
  last_event_id bigint NOT NULL DEFAULT 0
);
INSERT INTO consignment_event_watermark DEFAULT VALUES;

-- The platform-wide schedules (sweeper, payout runs, reconciliation, statements) find their work across stores.
CREATE POLICY consignment_sweep ON domain_events FOR SELECT USING (app_platform_context() AND type IN ('OrderPaid', 'OrderRefunded'));
CREATE POLICY consignment_sweep ON consignment_order_events FOR SELECT USING (app_platform_context());
CREATE POLICY consignment_schedules ON consignment_ledger_entries FOR SELECT USING (app_platform_context());
REVOKE INSERT, DELETE ON consignment_event_watermark FROM storefront_app;

-- Down Migration

DROP POLICY consignment_sweep ON domain_events;
DROP TABLE consignment_event_watermark;
DROP TABLE consignment_order_events;
DROP TABLE consignment_notifications;
DROP TABLE consignment_statements;
DROP TABLE consignment_reconciliation_discrepancies;
DROP TABLE consignment_reconciliations;
DROP TABLE consignment_payout_approvals;
DROP TABLE consignment_payouts;
DROP TABLE consignment_payout_runs;
DROP TABLE consignment_payout_settings;
DROP VIEW consignment_balances;
DROP TABLE consignment_ledger_entries;
