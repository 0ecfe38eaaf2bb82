import type { FastifyReply, FastifyRequest } from 'fastify';
import type { BuiltFile } from './assets.ts';

/** Hashed asset names change with their content: cached for a year, never revalidated. */
export const IMMUTABLE = 'public, max-age=31536000, immutable';
/** The app shell names the current hashed files: always revalidated, so a release is picked up at once. */
export const NO_CACHE = 'no-cache';

/**
 * The browser apps' page policy: scripts only from their own hashed bundles; styles also inline, because the UI
 * kit injects its theme as style elements at run time; frames only of the same origin (the storefront preview).
 */
export const APP_POLICY = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' https: data: blob:",
  "connect-src 'self'",
  "frame-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'self'",
].join('; ');

/** A built file, gzipped when the browser takes it (compressed once at start-up). */
export function send(request: FastifyRequest, reply: FastifyReply, file: BuiltFile, cacheControl: string) {
  reply.header('cache-control', cacheControl).header('vary', 'accept-encoding').type(file.contentType);
  if (/\bgzip\b/.test(request.headers['accept-encoding'] ?? '')) return reply.header('content-encoding', 'gzip').send(file.gzipped);
  return reply.send(file.body);
}
