import { sql } from 'kysely';
import { LRUCache } from 'lru-cache';
import type { Db } from '../../platform/db/database.ts';
import { HttpProblem } from '../../platform/http/problem.ts';
import { logger } from '../../platform/observability/logger.ts';
import type { FeatureFlag, TenantPlan } from './repository.ts';

/**
 * The type of each flag's value, by key. A module that reads a flag declares it here by augmentation (and
 * creates the row in its migration):
 *
 *   declare module '../tenancy/index.ts' { interface FeatureFlagValues { 'loyalty.enabled': boolean } }
 */
export interface FeatureFlagValues {
  'rate_limit.burst': number;
  'rate_limit.per_second': number;
}

export type FlagKey = keyof FeatureFlagValues & string;
type FlagValue = boolean | number | string;

interface OverrideEntry {
  value: unknown;
  expiresAt: Date | null;
}

export interface FlagSubject {
  id: string;
  plan: TenantPlan;
}

export interface FlagReport {
  /** Flags past their expiry: remove them or turn them into configuration. */
  expiredFlags: { key: string; owner: string; expires_at: Date }[];
  /** Flags without expiry, unchanged for longer than the stale period: long-lived flags to review. */
  staleFlags: { key: string; owner: string; updated_at: Date }[];
  /** Per-tenant overrides past their expiry (no longer applied). */
  expiredOverrides: { tenant_id: string; flag_key: string; reason: string; expires_at: Date }[];
}

const STALE_AFTER_DAYS = 90;
const isPlatformFlag = (key: string) => key.startsWith('platform.');
const OVERRIDE_CACHE_MAX = 50_000;

function sameType(value: unknown, reference: unknown): value is FlagValue {
  if (typeof value === 'number') return typeof reference === 'number' && Number.isFinite(value);
  return typeof value === typeof reference && ['boolean', 'string'].includes(typeof value);
}

/**
 * Typed evaluation: a tenant's unexpired override, else its plan's value, else the flag's default. Definitions
 * and overrides are cached per replica and dropped on change notices.
 */
export class FeatureFlags {
  private readonly db: Db;
  private readonly log = logger('tenancy.flags');
  private definitions: Promise<Map<string, FeatureFlag>> | undefined;
  /** The definitions once loaded, for the synchronous path. */
  private loaded: Map<string, FeatureFlag> | undefined;
  private readonly overrides: LRUCache<string, Map<string, OverrideEntry>>;
  private generation = 0;

  constructor(db: Db) {
    this.db = db;
    this.overrides = new LRUCache({
      max: OVERRIDE_CACHE_MAX,
      fetchMethod: async (tenantId) => {
        const { rows } = await sql<{ flag_key: string; value: unknown; expires_at: Date | null }>`
          select flag_key, value, expires_at from app_tenant_flag_overrides(${tenantId}::uuid)`.execute(db.kysely);
        return new Map(rows.map((row) => [row.flag_key, { value: row.value, expiresAt: row.expires_at }]));
      },
    });
  }

  async evaluate<K extends FlagKey>(tenant: FlagSubject, key: K, now = new Date()): Promise<FeatureFlagValues[K]> {
    const definitions = this.loaded ?? (await this.loadDefinitions());
    const overrides = this.overrides.get(tenant.id) ?? (await this.tenantOverrides(tenant.id));
    return this.pick(definitions, overrides, tenant, key, now);
  }

  /** The value when definitions and the tenant's overrides are cached (the gateway's per-request path), else undefined. */
  peek<K extends FlagKey>(tenant: FlagSubject, key: K, now = new Date()): FeatureFlagValues[K] | undefined {
    const overrides = this.overrides.get(tenant.id);
    return this.loaded && overrides ? this.pick(this.loaded, overrides, tenant, key, now) : undefined;
  }

  /** Every store flag's value for a tenant (the admin app's bootstrap). */
  async values(tenant: FlagSubject, now = new Date()): Promise<Record<string, FlagValue>> {
    const definitions = this.loaded ?? (await this.loadDefinitions());
    const overrides = this.overrides.get(tenant.id) ?? (await this.tenantOverrides(tenant.id));
    const storeKeys = [...definitions.keys()].filter((key) => !isPlatformFlag(key));
    return Object.fromEntries(storeKeys.map((key) => [key, this.pick(definitions, overrides, tenant, key as FlagKey, now) as FlagValue]));
  }

  /**
   * A platform-wide switch (`platform.*`): what the platform's own host does, where there is no store, so no plan
   * or override applies: the flag's default, changed fleet-wide on its row.
   */
  async platformValue<K extends FlagKey & `platform.${string}`>(key: K): Promise<FeatureFlagValues[K]> {
    const flag = (this.loaded ?? (await this.loadDefinitions())).get(key);
    if (!flag) throw new Error(`feature flag ${key} is declared in code but has no row in feature_flags`);
    return flag.default_value as FeatureFlagValues[K];
  }

  /** Turns a platform-wide switch on or off for the fleet (every replica hears the change notice). */
  async setPlatformValue<K extends FlagKey & `platform.${string}`>(key: K, value: FeatureFlagValues[K]): Promise<void> {
    const updated = await this.db.kysely.updateTable('feature_flags').set({ default_value: JSON.stringify(value), updated_at: new Date() }).where('key', '=', key).executeTakeFirst();
    if (updated.numUpdatedRows === 0n) throw new Error(`feature flag ${key} is declared in code but has no row in feature_flags`);
    this.forgetDefinitions();
  }

