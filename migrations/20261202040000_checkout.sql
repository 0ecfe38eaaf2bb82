-- Up Migration

-- Saga runs and their steps: every step run and every compensation is one row, so an operator can see how far
-- a checkout (later a payout or a POS replay) got and what was undone. Steps are append-only.
CREATE TABLE saga_runs (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  tenant_id uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
  saga text NOT NULL CHECK (saga ~ '^[a-z][a-z0-9-]*$'),
  status text NOT NULL DEFAULT 'running' CHECK (status IN ('running', 'completed', 'compensated', 'compensation_failed')),
  failed_step text,
  error_code text,
  correlation_id text,
  started_at timestamptz NOT NULL DEFAULT now(),
  finished_at timestamptz,
  created_by text,
  updated_by text,
  updated_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX saga_runs_running_idx ON saga_runs (tenant_id, started_at) WHERE status = 'running';
SELECT app_enable_tenant_isolation('saga_runs');

CREATE TABLE saga_steps (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  tenant_id uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
  run_id uuid NOT NULL REFERENCES saga_runs (id) ON DELETE CASCADE,
  step text NOT NULL,
  action text NOT NULL CHECK (action IN ('run', 'compensate')),
  outcome text NOT NULL CHECK (outcome IN ('succeeded', 'failed')),
  output jsonb,
  error text,
  duration_ms double precision NOT NULL,
  at timestamptz NOT NULL DEFAULT now(),
  created_by text,
  updated_by text,
  updated_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX saga_steps_run_idx ON saga_steps (run_id, id);
SELECT app_enable_tenant_isolation('saga_steps');
CREATE TRIGGER append_only BEFORE UPDATE OR DELETE ON saga_steps FOR EACH ROW EXECUTE FUNCTION app_reject_change();

-- Stock held for a checkout before payment. Available = on hand - active, unexpired holds. A hold is taken
-- under the variant's level row locks, so two checkouts never both get the last unit.
CREATE TABLE inventory_reservations (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  tenant_id uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
  holder text NOT NULL CHECK (length(holder) BETWEEN 1 AND 200),
  variant_id uuid NOT NULL,
  quantity integer NOT NULL CHECK (quantity > 0),
  status text NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'committed', 'released')),
  expires_at timestamptz NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  created_by text,
  updated_by text,
  updated_at timestamptz NOT NULL DEFAULT now(),
  UNIQUE (tenant_id, holder, variant_id),
  FOREIGN KEY (tenant_id, variant_id) REFERENCES variants (tenant_id, id) ON DELETE CASCADE
);
CREATE INDEX inventory_reservations_active_idx ON inventory_reservations (tenant_id, variant_id) WHERE status = 'active';
CREATE INDEX inventory_reservations_expiry_idx ON inventory_reservations (expires_at) WHERE status = 'active';
SELECT app_enable_tenant_isolation('inventory_reservations');
-- The release job sweeps every store's expired holds at once.
CREATE POLICY expired_release ON inventory_reservations
  USING (app_platform_context() AND expires_at < now())
  WITH CHECK (app_platform_context());

-- Carts: a guest's by the hash of an opaque cookie token, a customer's by account; quantities only, prices are
-- read from the catalog whenever the cart is shown or checked out.
CREATE TABLE carts (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  tenant_id uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
  token_hash bytea,
  customer_id uuid,
  status text NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'merged', 'converted')),
  created_at timestamptz NOT NULL DEFAULT now(),
  created_by text,
  updated_by text,
  updated_at timestamptz NOT NULL DEFAULT now(),
  CHECK (token_hash IS NOT NULL OR customer_id IS NOT NULL),
  FOREIGN KEY (customer_id) REFERENCES customer_accounts (id) ON DELETE CASCADE
);
CREATE UNIQUE INDEX carts_token_idx ON carts (tenant_id, token_hash) WHERE token_hash IS NOT NULL AND status = 'open';
CREATE UNIQUE INDEX carts_customer_idx ON carts (tenant_id, customer_id) WHERE customer_id IS NOT NULL AND status = 'open';
SELECT app_enable_tenant_isolation('carts');

CREATE TABLE cart_lines (
  tenant_id uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
  cart_id uuid NOT NULL REFERENCES carts (id) ON DELETE CASCADE,
  variant_id uuid NOT NULL,
  quantity integer NOT NULL CHECK (quantity BETWEEN 1 AND 99),
  added_at timestamptz NOT NULL DEFAULT now(),
  created_by text,
  updated_by text,
  updated_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (tenant_id, cart_id, variant_id),
  FOREIGN KEY (tenant_id, variant_id) REFERENCES variants (tenant_id, id) ON DELETE CASCADE
);
SELECT app_enable_tenant_isolation('cart_lines');

-- Per-store order numbers: one counter row per store, incremented in the order's own transaction, so numbers
-- have no gaps from failed checkouts (payment happens before the order row is written).
CREATE TABLE order_counters (
  tenant_id uuid PRIMARY KEY REFERENCES tenants (id) ON DELETE CASCADE,
  last_number integer NOT NULL DEFAULT 1000,
  created_by text,
  updated_by text,
  updated_at timestamptz NOT NULL DEFAULT now()
);
SELECT app_enable_tenant_isolation('order_counters');

