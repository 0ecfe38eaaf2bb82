import { createHash } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { varyOn } from './vary.ts';

const INLINE_STYLE = /<style>([\s\S]*?)<\/style>/g;

/** The sources of a page: scripts and styles only from the page's own origin, inline styles only by their hash. */
function htmlPolicy(html: string): string {
  const styleHashes = [...html.matchAll(INLINE_STYLE)].map((match) => `'sha256-${createHash('sha256').update(match[1]!).digest('base64')}'`);
  return [
    "default-src 'self'",
    "script-src 'self'",
    `style-src 'self'${styleHashes.length > 0 ? ` ${[...new Set(styleHashes)].join(' ')}` : ''}`,
    "img-src 'self' https: data:",
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'self'",
    // The store's own pages may frame each other (the back office previews the storefront); no other site may.
    "frame-ancestors 'self'",
  ].join('; ');
}

/** Anything that is not a page (JSON, CSV, problem bodies) may load nothing and be framed by no one. */
const NON_HTML_POLICY = "default-src 'none'; frame-ancestors 'none'";

/**
 * Security headers on every response: a Content-Security-Policy (unless the route set its own), nosniff, no
 * framing by other sites, a strict referrer policy, HSTS when the request came over HTTPS. A publicly cacheable response varies
 * on the Host the store was resolved from, so no shared cache ever serves one store's page for another.
 */
export function addSecurityHeaders(app: FastifyInstance, options: { forwardedHostTrusted: boolean }): void {
  app.addHook('onSend', (request: FastifyRequest, reply: FastifyReply, payload: unknown, done: (error: null, payload: unknown) => void) => {
    reply.header('x-content-type-options', 'nosniff');
    reply.header('x-frame-options', 'SAMEORIGIN');
    reply.header('referrer-policy', 'strict-origin-when-cross-origin');
    if (request.protocol === 'https') reply.header('strict-transport-security', 'max-age=31536000; includeSubDomains');
    if (!reply.hasHeader('content-security-policy')) {
      const html = typeof payload === 'string' && String(reply.getHeader('content-type') ?? '').startsWith('text/html');
      reply.header('content-security-policy', html ? htmlPolicy(payload) : NON_HTML_POLICY);
    }
    if (/\bpublic\b/.test(String(reply.getHeader('cache-control') ?? ''))) {
      varyOn(reply, 'Host');
      if (options.forwardedHostTrusted) varyOn(reply, 'X-Forwarded-Host');
    }
    done(null, payload);
  });
}