  private pick<K extends FlagKey>(
    definitions: Map<string, FeatureFlag>,
    overrides: Map<string, OverrideEntry>,
    tenant: FlagSubject,
    key: K,
    now: Date,
  ): FeatureFlagValues[K] {
    const flag = definitions.get(key);
    if (!flag) throw new Error(`feature flag ${key} is declared in code but has no row in feature_flags`);
    const override = overrides.get(key);
    if (override && (!override.expiresAt || override.expiresAt > now)) {
      if (sameType(override.value, flag.default_value)) return override.value as FeatureFlagValues[K];
      this.log.warn({ flag: key, tenant_id: tenant.id }, 'override has the wrong type; ignored');
    }
    const planValue = flag.plan_values[tenant.plan];
    if (planValue !== undefined && sameType(planValue, flag.default_value)) return planValue as FeatureFlagValues[K];
    return flag.default_value as FeatureFlagValues[K];
  }

  async setOverride(input: { tenantId: string; key: FlagKey; value: FlagValue; reason: string; expiresAt?: Date }): Promise<void> {
    const flag = (await this.loadDefinitions()).get(input.key);
    if (!flag) throw new HttpProblem(404, 'Unknown feature flag', `No feature flag is named ${input.key}.`);
    if (isPlatformFlag(input.key)) throw new HttpProblem(409, 'Platform-wide flag', `Flag ${input.key} is a platform-wide switch; no store can override it.`);
    if (!sameType(input.value, flag.default_value)) {
      throw new HttpProblem(400, 'Validation failed', `Flag ${input.key} takes a ${typeof flag.default_value}.`, {
        extensions: { errors: [{ field: 'value', message: `must be a ${typeof flag.default_value}` }] },
      });
    }
    if (input.reason.trim() === '') {
      throw new HttpProblem(400, 'Validation failed', 'An override needs a reason.', {
        extensions: { errors: [{ field: 'reason', message: 'is required' }] },
      });
    }
    const row = {
      tenant_id: input.tenantId,
      flag_key: input.key,
      value: JSON.stringify(input.value),
      reason: input.reason.trim(),
      expires_at: input.expiresAt ?? null,
    };
    await this.db.withTenant(input.tenantId, (trx) =>
      trx
        .insertInto('feature_flag_overrides')
        .values(row)
        .onConflict((oc) => oc.columns(['tenant_id', 'flag_key']).doUpdateSet({ value: row.value, reason: row.reason, expires_at: row.expires_at }))
        .execute(),
    );
    this.forgetTenant(input.tenantId);
  }

  /** A tenant's overrides as set, expired ones included, with why and until when (platform console). */
  overridesOf(tenantId: string): Promise<{ flag_key: string; value: unknown; reason: string; expires_at: Date | null }[]> {
    return this.db.withTenant(tenantId, (trx) =>
      trx.selectFrom('feature_flag_overrides').select(['flag_key', 'value', 'reason', 'expires_at']).orderBy('flag_key').execute(),
    );
  }

  async clearOverride(tenantId: string, key: FlagKey): Promise<void> {
    await this.db.withTenant(tenantId, (trx) => trx.deleteFrom('feature_flag_overrides').where('flag_key', '=', key).execute());
    this.forgetTenant(tenantId);
  }

  /** Expired and stale flags, and expired overrides, for the nightly review. */
  async report(now = new Date(), staleAfterDays = STALE_AFTER_DAYS): Promise<FlagReport> {
    const staleBefore = new Date(now.getTime() - staleAfterDays * 86_400_000);
    return this.db.withPlatform(async (trx) => {
      const flags = await trx.selectFrom('feature_flags').select(['key', 'owner', 'expires_at', 'updated_at']).orderBy('key').execute();
      const expiredOverrides = await trx
        .selectFrom('feature_flag_overrides')
        .select(['tenant_id', 'flag_key', 'reason', 'expires_at'])
        .where('expires_at', '<=', now)
        .orderBy('expires_at')
        .execute();
      return {
        expiredFlags: flags.flatMap((f) => (f.expires_at && f.expires_at <= now ? [{ key: f.key, owner: f.owner, expires_at: f.expires_at }] : [])),
        staleFlags: flags.flatMap((f) => (!f.expires_at && f.updated_at < staleBefore ? [{ key: f.key, owner: f.owner, updated_at: f.updated_at }] : [])),
        expiredOverrides: expiredOverrides.map((o) => ({ ...o, expires_at: o.expires_at! })),
      };
    });
  }

  private async tenantOverrides(tenantId: string): Promise<Map<string, OverrideEntry>> {
    // A change notice during the lookup aborts it (its answer may predate the change): look up again.
    for (let attempt = 1; ; attempt++) {
      const generation = this.generation;
      try {
        return (await this.overrides.fetch(tenantId)) ?? new Map();
      } catch (error) {
        if (generation === this.generation || attempt === 3) throw error;
      }
    }
  }

  forgetDefinitions(): void {
    this.definitions = undefined;
    this.loaded = undefined;
  }

  forgetTenant(tenantId: string): void {
    this.generation++;
    this.overrides.delete(tenantId);
  }

  forgetAll(): void {
    this.generation++;
    this.definitions = undefined;
    this.loaded = undefined;
    this.overrides.clear();
  }

  private loadDefinitions(): Promise<Map<string, FeatureFlag>> {
    if (!this.definitions) {
      const loading = this.db.kysely
        .selectFrom('feature_flags')
        .selectAll()
        .execute()
        .then((rows) => {
          const definitions = new Map(rows.map((row) => [row.key, row]));
          if (this.definitions === loading) this.loaded = definitions;
          return definitions;
        });
      loading.catch(() => {
        if (this.definitions === loading) this.definitions = undefined;
      });
      this.definitions = loading;
    }
    return this.definitions;
  }
}
