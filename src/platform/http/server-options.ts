import type { FastifyServerOptions } from 'fastify';
import type { HttpConfig } from '../config/config.ts';

/**
 * Limits of the HTTP server: body size (raised per route only where a route documents it), forwarded headers
 * believed only from the configured proxies (none by default, so X-Forwarded-For/-Host/-Proto from a client are
 * ignored), and bounds on how long a request, its headers, an idle keep-alive and an idle socket may take.
 */
export function serverOptions(http: HttpConfig): FastifyServerOptions {
  return {
    bodyLimit: http.bodyLimitBytes,
    trustProxy: http.trustProxy === false ? false : http.trustProxy,
    requestTimeout: http.requestTimeoutMs,
    connectionTimeout: http.idleTimeoutMs,
    keepAliveTimeout: http.keepAliveTimeoutMs,
    http: { headersTimeout: Math.min(http.headersTimeoutMs, http.requestTimeoutMs) },
  } as FastifyServerOptions;
}
