import type { FastifyReply } from 'fastify';
import { HttpProblem } from '../../platform/http/problem.ts';
import { type ResolvedTenant, type TenancyService, setRateLimitHeaders } from '../tenancy/index.ts';

declare module '../tenancy/index.ts' {
  interface FeatureFlagValues {
    'rate_limit.client_burst': number;
    'rate_limit.client_per_second': number;
  }
}

/**
 * One request against an API client's own budget (key `client:<tenant>:<client_id>`), on top of the store's
 * budget the gateway already took. Sizes come from the feature flags `rate_limit.client_*` (per plan, overridable).
 */
export async function takeClientBudget(tenancy: TenancyService, tenant: ResolvedTenant, clientId: string, reply: FastifyReply): Promise<void> {
  const { flags, rateLimiter } = tenancy;
  const capacity = flags.peek(tenant, 'rate_limit.client_burst') ?? (await flags.evaluate(tenant, 'rate_limit.client_burst'));
  const refillPerSecond = flags.peek(tenant, 'rate_limit.client_per_second') ?? (await flags.evaluate(tenant, 'rate_limit.client_per_second'));
  const decision = await rateLimiter.take(`client:${tenant.id}:${clientId}`, { capacity, refillPerSecond });
  setRateLimitHeaders(reply, decision);
  if (!decision.allowed) {
    throw new HttpProblem(429, 'Too Many Requests', `API client ${clientId} is over its request budget; retry later.`, {
      headers: { 'retry-after': String(decision.retryAfterSeconds) },
    });
  }
}
