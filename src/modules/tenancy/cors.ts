import type { FastifyInstance, FastifyRequest } from 'fastify';
import { appendVary } from '../../platform/http/security-headers.ts';

/**
 * CORS for the origins `allowed` accepts (a store's own): every answer varies on Origin, an allowed origin is
 * echoed, and a preflight from one is answered 204 with the simple methods and the headers it asks for; a
 * preflight from any other origin finds no route (404). What @fastify/cors does with these options, without its
 * per-request options delegator (two option objects, two routeOptions reads and three closures a request).
 */
export function allowOrigins(app: FastifyInstance, allowed: (request: FastifyRequest, origin: string) => boolean): void {
  app.addHook('preHandler', (request, reply, done) => {
    appendVary(reply, 'Origin');
    const origin = request.headers.origin;
    if (!origin || !allowed(request, origin)) return done();
    reply.header('access-control-allow-origin', origin);
    if (request.method !== 'OPTIONS') return done();
    if (!request.headers['access-control-request-method']) {
      reply.code(400).type('text/plain').send('Invalid Preflight Request');
      return;
    }
    reply.header('access-control-allow-methods', 'GET,HEAD,POST');
    appendVary(reply, 'Access-Control-Request-Headers');
    const headers = request.headers['access-control-request-headers'];
    if (headers !== undefined) reply.header('access-control-allow-headers', headers);
    // Some browsers wait for a body on a 204 without a length.
    reply.code(204).header('content-length', '0').send();
  });
  // Lets preflights reach the hook above; one it did not answer is for no route.
  app.options('*', { schema: { hide: true } }, (_request, reply) => reply.callNotFound());
}
