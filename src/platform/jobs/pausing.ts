import { type Generated, sql } from 'kysely';
import type { Db, Tx } from '../db/database.ts';
import { currentContext } from '../observability/context.ts';
import { PAUSED_FLAG, taskFlag, tenantFlag } from './envelope.ts';

export type PauseKind = 'task' | 'tenant' | 'job';

export interface PausedEntry {
  kind: PauseKind;
  target: string;
  reason: string;
  paused_by: string | null;
  paused_at: Date;
}

declare module '../db/schema.ts' {
  interface Database {
    paused_jobs: { kind: PauseKind; target: string; reason: string; paused_by: string | null; paused_at: Generated<Date> };
  }
}

/**
 * Pausing by task name, tenant (a suspended store's jobs stop) or job id (`paused_jobs`).
 * Paused jobs stay in the queue: workers skip them through graphile-worker's forbiddenFlags, and resuming
 * lets them run. A job already running finishes its current attempt.
 */
export class Pausing {
  private readonly db: Db;
  private readonly cacheMs: number;
  private cached: { flags: string[]; at: number } | undefined;
  /** The read in flight, shared by every runner asking meanwhile; a pause or resume starts a new generation. */
  private reading: { generation: number; flags: Promise<string[]> } | undefined;
  private generation = 0;

  constructor(db: Db, cacheMs: number) {
    this.db = db;
    this.cacheMs = cacheMs;
  }

  pauseTask(task: string, reason = ''): Promise<void> {
    return this.add('task', task, reason);
  }

  resumeTask(task: string): Promise<boolean> {
    return this.remove('task', task);
  }

  pauseTenant(tenantId: string, reason = ''): Promise<void> {
    return this.add('tenant', tenantId, reason);
  }

  resumeTenant(tenantId: string): Promise<boolean> {
    return this.remove('tenant', tenantId);
  }

  /** False when no waiting job has that id (unknown, finished, or running right now). */
  async pauseJob(jobId: string, reason = ''): Promise<boolean> {
    return this.db.withPlatform(async (trx) => {
      const { rows } = await sql<{ found: boolean }>`select app_set_job_paused(${jobId}::bigint, true) as found`.execute(trx);
      if (!rows[0]?.found) return false;
      await this.insert(trx, 'job', jobId, reason);
      return true;
    });
  }

  /** False when the job was not paused. */
  async resumeJob(jobId: string): Promise<boolean> {
    return this.db.withPlatform(async (trx) => {
      await sql`select app_set_job_paused(${jobId}::bigint, false)`.execute(trx);
      const deleted = await trx.deleteFrom('paused_jobs').where('kind', '=', 'job').where('target', '=', jobId).executeTakeFirst();
      return deleted.numDeletedRows > 0n;
    });
  }

  list(): Promise<PausedEntry[]> {
    return this.db.withPlatform((trx) => trx.selectFrom('paused_jobs').selectAll().orderBy('paused_at').execute());
  }

  /** The flags workers must skip; read at most once per `cacheMs`, so a pause takes effect within it. */
  forbiddenFlags = async (): Promise<string[]> => {
    if (this.cached && Date.now() - this.cached.at < this.cacheMs) return this.cached.flags;
    // Every runner's workers ask before each claim: when the cache expires they would each open a transaction.
    if (this.reading?.generation !== this.generation) {
      const generation = this.generation;
      const flags = this.readFlags()
        .then((read) => {
          if (generation === this.generation) this.cached = { flags: read, at: Date.now() };
          return read;
        })
        .finally(() => {
          if (this.reading?.flags === flags) this.reading = undefined;
        });
      this.reading = { generation, flags };
    }
    return this.reading.flags;
  };

  private async readFlags(): Promise<string[]> {
    // Suspended stores are read from the tenants themselves too: a missed or failed suspension notice cannot
    // leave a suspended store's jobs running, and a forged "resumed" notice cannot restart them.
    const [rows, suspended] = await this.db.withPlatform(async (trx) => [
      await trx.selectFrom('paused_jobs').select(['kind', 'target']).where('kind', '!=', 'job').execute(),
      await trx.selectFrom('tenants').select('id').where('status', '=', 'suspended').execute(),
    ]);
    const flags = [
      ...new Set([
        PAUSED_FLAG,
        ...rows.map((row) => (row.kind === 'task' ? taskFlag(row.target) : tenantFlag(row.target))),
        ...suspended.map((tenant) => tenantFlag(tenant.id)),
      ]),
    ];
    return flags;
  }

  private add(kind: PauseKind, target: string, reason: string): Promise<void> {
    return this.db.withPlatform((trx) => this.insert(trx, kind, target, reason));
  }

  private async insert(trx: Tx, kind: PauseKind, target: string, reason: string): Promise<void> {
    await trx
      .insertInto('paused_jobs')
      .values({ kind, target, reason, paused_by: currentContext()?.userId ?? null })
      .onConflict((conflict) => conflict.columns(['kind', 'target']).doNothing())
      .execute();
    this.cached = undefined;
    this.generation++;
  }

  private async remove(kind: PauseKind, target: string): Promise<boolean> {
    const deleted = await this.db.withPlatform((trx) =>
      trx.deleteFrom('paused_jobs').where('kind', '=', kind).where('target', '=', target).executeTakeFirst(),
    );
    this.cached = undefined;
    this.generation++;
    return deleted.numDeletedRows > 0n;
  }
}
