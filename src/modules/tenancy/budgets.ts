import type { Principal } from '../../platform/http/auth.ts';
import type { RateLimit } from './rate-limiter.ts';

/**
 * How a store's request budget (its plan's bucket, rate_limit.* flags) applies. Shoppers (anonymous and signed-in
 * customers), signed-in staff and API clients each have their own bucket of the plan's size, so a flood of one
 * kind cannot starve another: the owner's admin session and the store's integrations keep working while the shop
 * front is busy. Within a class, one requester (a client address, a staff member) gets at most half, so a single
 * laptop cannot 429 a whole store: it is refused alone. API clients are additionally held to their own budget
 * (rate_limit.client_*).
 */
export type TrafficClass = 'shoppers' | 'staff' | 'clients';

const CLASS_SHARE: Record<TrafficClass, number> = { shoppers: 1, staff: 1, clients: 1 };
const REQUESTER_SHARE: Record<TrafficClass, number> = { shoppers: 0.5, staff: 0.5, clients: 1 };

export function classOf(principal: Principal | null): TrafficClass {
  if (principal?.kind === 'client') return 'clients';
  if (principal?.kind === 'staff') return 'staff';
  return 'shoppers';
}

const share = (budget: RateLimit, part: number): RateLimit => ({ capacity: budget.capacity * part, refillPerSecond: budget.refillPerSecond * part });

/** The two buckets a request takes from: its requester's (checked first) and its class's within the store. */
export function budgetsFor(tenantId: string, store: RateLimit, principal: Principal | null, ip: string): { key: string; limit: RateLimit; scope: 'requester' | 'class' }[] {
  const traffic = classOf(principal);
  const classBudget = share(store, CLASS_SHARE[traffic]);
  const classBucket = { key: `tenant:${tenantId}:${traffic}`, limit: classBudget, scope: 'class' as const };
  // An API client's own bucket is its client budget, taken by the identity module.
  if (traffic === 'clients') return [classBucket];
  const requester = traffic === 'staff' ? `staff:${principal!.subject}` : `ip:${ip}`;
  return [{ key: `tenant:${tenantId}:${requester}`, limit: share(classBudget, REQUESTER_SHARE[traffic]), scope: 'requester' }, classBucket];
}
