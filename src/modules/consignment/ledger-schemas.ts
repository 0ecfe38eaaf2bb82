import { Type } from 'typebox';
import { DISCREPANCY_KINDS, ENTRY_KINDS, NOTIFICATION_KINDS, PAYOUT_STATUSES, RUN_STATUSES } from './ledger-schema.ts';

const strict = { additionalProperties: false } as const;
const Uuid = Type.String({ format: 'uuid' });
const Nullable = <T extends Parameters<typeof Type.Union>[0][number]>(schema: T) => Type.Union([schema, Type.Null()]);
const Ticket = Type.String({ minLength: 1, maxLength: 100, pattern: '^[A-Za-z0-9][A-Za-z0-9._/#-]*$' });
const Limit = Type.Optional(Type.Integer({ minimum: 1, maximum: 200 }));
const Cursor = Type.Optional(Type.String({ maxLength: 200 }));

export const IdParams = Type.Object({ id: Uuid }, strict);

export const EntryView = Type.Object({
  id: Type.String(),
  consignor_id: Uuid,
  kind: Type.Enum(ENTRY_KINDS),
  amount_minor: Type.Integer(),
  currency: Type.String(),
  posting_key: Type.String(),
  available_at: Type.String(),
  order_id: Nullable(Type.String()),
  order_line_id: Nullable(Type.String()),
  payout_id: Nullable(Type.String()),
  rule: Nullable(Type.String()),
  description: Nullable(Type.String()),
  reason: Nullable(Type.String()),
  ticket: Nullable(Type.String()),
  occurred_at: Type.String(),
});

export const LedgerQuery = Type.Object({ consignor_id: Type.Optional(Uuid), order_id: Type.Optional(Uuid), cursor: Cursor, limit: Limit }, strict);

export const BalanceView = Type.Object({
  consignor_id: Uuid,
  currency: Type.String(),
  balance_minor: Type.Integer(),
  payable_minor: Type.Integer(),
  pending_minor: Type.Integer(),
});

export const BalancesQuery = Type.Object({ payable_only: Type.Optional(Type.Boolean()), cursor: Cursor, limit: Limit }, strict);

export const AdjustmentBody = Type.Object(
  {
    consignor_id: Uuid,
    amount_minor: Type.Integer({ minimum: -100_000_000, maximum: 100_000_000 }),
    reason: Type.String({ minLength: 3, maxLength: 500 }),
    ticket: Ticket,
  },
  strict,
);

export const SettingsView = Type.Object(
  {
    return_window_days: Type.Integer({ minimum: 0, maximum: 365 }),
    minimum_payout_minor: Type.Integer({ minimum: 1, maximum: 100_000_000 }),
    currency: Type.String({ pattern: '^[A-Z]{3}$' }),
  },
  strict,
);

export const RunView = Type.Object({
  id: Uuid,
  status: Type.Enum(RUN_STATUSES),
  origin: Type.Union([Type.Literal('schedule'), Type.Literal('on_demand')]),
  currency: Type.String(),
  total_minor: Type.Integer(),
  payouts: Type.Integer(),
  created_by: Nullable(Type.String()),
  created_at: Type.String(),
  approved_at: Nullable(Type.String()),
  closed_at: Nullable(Type.String()),
});

export const PayoutView = Type.Object({
  id: Uuid,
  run_id: Uuid,
  consignor_id: Uuid,
  method: Type.String(),
  amount_minor: Type.Integer(),
  bonus_minor: Type.Integer(),
  currency: Type.String(),
  status: Type.Enum(PAYOUT_STATUSES),
  attempt: Type.Integer(),
  provider: Nullable(Type.String()),
  provider_reference: Nullable(Type.String()),
  handover_reference: Nullable(Type.String()),
  failure: Nullable(Type.String()),
  sent_at: Nullable(Type.String()),
  paid_at: Nullable(Type.String()),
});

export const ApprovalView = Type.Object({
  decision: Type.Union([Type.Literal('approved'), Type.Literal('rejected')]),
  ticket: Type.String(),
  note: Nullable(Type.String()),
  decided_by: Type.String(),
  decided_at: Type.String(),
});

/** For the staff screens: who each row is about, by name. */
const consignorName = { consignor_name: Type.String() };
/** Who decided, by name (else e-mail); null when no staff member of the store did (an API client, platform support). */
const deciderName = { decided_by_name: Nullable(Type.String()) };
export const RunDetailView = Type.Object({
  run: RunView,
  payouts: Type.Array(Type.Object({ ...PayoutView.properties, ...consignorName })),
  approvals: Type.Array(Type.Object({ ...ApprovalView.properties, ...deciderName })),
});

export const RunsQuery = Type.Object({ cursor: Cursor, limit: Limit }, strict);

export const CreateRunBody = Type.Object({}, strict);

export const DecisionBody = Type.Object(
  { decision: Type.Union([Type.Literal('approved'), Type.Literal('rejected')]), ticket: Ticket, note: Type.Optional(Type.String({ maxLength: 500 })) },
  strict,
);

export const HandoverBody = Type.Object({ reference: Type.String({ minLength: 1, maxLength: 100 }) }, strict);

export const CancelPayoutBody = Type.Object({ reason: Type.String({ minLength: 3, maxLength: 500 }), ticket: Ticket }, strict);

export const OnboardingBody = Type.Object({ return_url: Type.String({ format: 'uri', maxLength: 500, pattern: '^https?://' }), refresh_url: Type.String({ format: 'uri', maxLength: 500, pattern: '^https?://' }) }, strict);

export const OnboardingView = Type.Object({ account_id: Type.String(), url: Type.String(), expires_at: Type.String() });

export const StatementView = Type.Object({
  id: Uuid,
  consignor_id: Uuid,
  period: Type.String(),
  currency: Type.String(),
  opening_minor: Type.Integer(),
  closing_minor: Type.Integer(),
  entries: Type.Integer(),
  created_at: Type.String(),
});

export const NamedStatementView = Type.Object({ ...StatementView.properties, consignor_name: Type.String() });

export const StatementsQuery = Type.Object({ consignor_id: Type.Optional(Uuid), limit: Limit }, strict);

export const StatementFormatParams = Type.Object({ id: Uuid, format: Type.Union([Type.Literal('html'), Type.Literal('csv')]) }, strict);

export const GenerateStatementsBody = Type.Object({ period: Type.String({ pattern: '^\\d{4}-(0[1-9]|1[0-2])-01$' }) }, strict);

export const ReconciliationView = Type.Object({
  id: Uuid,
  provider: Type.String(),
  day: Type.String(),
  payouts_checked: Type.Integer(),
  transfers_checked: Type.Integer(),
  discrepancies: Type.Integer(),
  created_at: Type.String(),
});

export const DiscrepancyView = Type.Object({
  kind: Type.Enum(DISCREPANCY_KINDS),
  payout_id: Nullable(Type.String()),
  provider_reference: Nullable(Type.String()),
  ledger_minor: Nullable(Type.Integer()),
  provider_minor: Nullable(Type.Integer()),
});

export const ReconcileBody = Type.Object({ day: Type.String({ format: 'date' }) }, strict);

export const NotificationView = Type.Object({
  id: Uuid,
  kind: Type.Enum(NOTIFICATION_KINDS),
  subject: Type.String(),
  body: Type.String(),
  created_at: Type.String(),
  sent_at: Nullable(Type.String()),
});