CREATE TABLE orders (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  tenant_id uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
  number integer NOT NULL,
  checkout_id uuid NOT NULL,
  customer_id uuid REFERENCES customer_accounts (id) ON DELETE SET NULL,
  email text NOT NULL CHECK (length(email) BETWEEN 3 AND 254),
  status text NOT NULL CHECK (status IN ('pending', 'authorised', 'paid', 'partially_fulfilled', 'fulfilled', 'closed', 'cancelled', 'partially_refunded', 'refunded')),
  currency text NOT NULL CHECK (currency ~ '^[A-Z]{3}$'),
  prices_include_tax boolean NOT NULL,
  subtotal_minor bigint NOT NULL CHECK (subtotal_minor >= 0),
  discount_minor bigint NOT NULL DEFAULT 0 CHECK (discount_minor >= 0),
  shipping_minor bigint NOT NULL CHECK (shipping_minor >= 0),
  tax_minor bigint NOT NULL CHECK (tax_minor >= 0),
  total_minor bigint NOT NULL CHECK (total_minor >= 0),
  refunded_minor bigint NOT NULL DEFAULT 0 CHECK (refunded_minor >= 0 AND refunded_minor <= total_minor),
  shipping_address jsonb NOT NULL,
  shipping_method jsonb NOT NULL,
  placed_at timestamptz NOT NULL DEFAULT now(),
  created_by text,
  updated_by text,
  updated_at timestamptz NOT NULL DEFAULT now(),
  UNIQUE (tenant_id, number),
  UNIQUE (tenant_id, checkout_id),
  UNIQUE (tenant_id, id)
);
CREATE INDEX orders_customer_idx ON orders (tenant_id, customer_id, placed_at DESC);
CREATE INDEX orders_placed_idx ON orders (tenant_id, placed_at DESC, id DESC);
SELECT app_enable_tenant_isolation('orders');

CREATE TABLE order_lines (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  tenant_id uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
  order_id uuid NOT NULL,
  variant_id uuid,
  sku text NOT NULL,
  title text NOT NULL,
  quantity integer NOT NULL CHECK (quantity > 0),
  unit_price_minor bigint NOT NULL CHECK (unit_price_minor >= 0),
  discount_minor bigint NOT NULL DEFAULT 0 CHECK (discount_minor >= 0),
  tax_minor bigint NOT NULL CHECK (tax_minor >= 0),
  total_minor bigint NOT NULL CHECK (total_minor >= 0),
  fulfilled_quantity integer NOT NULL DEFAULT 0 CHECK (fulfilled_quantity BETWEEN 0 AND quantity),
  refunded_quantity integer NOT NULL DEFAULT 0 CHECK (refunded_quantity BETWEEN 0 AND quantity),
  position integer NOT NULL,
  created_by text,
  updated_by text,
  updated_at timestamptz NOT NULL DEFAULT now(),
  FOREIGN KEY (tenant_id, order_id) REFERENCES orders (tenant_id, id) ON DELETE CASCADE
);
CREATE INDEX order_lines_order_idx ON order_lines (tenant_id, order_id, position);
SELECT app_enable_tenant_isolation('order_lines');

-- Payments: one row per provider payment (a PaymentIntent for Stripe), found again by its reference when a
-- webhook reports on it.
CREATE TABLE payments (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  tenant_id uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
  order_id uuid,
  provider text NOT NULL,
  reference text NOT NULL,
  status text NOT NULL CHECK (status IN ('requires_action', 'authorised', 'captured', 'cancelled', 'failed')),
  amount_minor bigint NOT NULL CHECK (amount_minor >= 0),
  captured_minor bigint NOT NULL DEFAULT 0,
  refunded_minor bigint NOT NULL DEFAULT 0,
  currency text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  created_by text,
  updated_by text,
  updated_at timestamptz NOT NULL DEFAULT now(),
  UNIQUE (tenant_id, provider, reference),
  FOREIGN KEY (tenant_id, order_id) REFERENCES orders (tenant_id, id) ON DELETE CASCADE
);
CREATE INDEX payments_order_idx ON payments (tenant_id, order_id);
CREATE INDEX payments_orphan_idx ON payments (created_at) WHERE order_id IS NULL;
SELECT app_enable_tenant_isolation('payments');
-- The orphan sweep finds, across stores, payments no order ever took (their checkout died after paying).
CREATE POLICY orphan_sweep ON payments FOR SELECT
  USING (app_platform_context() AND order_id IS NULL AND created_at < now() - interval '30 minutes');

