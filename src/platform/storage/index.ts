import type { StorageConfig } from '../config/config.ts';
import type { HealthCheck } from '../observability/health.ts';
import { LocalObjectStore } from './local.ts';
import type { ObjectStore } from './object-store.ts';

export { LOCAL_OBJECTS_PATH, LocalObjectStore } from './local.ts';
export { type ObjectInfo, ObjectNotFoundError, type ObjectStore, type PresignedUpload } from './object-store.ts';
export { localObjectRoutes } from './routes.ts';

/** The configured store. The AWS SDK is loaded only when S3 is configured (it adds a second to every start, CLIs included). */
export async function createObjectStore(config: StorageConfig): Promise<ObjectStore> {
  if (config.driver === 'local') return new LocalObjectStore(config);
  const { S3ObjectStore } = await import('./s3.ts');
  return new S3ObjectStore(config);
}

const PING_CACHE_MS = 15_000;

/** Readiness of object storage: a bucket HEAD (or folder stat), cached so that probes do not hammer the store. */
export function objectStoreCheck(store: ObjectStore): HealthCheck {
  let last: { at: number; error: string | undefined; latencyMs: number } | undefined;
  return async () => {
    if (!last || Date.now() - last.at > PING_CACHE_MS) {
      const started = performance.now();
      const error = await store.ping().then(
        () => undefined,
        (failure: unknown) => (failure instanceof Error ? failure.message || failure.name : String(failure)),
      );
      last = { at: Date.now(), error, latencyMs: Math.round(performance.now() - started) };
    }
    const data = { driver: store.driver, latency_ms: last.latencyMs, checked_ms_ago: Date.now() - last.at, ...(last.error ? { error: last.error } : {}) };
    return { status: last.error ? 'DOWN' : 'UP', data };
  };
}
