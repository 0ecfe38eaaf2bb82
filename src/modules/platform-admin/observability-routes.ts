import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance } from 'fastify';
import { requireScopes } from '../../platform/http/auth.ts';
import type { Platform } from '../../platform/platform.ts';
import { identityOf } from '../identity/index.ts';
import {
  Drilldown,
  DrilldownQuery,
  ErrorGroupsWidget,
  HeatmapQuery,
  HeatmapWidget,
  ImpersonationWidget,
  LimitQuery,
  QueueDepthWidget,
  RecentTraces,
  RecentTracesQuery,
  RequestIdParams,
  RequestTrace,
} from './observability-schemas.ts';
import { StoreParams } from './schemas.ts';
import { requireSecondFactor } from './second-factor.ts';
import { recentTraceList, requestTrace } from './traces.ts';
import { errorGroupsWidget, errorHeatmapWidget, impersonationWidget, queueDepthWidget, storeDrilldown } from './widgets.ts';

/**
 * The console's observability API: correlation-ID search over the trace store, the widgets' data and a store's
 * drill-down. Platform super-users only, with a second factor; every answer is read-only.
 */
export async function observabilityRoutes(app: FastifyInstance, platform: Platform, prefix: string): Promise<void> {
  const api = app.withTypeProvider<TypeBoxTypeProvider>();
  const tags = ['platform-admin'];
  const access = [requireScopes('platform:observability:read'), requireSecondFactor];
  const links = platform.config.observabilityLinks;
  const identity = identityOf(platform);

  api.get(
    `${prefix}/requests/:requestId`,
    { preHandler: access, schema: { tags, params: RequestIdParams, response: { 200: RequestTrace } } },
    async (request) => requestTrace(platform.db, links, request.params.requestId),
  );

  api.get(`${prefix}/requests`, { preHandler: access, schema: { tags, querystring: RecentTracesQuery, response: { 200: RecentTraces } } }, async (request) =>
    recentTraceList(platform.db, {
      tenantId: request.query.tenant_id,
      status: request.query.status,
      minDurationMs: request.query.min_duration_ms,
      limit: request.query.limit,
    }),
  );

  api.get(`${prefix}/widgets/error-heatmap`, { preHandler: access, schema: { tags, querystring: HeatmapQuery, response: { 200: HeatmapWidget } } }, async (request) =>
    errorHeatmapWidget(platform.db, { minutes: request.query.minutes, bucketMinutes: request.query.bucket_minutes, tenants: request.query.tenants }),
  );

  api.get(`${prefix}/widgets/queue-depth`, { preHandler: access, schema: { tags, response: { 200: QueueDepthWidget } } }, async () => queueDepthWidget(platform.db));

  api.get(`${prefix}/widgets/error-groups`, { preHandler: access, schema: { tags, querystring: LimitQuery, response: { 200: ErrorGroupsWidget } } }, async (request) =>
    errorGroupsWidget(platform.db, request.query.limit),
  );

  api.get(
    `${prefix}/widgets/impersonation-audit`,
    { preHandler: [requireScopes('platform:audit:read'), requireSecondFactor], schema: { tags, querystring: LimitQuery, response: { 200: ImpersonationWidget } } },
    async (request) => impersonationWidget(identity, request.query.limit),
  );

  api.get(
    `${prefix}/stores/:id/drilldown`,
    { preHandler: access, schema: { tags, params: StoreParams, querystring: DrilldownQuery, response: { 200: Drilldown } } },
    async (request) => storeDrilldown(platform.db, links, request.params.id, request.query.minutes),
  );
}
