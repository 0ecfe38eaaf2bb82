import type { FastifyRequest } from 'fastify';
import type { Db } from '../../platform/db/database.ts';
import { HttpProblem } from '../../platform/http/problem.ts';
import { tenantRequestCounts } from '../../platform/observability/trace-store/search.ts';
import type { Platform } from '../../platform/platform.ts';
import { type AuditPage, type Identity, impersonationAudit, staffUsers, storeAccountCounts } from '../identity/index.ts';
import { type FlagKey, type PlatformCommand, type TenancyService, type Tenant, listPlatformCommands } from '../tenancy/index.ts';
import { type StoreFilter, findStore, listStores } from './repository.ts';
import type { createStore, reinviteOwner } from './store-creation.ts';
import { storeListDuration } from './telemetry.ts';

/** Opaque list cursors: base64url JSON of the last row's position. */
export function encodeCursor(position: { at: string; id: string }): string {
  return Buffer.from(JSON.stringify(position)).toString('base64url');
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const TIMESTAMP = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z$/;

export function decodeCursor(cursor: string | undefined): { at: string; id: string } | undefined {
  if (cursor === undefined) return undefined;
  try {
    const position = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    if (typeof position?.at === 'string' && TIMESTAMP.test(position.at) && typeof position.id === 'string' && UUID.test(position.id)) {
      return { at: position.at, id: position.id };
    }
  } catch {}
  throw new HttpProblem(400, 'Invalid cursor', 'The cursor is not one this list returned.', {
    extensions: { errors: [{ field: 'querystring/cursor', message: 'is not a valid cursor' }] },
  });
}

const HOUR_MS = 3_600_000;

/**
 * A page of the fleet. With `traffic` (the trace store is on), each store's requests in the last hour: the trace
 * store's weighted estimate, exact for failed and slow requests, sampled for the rest; null without a trace store.
 */
export async function storeList(db: Db, filter: Omit<StoreFilter, 'after'> & { cursor?: string | undefined }, options: { traffic: boolean } = { traffic: false }) {
  const stop = storeListDuration.startTimer();
  try {
    const rows = await listStores(db, { ...filter, after: decodeCursor(filter.cursor), limit: filter.limit + 1 });
    const items = rows.slice(0, filter.limit);
    const last = items.at(-1);
    const traffic = options.traffic ? await tenantRequestCounts(db, items.map((store) => store.id), new Date(Date.now() - HOUR_MS)) : undefined;
    return {
      items: items.map(({ cursor_at: _, ...store }) => ({
        ...store,
        created_at: store.created_at.toISOString(),
        requests_last_hour: traffic ? (traffic.get(store.id) ?? 0) : null,
      })),
      next_cursor: rows.length > filter.limit && last ? encodeCursor({ at: last.cursor_at, id: last.id }) : null,
    };
  } finally {
    stop();
  }
}

export const storeView = (tenant: Tenant) => ({
  id: tenant.id,
  subdomain: tenant.subdomain,
  name: tenant.name,
  status: tenant.status,
  plan: tenant.plan,
  created_at: tenant.created_at.toISOString(),
});

/** A new store's address as seen from the platform host the request came to (its scheme and port included). */
export const storeOriginFor = (request: FastifyRequest) => (subdomain: string) => `${request.protocol}://${subdomain}.${request.host}`;

const ownerView = (owner: { id: string; email: string; invitationExpiresAt: Date }) => ({
  id: owner.id,
  email: owner.email,
  invitation_expires_at: owner.invitationExpiresAt.toISOString(),
});

export const onboardedView = (created: Awaited<ReturnType<typeof createStore>>) => ({
  store: storeView(created.tenant),
  command: commandView(created.command),
  owner: ownerView(created.owner),
});

export const reinvitedView = (reinvited: Awaited<ReturnType<typeof reinviteOwner>>) => ({ command: commandView(reinvited.command), owner: ownerView(reinvited.owner) });

export const commandView = (command: PlatformCommand) => ({
  id: command.id,
  store_id: command.tenant_id,
  command: command.command,
  actor: command.actor,
  reason: command.reason,
  ticket: command.ticket,
  at: command.at.toISOString(),
});

async function existingStore(db: Db, id: string) {
  const store = await findStore(db, id);
  if (!store) throw new HttpProblem(404, 'Store not found', `No store has id ${id}.`);
  return store;
}

/** A per-store feature-flag override (the gateway's flags); the flag must exist and the value match its type. */
export async function overrideFlag(
  db: Db,
  tenants: TenancyService,
  override: { storeId: string; key: string; value: boolean | number | string; reason: string; expiresAt: string | undefined },
): Promise<void> {
  await existingStore(db, override.storeId);
  await tenants.flags.setOverride({
    tenantId: override.storeId,
    key: override.key as FlagKey,
    value: override.value,
    reason: override.reason,
    ...(override.expiresAt ? { expiresAt: new Date(override.expiresAt) } : {}),
  });
}

export async function clearFlagOverride(db: Db, tenants: TenancyService, storeId: string, key: string): Promise<void> {
  await existingStore(db, storeId);
  await tenants.flags.clearOverride(storeId, key as FlagKey);
}

const iso = (date: Date | null) => date?.toISOString() ?? null;

export async function storeDetail(platform: Platform, identity: Identity, tenants: TenancyService, id: string) {
  const store = await existingStore(identity.db, id);
  const [accounts, impersonations, commands, domains, values, overrides, paused, dead] = await Promise.all([
    storeAccountCounts(identity.db, id),
    impersonationAudit(identity, { tenantId: id, event: 'started', limit: 10 }),
    tenants.platformCommands(id),
    tenants.listCustomDomains(id),
    tenants.flags.values(store),
    tenants.flags.overridesOf(id),
    platform.jobs.pausing.list(),
    platform.jobs.deadJobs.list({ tenantId: id, limit: 5 }),
  ]);
  const now = new Date();
  const pause = paused.find((entry) => entry.kind === 'tenant' && entry.target === id);
  return {
    ...store,
    created_at: store.created_at.toISOString(),
    accounts: { staff: accounts.staff, customers: accounts.customers, api_clients: accounts.apiClients },
    domains: domains.map((domain) => ({ ...domain, verified_at: iso(domain.verified_at), last_checked_at: iso(domain.last_checked_at) })),
    flags: Object.entries(values).map(([key, value]) => {
      const override = overrides.find((entry) => entry.flag_key === key);
      return {
        key,
        value,
        override: override
          ? { value: override.value, reason: override.reason, expires_at: iso(override.expires_at), expired: override.expires_at !== null && override.expires_at <= now }
          : null,
      };
    }),
    jobs: {
      paused: store.status === 'suspended' || pause !== undefined,
      paused_because: store.status === 'suspended' ? ('suspended' as const) : pause ? ('paused' as const) : null,
      pause_reason: pause?.reason || null,
      recent_dead: dead.map((job) => ({
        id: job.id,
        task: job.task,
        reason: job.reason,
        attempts: job.attempts,
        last_error: job.last_error,
        correlation_id: job.correlation_id,
        failed_at: job.failed_at.toISOString(),
      })),
    },
    recent_impersonations: impersonations.items.map(auditView),
    platform_commands: commands.map(commandView),
  };
}

/** A store's staff, for choosing whom to impersonate. */
export async function storeStaff(db: Db, id: string) {
  await existingStore(db, id);
  const members = await staffUsers(db, id);
  return { items: members.map(({ id, email, display_name, role, status }) => ({ id, email, display_name, role, status })) };
}

/** The fleet's platform command log, newest first. */
export async function commandLog(db: Db, filter: { storeId?: string | undefined; command?: string | undefined; cursor?: string | undefined; limit: number }) {
  const rows = await listPlatformCommands(db, { tenantId: filter.storeId, command: filter.command, after: decodeCursor(filter.cursor), limit: filter.limit + 1 });
  const items = rows.slice(0, filter.limit);
  const last = items.at(-1);
  return {
    items: items.map(commandView),
    next_cursor: rows.length > filter.limit && last ? encodeCursor({ at: last.cursor_at, id: last.id }) : null,
  };
}

export function auditView(row: AuditPage['items'][number]) {
  return {
    id: row.id,
    impersonation_id: row.impersonation_id,
    store_id: row.tenant_id,
    event: row.event,
    actor_id: row.actor_id,
    target_user_id: row.target_user_id,
    reason_code: row.reason_code,
    ticket: row.ticket,
    method: row.method,
    path: row.path,
    request_id: row.request_id,
    occurred_at: row.occurred_at.toISOString(),
  };
}

export async function impersonationLog(
  identity: Identity,
  filter: { storeId?: string | undefined; actorId?: string | undefined; impersonationId?: string | undefined; cursor?: string | undefined; limit: number },
) {
  const page = await impersonationAudit(identity, {
    tenantId: filter.storeId,
    actorId: filter.actorId,
    impersonationId: filter.impersonationId,
    after: decodeCursor(filter.cursor),
    limit: filter.limit,
  });
  return { items: page.items.map(auditView), next_cursor: page.next ? encodeCursor(page.next) : null };
}
