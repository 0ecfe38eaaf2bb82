import { modules } from '../../modules/index.ts';
import type { Config } from '../config/config.ts';
import { createDb } from '../db/database.ts';
import { databaseCheck } from '../db/health.ts';
import { migrate } from '../db/migrate.ts';
import { openOwnerDatabase } from '../db/owner.ts';
import { EventBus } from '../events/bus.ts';
import { HealthRegistry } from '../observability/health.ts';
import type { Platform, Role } from '../platform.ts';

export interface RunningPlatform {
  platform: Platform;
  /** Stops modules, closes the pool, and stops the embedded PostgreSQL when there is one. */
  stop(): Promise<void>;
}

/** Opens the database (embedded when no DATABASE_URL), migrates it, seeds it, and starts the modules. */
export async function startPlatform(config: Config, roles: Role[]): Promise<RunningPlatform> {
  const owner = await openOwnerDatabase(config);
  try {
    await migrate(owner.url, 'up');
    const db = createDb({
      ownerUrl: owner.url,
      appUrl: config.appDatabaseUrl,
      poolMax: config.db.poolMax,
      statementTimeoutMs: config.db.statementTimeoutMs,
    });
    const health = new HealthRegistry();
    health.addReadinessCheck('database', databaseCheck(db));
    const platform: Platform = { config, db, health, events: new EventBus(), roles: new Set(roles) };
    if (config.seedDemo) for (const module of modules) await module.seed?.(platform);
    for (const module of modules) await module.start?.(platform);
    return {
      platform,
      async stop() {
        for (const module of [...modules].reverse()) await module.stop?.(platform);
        await db.close();
        await owner.stop();
      },
    };
  } catch (error) {
    await owner.stop();
    throw error;
  }
}
