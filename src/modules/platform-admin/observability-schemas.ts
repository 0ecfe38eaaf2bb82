import { Type } from 'typebox';

const Nullable = <T extends ReturnType<typeof Type.String>>(schema: T) => Type.Union([schema, Type.Null()]);
const Attributes = Type.Record(Type.String(), Type.Unknown());
const Uuid = Type.String({ format: 'uuid' });

/** Every widget answer says when its data was read and how often the console should ask again. */
const Freshness = { data_as_of: Type.String(), refresh_seconds: Type.Integer() };

export const RequestIdParams = Type.Object({ requestId: Type.String({ pattern: '^[A-Za-z0-9._:-]{1,128}$' }) });

const Span = Type.Object({
  span_id: Type.String(),
  parent_span_id: Nullable(Type.String()),
  trace_id: Type.String(),
  name: Type.String(),
  kind: Type.String(),
  service: Type.String(),
  start_ms_offset: Type.Number(),
  duration_ms: Type.Number(),
  status: Type.String(),
  attributes: Attributes,
});

const Job = Type.Object({
  job_id: Nullable(Type.String()),
  task: Nullable(Type.String()),
  trace_id: Type.String(),
  started_at: Type.String(),
  duration_ms: Type.Number(),
  status: Type.String(),
  spans: Type.Array(Span),
});

const ErrorGroup = Type.Object({
  fingerprint: Type.String(),
  error_type: Type.String(),
  message: Type.String(),
  top_frames: Type.Array(Type.String()),
  endpoint: Type.String(),
  first_seen: Type.String(),
  last_seen: Type.String(),
  count: Type.Integer(),
  sample_request_id: Type.String(),
});

const Links = Type.Object({
  prometheus: Type.String(),
  grafana: Type.Optional(Type.String()),
  jaeger: Type.Optional(Type.String()),
  loki: Type.Optional(Type.String()),
});

export const RequestTrace = Type.Object({
  request_id: Type.String(),
  trace_id: Type.String(),
  tenant_id: Nullable(Type.String()),
  name: Type.String(),
  started_at: Type.String(),
  duration_ms: Type.Number(),
  status: Type.String(),
  http_status: Type.Union([Type.Integer(), Type.Null()]),
  kept: Type.String(),
  spans: Type.Array(Span),
  logs: Type.Array(Type.Object({ time: Type.String(), level: Type.String(), msg: Type.String(), span_id: Nullable(Type.String()), fields: Attributes })),
  sql: Type.Array(Type.Object({ text: Type.String(), duration_ms: Type.Number(), span_id: Type.String() })),
  jobs: Type.Array(Job),
  error_group: Type.Union([ErrorGroup, Type.Null()]),
  links: Links,
});

export const RecentTracesQuery = Type.Object(
  {
    tenant_id: Type.Optional(Uuid),
    status: Type.Optional(Type.Literal('error')),
    min_duration_ms: Type.Optional(Type.Integer({ minimum: 0, maximum: 3_600_000 })),
    limit: Type.Integer({ minimum: 1, maximum: 200, default: 50 }),
  },
  { additionalProperties: false },
);

const TraceSummary = Type.Object({
  request_id: Type.String(),
  trace_id: Type.String(),
  tenant_id: Nullable(Type.String()),
  name: Type.String(),
  started_at: Type.String(),
  duration_ms: Type.Number(),
  status: Type.String(),
  http_status: Type.Union([Type.Integer(), Type.Null()]),
  kept: Type.String(),
});

export const RecentTraces = Type.Object({ ...Freshness, items: Type.Array(TraceSummary) });

const Alert = Type.Object({
  name: Type.String(),
  severity: Type.String(),
  state: Type.String(),
  summary: Type.String(),
  description: Type.String(),
  labels: Type.Record(Type.String(), Type.String()),
  value: Type.Union([Type.Number(), Type.Null()]),
  starts_at: Nullable(Type.String()),
  runbook_url: Nullable(Type.String()),
});

export const AlertsWidget = Type.Object({ ...Freshness, source: Type.Union([Type.Literal('alertmanager'), Type.Literal('in-process')]), alerts: Type.Array(Alert) });

export const HeatmapQuery = Type.Object(
  {
    minutes: Type.Integer({ minimum: 5, maximum: 1440, default: 60 }),
    bucket_minutes: Type.Integer({ minimum: 1, maximum: 60, default: 5 }),
    tenants: Type.Integer({ minimum: 1, maximum: 50, default: 20 }),
  },
  { additionalProperties: false },
);

export const HeatmapWidget = Type.Object({
  ...Freshness,
  buckets: Type.Array(Type.String()),
  tenants: Type.Array(
    Type.Object({
      tenant_id: Type.String(),
      subdomain: Nullable(Type.String()),
      cells: Type.Array(Type.Object({ bucket: Type.String(), requests: Type.Number(), errors: Type.Number(), error_rate: Type.Union([Type.Number(), Type.Null()]) })),
    }),
  ),
});

const Priorities = Type.Record(Type.String(), Type.Integer());

export const QueueDepthWidget = Type.Object({ ...Freshness, queued: Priorities, due: Priorities, oldest_due_age_seconds: Type.Number() });

export const ErrorGroupsWidget = Type.Object({ ...Freshness, items: Type.Array(ErrorGroup) });

export const LimitQuery = Type.Object({ limit: Type.Integer({ minimum: 1, maximum: 100, default: 20 }) }, { additionalProperties: false });

export const ImpersonationWidget = Type.Object({
  ...Freshness,
  items: Type.Array(
    Type.Object({
      impersonation_id: Type.String(),
      store_id: Type.String(),
      actor_id: Type.String(),
      target_user_id: Type.String(),
      reason_code: Type.String(),
      ticket: Nullable(Type.String()),
      event: Type.String(),
      occurred_at: Type.String(),
    }),
  ),
});

export const DrilldownQuery = Type.Object({ minutes: Type.Integer({ minimum: 5, maximum: 1440, default: 60 }) }, { additionalProperties: false });

export const Drilldown = Type.Object({
  ...Freshness,
  store_id: Type.String(),
  subdomain: Type.String(),
  window_minutes: Type.Integer(),
  requests: Type.Number(),
  errors: Type.Number(),
  error_rate: Type.Union([Type.Number(), Type.Null()]),
  latency_ms: Type.Object({ p50: Type.Union([Type.Number(), Type.Null()]), p95: Type.Union([Type.Number(), Type.Null()]) }),
  queue_depth: Type.Object({ queued: Priorities, due: Priorities }),
  recent_traces: Type.Array(TraceSummary),
  links: Links,
});
