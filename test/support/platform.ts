import { randomUUID } from 'node:crypto';
import { InMemorySpanExporter } from '@opentelemetry/sdk-trace-node';
import type { FastifyInstance } from 'fastify';
import pg from 'pg';
import type { DestinationStream } from 'pino';
import { inject } from 'vitest';
import { type Tenant, createTenant } from '../../src/modules/tenancy/service.ts';

export type { Tenant };
import { type Config, loadConfig } from '../../src/platform/config/config.ts';
import { type Db, createDb } from '../../src/platform/db/database.ts';
import { buildApp } from '../../src/platform/http/app.ts';
import { configureLogging } from '../../src/platform/observability/logger.ts';
import { startObservability } from '../../src/platform/observability/start.ts';
import { modules } from '../../src/modules/index.ts';
import type { Platform, PlatformModule } from '../../src/platform/platform.ts';
import { type RunningPlatform, startPlatform } from '../../src/platform/runtime/start.ts';

export const testDatabaseUrl = () => inject('databaseUrl');

export function testConfig(env: Record<string, string> = {}): Config {
  return loadConfig({ APP_PROFILE: 'test', DATABASE_URL: testDatabaseUrl(), SEED_DEMO: 'false', ...env });
}

export interface TestApp {
  app: FastifyInstance;
  platform: Platform;
  modules: readonly PlatformModule[];
  close(): Promise<void>;
}

/** Every span the process finished, for tests that assert span trees (tracing is on in every test). */
export const testSpans = new InMemorySpanExporter();

export interface TestAppOptions {
  /** Test-only routes, declared before the app is ready. */
  routes?(app: FastifyInstance, platform: Platform): void;
  /** Where log lines go (stdout when absent). */
  logs?: DestinationStream;
}

/** The whole platform on the run's test database, with the HTTP app built in-process. */
export async function startTestApp(env: Record<string, string> = {}, options: TestAppOptions = {}): Promise<TestApp> {
  const config = testConfig(env);
  configureLogging(config, options.logs);
  startObservability(config, testSpans);
  const running: RunningPlatform = await startPlatform(config, ['web', 'worker'], modules);
  const app = await buildApp(running.platform, running.modules);
  options.routes?.(app, running.platform);
  await app.ready();
  return {
    app,
    platform: running.platform,
    modules: running.modules,
    async close() {
      await app.close();
      await running.stop();
    },
  };
}

/** An application-role pool on the test database, for tests below the HTTP layer. */
export function testDb(): Db {
  return createDb({ ownerUrl: testDatabaseUrl(), poolMax: 4, statementTimeoutMs: 10_000 });
}

/** Log lines in memory, parsed, for tests that assert what was logged. */
export function logCapture(): { stream: DestinationStream; lines: Record<string, unknown>[] } {
  const lines: Record<string, unknown>[] = [];
  return { lines, stream: { write: (line: string) => void lines.push(JSON.parse(line)) } };
}

/** An owner connection (bypasses nothing but owns the tables), for inspecting the schema. */
export async function ownerClient(url = testDatabaseUrl()): Promise<pg.Client> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  return client;
}

/** A tenant with a unique subdomain, so test files running in parallel never collide. */
export function makeTenant(db: Db, name = 'Test Store'): Promise<Tenant> {
  return createTenant(db, { subdomain: `t-${randomUUID().slice(0, 12)}`, name });
}

/** A fresh empty database on the test server, dropped by the returned function. */
export async function scratchDatabase(): Promise<{ url: string; drop(): Promise<void> }> {
  const adminUrl = inject('adminUrl');
  const name = `vs_scratch_${randomUUID().replaceAll('-', '').slice(0, 16)}`;
  const admin = await ownerClient(adminUrl);
  await admin.query(`create database ${name}`);
  await admin.end();
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    async drop() {
      const client = await ownerClient(adminUrl);
      await client.query(`drop database if exists ${name} with (force)`);
      await client.end();
    },
  };
}
