import type { Db } from '../../platform/db/database.ts';
import { HttpProblem } from '../../platform/http/problem.ts';
import type { PlatformCommand } from './repository.ts';

export interface SuspensionCommand {
  tenantId: string;
  /** Why, in words an auditor understands. */
  reason: string;
  /** Who: the platform admin's user id (or `system:<job>`). */
  actor: string;
  /** The support or incident ticket, when there is one. */
  ticket?: string;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

function validate(command: SuspensionCommand): void {
  const errors: { field: string; message: string }[] = [];
  if (!UUID.test(command.tenantId)) errors.push({ field: 'tenantId', message: 'must be a tenant id (uuid)' });
  if (command.reason.trim().length === 0 || command.reason.length > 2000) errors.push({ field: 'reason', message: 'must be 1-2000 characters' });
  if (command.actor.trim().length === 0 || command.actor.length > 200) errors.push({ field: 'actor', message: 'must be 1-200 characters' });
  if (command.ticket !== undefined && (command.ticket.length === 0 || command.ticket.length > 100)) {
    errors.push({ field: 'ticket', message: 'must be 1-100 characters' });
  }
  if (errors.length > 0) throw new HttpProblem(400, 'Validation failed', 'The command has invalid fields.', { extensions: { errors } });
}

/**
 * Flips a store's status and records the platform command, in one transaction. The change notice that the
 * status update triggers makes every replica drop the store from its cache and publish TenantSuspended or
 * TenantResumed.
 */
async function changeStatus(db: Db, command: SuspensionCommand, to: 'active' | 'suspended'): Promise<PlatformCommand> {
  validate(command);
  const from = to === 'suspended' ? 'active' : 'suspended';
  return db.withPlatform(async (trx) => {
    const tenant = await trx.selectFrom('tenants').select(['id', 'status']).where('id', '=', command.tenantId).forUpdate().executeTakeFirst();
    if (!tenant) throw new HttpProblem(404, 'Store not found', `No store has the id ${command.tenantId}.`);
    if (tenant.status !== from) throw new HttpProblem(409, 'Conflict', `The store is already ${tenant.status}.`);
    await trx.updateTable('tenants').set({ status: to }).where('id', '=', command.tenantId).execute();
    return trx
      .insertInto('platform_commands')
      .values({
        tenant_id: command.tenantId,
        command: to === 'suspended' ? 'tenant.suspend' : 'tenant.resume',
        actor: command.actor.trim(),
        reason: command.reason.trim(),
        ticket: command.ticket ?? null,
      })
      .returningAll()
      .executeTakeFirstOrThrow();
  });
}

export function suspend(db: Db, command: SuspensionCommand): Promise<PlatformCommand> {
  return changeStatus(db, command, 'suspended');
}

export function resume(db: Db, command: SuspensionCommand): Promise<PlatformCommand> {
  return changeStatus(db, command, 'active');
}

/** A store's platform commands, newest first (platform console, audits). */
export function platformCommands(db: Db, tenantId: string): Promise<PlatformCommand[]> {
  return db.withPlatform((trx) => trx.selectFrom('platform_commands').selectAll().where('tenant_id', '=', tenantId).orderBy('at', 'desc').execute());
}