CREATE TABLE refunds (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  tenant_id uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
  order_id uuid NOT NULL,
  payment_id uuid NOT NULL REFERENCES payments (id) ON DELETE CASCADE,
  amount_minor bigint NOT NULL CHECK (amount_minor > 0),
  reason text NOT NULL,
  reference text,
  lines jsonb NOT NULL DEFAULT '[]',
  created_at timestamptz NOT NULL DEFAULT now(),
  created_by text,
  updated_by text,
  updated_at timestamptz NOT NULL DEFAULT now(),
  FOREIGN KEY (tenant_id, order_id) REFERENCES orders (tenant_id, id) ON DELETE CASCADE
);
CREATE UNIQUE INDEX refunds_reference_idx ON refunds (tenant_id, reference) WHERE reference IS NOT NULL;
SELECT app_enable_tenant_isolation('refunds');

-- Provider webhook events, stored before they are processed. Partitioned by month of the event's own creation
-- time (Stripe's `created`), so a redelivery of one event lands in the same partition and the primary key
-- makes it a no-op.
CREATE TABLE webhook_events (
  tenant_id uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
  provider text NOT NULL,
  event_id text NOT NULL CHECK (length(event_id) BETWEEN 1 AND 255),
  type text NOT NULL,
  created timestamptz NOT NULL,
  payload jsonb NOT NULL,
  received_at timestamptz NOT NULL DEFAULT now(),
  processed_at timestamptz,
  attempts integer NOT NULL DEFAULT 0,
  last_error text,
  created_by text,
  updated_by text,
  updated_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (tenant_id, provider, event_id, created)
) PARTITION BY RANGE (created);
CREATE INDEX webhook_events_unprocessed_idx ON webhook_events (tenant_id, received_at) WHERE processed_at IS NULL;
SELECT app_enable_tenant_isolation('webhook_events');

-- Partitions from `months_back` before this month to `months_ahead` after it (events may be redelivered for a
-- few days, so last month stays writable); drops those wholly older than `retention`.
CREATE FUNCTION app_maintain_webhook_event_partitions(months_back integer, months_ahead integer, retention interval)
  RETURNS TABLE (action text, partition_name text)
  LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
  first_day timestamp;
  child text;
BEGIN
  PERFORM pg_advisory_xact_lock(hashtext('webhook_events partitions'));
  FOR i IN -months_back..months_ahead LOOP
    first_day := date_trunc('month', now() AT TIME ZONE 'UTC') + make_interval(months => i);
    child := 'webhook_events_' || to_char(first_day, '"y"YYYY"m"MM');
    IF to_regclass(child) IS NULL THEN
      EXECUTE format('CREATE TABLE %I PARTITION OF webhook_events FOR VALUES FROM (%L) TO (%L)',
                     child, first_day AT TIME ZONE 'UTC', (first_day + interval '1 month') AT TIME ZONE 'UTC');
      EXECUTE format('ALTER TABLE %I ENABLE ROW LEVEL SECURITY, FORCE ROW LEVEL SECURITY', child);
      EXECUTE format('CREATE POLICY no_direct_access ON %I USING (false)', child);
      EXECUTE format('REVOKE ALL ON %I FROM storefront_app', child);
      action := 'created';
      partition_name := child;
      RETURN NEXT;
    END IF;
  END LOOP;
  FOR child IN
    SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
     WHERE i.inhparent = 'webhook_events'::regclass ORDER BY c.relname
  LOOP
    IF to_date(substr(child, 16), '"y"YYYY"m"MM') + interval '1 month' <= (now() - retention) AT TIME ZONE 'UTC' THEN
      EXECUTE format('DROP TABLE %I', child);
      action := 'dropped';
      partition_name := child;
      RETURN NEXT;
    END IF;
  END LOOP;
END $$;
REVOKE EXECUTE ON FUNCTION app_maintain_webhook_event_partitions(integer, integer, interval) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION app_maintain_webhook_event_partitions(integer, integer, interval) TO storefront_app;
SELECT app_maintain_webhook_event_partitions(1, 3, interval '400 days');

-- Checkout settings of a store: payment provider, capture at once or only authorise, tax-inclusive prices.
CREATE TABLE checkout_settings (
  tenant_id uuid PRIMARY KEY REFERENCES tenants (id) ON DELETE CASCADE,
  provider text NOT NULL DEFAULT 'test' CHECK (provider IN ('test', 'stripe')),
  capture text NOT NULL DEFAULT 'automatic' CHECK (capture IN ('automatic', 'manual')),
  prices_include_tax boolean NOT NULL DEFAULT false,
  created_by text,
  updated_by text,
  updated_at timestamptz NOT NULL DEFAULT now()
);
SELECT app_enable_tenant_isolation('checkout_settings');

-- Down Migration

DROP TABLE checkout_settings;
DROP FUNCTION app_maintain_webhook_event_partitions(integer, integer, interval);
DROP TABLE webhook_events;
DROP TABLE refunds;
DROP TABLE payments;
DROP TABLE order_lines;
DROP TABLE orders;
DROP TABLE order_counters;
DROP TABLE cart_lines;
DROP TABLE carts;
DROP TABLE inventory_reservations;
DROP TABLE saga_steps;
DROP TABLE saga_runs;
