import type { FastifyReply, FastifyRequest } from 'fastify';
import { logger } from '../../platform/observability/logger.ts';
import type { ObjectStore } from '../../platform/storage/index.ts';
import type { BuiltFile } from './assets.ts';
import { varyOn } from '../../platform/http/vary.ts';

const log = logger('admin-ui');

/** Hashed asset names change with their content: cached for a year, never revalidated. */
export const IMMUTABLE = 'public, max-age=31536000, immutable';
/** The app shell names the current hashed files: always revalidated, so a release is picked up at once. */
export const NO_CACHE = 'no-cache';

/**
 * The browser apps' page policy: scripts only from their own hashed bundles; styles also inline, because the UI
 * kit injects its theme as style elements at run time; frames only of the same origin (the storefront preview).
 * `uploadOrigins`: where the browser PUTs media straight to storage (the bucket, with S3), besides the app itself.
 */
export const appPolicy = (uploadOrigins: string[] = []) =>
  [
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' https: data: blob:",
    ["connect-src 'self'", ...uploadOrigins].join(' '),
    "frame-src 'self'",
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'self'",
    "frame-ancestors 'self'",
  ].join('; ');

export const APP_POLICY = appPolicy();

/** The origin of the object store's presigned uploads when it is not the app's own (a bucket, a storage host). */
export async function uploadOrigins(storage: ObjectStore): Promise<string[]> {
  // Presigning is the store's own answer to where uploads go, and sends nothing.
  try {
    const { url } = await storage.presignPut('probe/upload-origin', { contentType: 'application/octet-stream', contentLength: 1, expiresInS: 60 });
    return /^https?:\/\//.test(url) ? [new URL(url).origin] : [];
  } catch (error) {
    log.warn({ err: error }, 'the upload origin of the object store is unknown; the admin page policy allows only its own origin');
    return [];
  }
}

/** A built file, gzipped when the browser takes it (compressed once at start-up). */
export function send(request: FastifyRequest, reply: FastifyReply, file: BuiltFile, cacheControl: string) {
  varyOn(reply.header('cache-control', cacheControl), 'Accept-Encoding').type(file.contentType);
  if (/\bgzip\b/.test(request.headers['accept-encoding'] ?? '')) return reply.header('content-encoding', 'gzip').send(file.gzipped);
  return reply.send(file.body);
}
