import type { Db } from '../../platform/db/database.ts';
import { staffUsers } from '../identity/index.ts';
import type { Approval } from './payout-runs.ts';

/**
 * Each decision on a run with who made it, by name (else e-mail) for the staff screens; null when no staff member
 * of the store made it (an API client, platform support). Reads the store's staff in its own transaction, after the run's.
 */
export async function withDeciderNames(db: Db, tenantId: string, approvals: readonly Approval[]): Promise<(Approval & { decided_by_name: string | null })[]> {
  if (approvals.length === 0) return [];
  const names = new Map((await staffUsers(db, tenantId)).map((user) => [user.id, user.display_name || user.email]));
  return approvals.map((approval) => ({ ...approval, decided_by_name: names.get(approval.decided_by) ?? null }));
}
