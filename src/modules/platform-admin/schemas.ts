import { Type } from 'typebox';
import { REASON_CODES } from '../identity/index.ts';

const Uuid = Type.String({ format: 'uuid' });
const Limit = Type.Integer({ minimum: 1, maximum: 200, default: 50 });
const Cursor = Type.String({ maxLength: 300 });

export const StoreListQuery = Type.Object(
  {
    // Three characters at least, so that the trigram indexes serve every search.
    q: Type.Optional(Type.String({ minLength: 3, maxLength: 100 })),
    status: Type.Optional(Type.Union([Type.Literal('active'), Type.Literal('suspended')])),
    plan: Type.Optional(Type.Union(['free', 'starter', 'growth', 'enterprise'].map((plan) => Type.Literal(plan)))),
    limit: Limit,
    cursor: Type.Optional(Cursor),
  },
  { additionalProperties: false },
);

const Store = Type.Object({
  id: Type.String(),
  subdomain: Type.String(),
  name: Type.String(),
  status: Type.String(),
  plan: Type.String(),
  created_at: Type.String(),
});

const ListedStore = Type.Object({
  ...Store.properties,
  /** Requests in the last hour (the trace store's weighted estimate); null when the deployment keeps no traces. */
  requests_last_hour: Type.Union([Type.Integer(), Type.Null()]),
});

export const StorePage = Type.Object({ items: Type.Array(ListedStore), next_cursor: Type.Union([Type.String(), Type.Null()]) });

export const StoreParams = Type.Object({ id: Uuid });

const AuditEntry = Type.Object({
  id: Type.String(),
  impersonation_id: Type.String(),
  store_id: Type.String(),
  event: Type.String(),
  actor_id: Type.String(),
  target_user_id: Type.String(),
  reason_code: Type.String(),
  ticket: Type.Union([Type.String(), Type.Null()]),
  method: Type.Union([Type.String(), Type.Null()]),
  path: Type.Union([Type.String(), Type.Null()]),
  request_id: Type.Union([Type.String(), Type.Null()]),
  occurred_at: Type.String(),
});

export const PlatformCommand = Type.Object({
  id: Type.String(),
  store_id: Type.Union([Type.String(), Type.Null()]),
  command: Type.String(),
  actor: Type.String(),
  reason: Type.String(),
  ticket: Type.Union([Type.String(), Type.Null()]),
  at: Type.String(),
});

const Nullable = <T extends Parameters<typeof Type.Union>[0][number]>(schema: T) => Type.Union([schema, Type.Null()]);
const FlagValue = Type.Union([Type.Boolean(), Type.Number(), Type.String()]);

const Domain = Type.Object({
  hostname: Type.String(),
  status: Type.Union([Type.Literal('pending'), Type.Literal('active')]),
  verification: Type.Object({ type: Type.Literal('TXT'), name: Type.String(), value: Type.String() }),
  verified_at: Nullable(Type.String()),
  last_checked_at: Nullable(Type.String()),
  last_error: Nullable(Type.String()),
});

const Flag = Type.Object({
  key: Type.String(),
  /** What the store gets now: its unexpired override, else its plan's value, else the default. */
  value: FlagValue,
  override: Nullable(Type.Object({ value: Type.Unknown(), reason: Type.String(), expires_at: Nullable(Type.String()), expired: Type.Boolean() })),
});

const DeadJobSummary = Type.Object({
  id: Type.String(),
  task: Type.String(),
  reason: Type.String(),
  attempts: Type.Integer(),
  last_error: Type.String(),
  correlation_id: Type.String(),
  failed_at: Type.String(),
});

export const StoreDetail = Type.Object({
  ...Store.properties,
  accounts: Type.Object({ staff: Type.Integer(), customers: Type.Integer(), api_clients: Type.Integer() }),
  domains: Type.Array(Domain),
  flags: Type.Array(Flag),
  /** Whether the workers skip this store's jobs, and why (a suspended store's jobs stop with it). */
  jobs: Type.Object({
    paused: Type.Boolean(),
    paused_because: Nullable(Type.Union([Type.Literal('suspended'), Type.Literal('paused')])),
    pause_reason: Nullable(Type.String()),
    recent_dead: Type.Array(DeadJobSummary),
  }),
  recent_impersonations: Type.Array(AuditEntry),
  platform_commands: Type.Array(PlatformCommand),
});

