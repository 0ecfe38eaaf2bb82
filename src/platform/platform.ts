import type { FastifyInstance } from 'fastify';
import type { Config } from './config/config.ts';
import type { Db } from './db/database.ts';
import type { JobDefinition, JobSchedule } from './jobs/definitions.ts';
import type { Jobs } from './jobs/service.ts';
import type { EventBus } from './events/bus.ts';
import type { Mail } from './mail/mail.ts';
import type { Telemetry } from './observability/alerting.ts';
import type { HealthRegistry } from './observability/health.ts';
import type { ObjectStore } from './storage/object-store.ts';

/** `media-worker` runs the jobs defined with `role: 'media-worker'` (FFmpeg transcodes); `worker` runs the rest. */
export type Role = 'web' | 'worker' | 'media-worker';

/** What every module receives: the platform's shared parts. Modules add nothing here; they export services. */
export interface Platform {
  config: Config;
  db: Db;
  health: HealthRegistry;
  /** Enqueue (inside a unit of work or alone), pausing, dead jobs. */
  jobs: Jobs;
  /** In-process domain events (TenantResolved, TenantSuspended, …); see events/bus.ts. */
  events: EventBus;
  /** Outgoing mail through the outbox (enqueue inside a unit of work: sent only after commit). */
  mail: Mail;
  /** Object storage (S3 API or the local folder of the embedded default). */
  storage: ObjectStore;
  roles: ReadonlySet<Role>;
}

/**
 * A module of the product. `hooks` run on the root instance before any route (global request hooks, request
 * decorations); `routes` are registered as an encapsulated plugin; `start`/`stop` run in every role.
 */
export interface PlatformModule {
  name: string;
  hooks?(app: FastifyInstance, platform: Platform): void;
  routes?(app: FastifyInstance, platform: Platform): Promise<void>;
  /** First-run data (the demo store); runs at start-up when SEED_DEMO is on. */
  seed?(platform: Platform): Promise<void>;
  /** The module's background jobs (its `jobs.ts`), run by the worker role. */
  jobs?: JobDefinition<never>[];
  /** Cron schedules of the module's platform jobs. */
  schedules?: JobSchedule[];
  /** The module's alerts, SLOs and dashboard panels (its `telemetry.ts`), for `npm run monitoring`. */
  telemetry?: Telemetry;
  start?(platform: Platform): Promise<void>;
  stop?(platform: Platform): Promise<void>;
}
