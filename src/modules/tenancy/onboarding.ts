import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import type { Db, Tx } from '../../platform/db/database.ts';
import { isUniqueViolation } from '../../platform/db/errors.ts';
import { HttpProblem } from '../../platform/http/problem.ts';
import { type PlatformCommand, type Tenant, type TenantPlan, insertStoreSettings, insertTenant } from './repository.ts';
import { subdomainRefusal } from './subdomain-claim.ts';

export interface OnboardingCommand {
  subdomain: string;
  name: string;
  plan?: TenantPlan;
  actor: string;
  reason: string;
  ticket?: string;
}

/** Why a subdomain is refused, as said beside the field (the console, the sign-up page). */
export const SUBDOMAIN_REFUSALS = {
  invalid: 'must be 1-63 lower-case letters, digits or single hyphens, not starting or ending with a hyphen',
  reserved: 'is reserved by the platform',
  confusable: 'reads like a name reserved by the platform',
} as const;

/**
 * Creates a store, its settings and the `tenant.create` platform command in one transaction: a refused or
 * failed claim leaves nothing behind. `andThen` writes what other modules add to a new store (its owner) in the
 * same transaction, speaking as the new store.
 */
export async function onboardStore(
  db: Db,
  command: OnboardingCommand,
  andThen?: (trx: Tx, tenant: Tenant) => Promise<void>,
): Promise<{ tenant: Tenant; command: PlatformCommand }> {
  const refusal = subdomainRefusal(command.subdomain);
  if (refusal) {
    throw new HttpProblem(400, 'Validation failed', `The subdomain ${SUBDOMAIN_REFUSALS[refusal]}.`, {
      extensions: { errors: [{ field: 'subdomain', message: SUBDOMAIN_REFUSALS[refusal], code: `subdomain_${refusal}` }] },
    });
  }
  const id = randomUUID();
  const claimed = () => new HttpProblem(409, 'Conflict', `The subdomain ${command.subdomain} is already claimed.`);
  // Two claims of one name at once both pass the lookup; the unique subdomain lets one of them commit.
  return db.withPlatform(async (trx) => {
    // The settings row is tenant-scoped: the same transaction also speaks as the new store.
    await sql`select set_config('app.tenant_id', ${id}, true)`.execute(trx);
    const taken = await trx.selectFrom('tenants').select('id').where('subdomain', '=', command.subdomain).executeTakeFirst();
    if (taken) throw claimed();
    const tenant = await insertTenant(trx, { id, subdomain: command.subdomain, name: command.name, ...(command.plan ? { plan: command.plan } : {}) });
    await insertStoreSettings(trx, { tenant_id: id });
    const recorded = await trx
      .insertInto('platform_commands')
      .values({ tenant_id: id, command: 'tenant.create', actor: command.actor, reason: command.reason, ticket: command.ticket ?? null })
      .returningAll()
      .executeTakeFirstOrThrow();
    await andThen?.(trx, tenant);
    return { tenant, command: recorded };
  }).catch((error: unknown) => {
    throw isUniqueViolation(error) ? claimed() : error;
  });
}

export interface PlanChange {
  tenantId: string;
  plan: TenantPlan;
  actor: string;
  reason: string;
  ticket?: string;
}

/** Moves a store to another plan and records `tenant.plan` (with the plan it left) in one transaction. */
export async function changePlan(db: Db, change: PlanChange): Promise<PlatformCommand> {
  return db.withPlatform(async (trx) => {
    const tenant = await trx.selectFrom('tenants').select('plan').where('id', '=', change.tenantId).forUpdate().executeTakeFirst();
    if (!tenant) throw new HttpProblem(404, 'Store not found', `No store has the id ${change.tenantId}.`);
    if (tenant.plan === change.plan) throw new HttpProblem(409, 'Conflict', `The store is already on the ${change.plan} plan.`);
    await trx.updateTable('tenants').set({ plan: change.plan }).where('id', '=', change.tenantId).execute();
    return trx
      .insertInto('platform_commands')
      .values({
        tenant_id: change.tenantId,
        command: 'tenant.plan',
        actor: change.actor,
        reason: `${tenant.plan} → ${change.plan}: ${change.reason}`,
        ticket: change.ticket ?? null,
      })
      .returningAll()
      .executeTakeFirstOrThrow();
  });
}