export const StaffPage = Type.Object({
  items: Type.Array(Type.Object({ id: Type.String(), email: Type.String(), display_name: Type.String(), role: Type.String(), status: Type.String() })),
});

export const CommandQuery = Type.Object(
  {
    store_id: Type.Optional(Uuid),
    command: Type.Optional(Type.String({ pattern: '^[a-z][a-z0-9_.]{1,63}$' })),
    limit: Limit,
    cursor: Type.Optional(Cursor),
  },
  { additionalProperties: false },
);

export const CommandPage = Type.Object({ items: Type.Array(PlatformCommand), next_cursor: Nullable(Type.String()) });

/** Suspend or resume: why (for the auditor) and the ticket, recorded as a platform command. */
export const CommandBody = Type.Object(
  { reason: Type.String({ minLength: 1, maxLength: 2000 }), ticket: Type.Optional(Type.String({ minLength: 1, maxLength: 100 })) },
  { additionalProperties: false },
);

export const FlagParams = Type.Object({ id: Uuid, key: Type.String({ pattern: '^[a-z][a-z0-9_.-]{1,99}$' }) });

export const FlagOverrideBody = Type.Object(
  {
    value: Type.Union([Type.Boolean(), Type.Number(), Type.String({ maxLength: 1000 })]),
    reason: Type.String({ minLength: 1, maxLength: 1000 }),
    expires_at: Type.Optional(Type.String({ format: 'date-time' })),
  },
  { additionalProperties: false },
);

export const ImpersonationStart = Type.Object(
  {
    store_id: Uuid,
    user_id: Uuid,
    reason_code: Type.Union(REASON_CODES.map((code) => Type.Literal(code))),
    ticket: Type.Optional(Type.String({ minLength: 1, maxLength: 100 })),
  },
  { additionalProperties: false },
);

export const ImpersonationGrant = Type.Object({
  impersonation_id: Type.String(),
  access_token: Type.String(),
  token_type: Type.Literal('Bearer'),
  expires_in: Type.Integer(),
  scope: Type.String(),
});

export const AuditQuery = Type.Object(
  {
    store_id: Type.Optional(Uuid),
    actor_id: Type.Optional(Uuid),
    impersonation_id: Type.Optional(Uuid),
    limit: Limit,
    cursor: Type.Optional(Cursor),
  },
  { additionalProperties: false },
);

export const AuditPage = Type.Object({ items: Type.Array(AuditEntry), next_cursor: Type.Union([Type.String(), Type.Null()]) });

/** Onboard a store: the subdomain it claims, its plan, and why (recorded as the `tenant.create` platform command). */
/** Who gets the store: invited by e-mail to choose a password. */
export const StoreOwner = Type.Object(
  { email: Type.String({ format: 'email', maxLength: 254 }), name: Type.String({ minLength: 1, maxLength: 200 }) },
  { additionalProperties: false },
);

export const OnboardBody = Type.Object(
  {
    subdomain: Type.String({ minLength: 1, maxLength: 63 }),
    name: Type.String({ minLength: 1, maxLength: 200 }),
    plan: Type.Optional(Type.Union(['free', 'starter', 'growth', 'enterprise'].map((plan) => Type.Literal(plan)))),
    reason: Type.String({ minLength: 1, maxLength: 2000 }),
    ticket: Type.Optional(Type.String({ minLength: 1, maxLength: 100 })),
    owner: StoreOwner,
  },
  { additionalProperties: false },
);

const InvitedOwner = Type.Object({ id: Type.String({ format: 'uuid' }), email: Type.String(), invitation_expires_at: Type.String({ format: 'date-time' }) });

export const OnboardedStore = Type.Object({ store: Store, command: PlatformCommand, owner: InvitedOwner });

export const OwnerReinvited = Type.Object({ command: PlatformCommand, owner: InvitedOwner });

export const PlanBody = Type.Object(
  {
    plan: Type.Union(['free', 'starter', 'growth', 'enterprise'].map((plan) => Type.Literal(plan))),
    reason: Type.String({ minLength: 1, maxLength: 2000 }),
    ticket: Type.Optional(Type.String({ minLength: 1, maxLength: 100 })),
  },
  { additionalProperties: false },
);
