import { AsyncResource } from 'node:async_hooks';
import Fastify, { type FastifyBaseLogger, type FastifyError, type FastifyInstance, LogController } from 'fastify';
import { modules } from '../../modules/index.ts';
import { runWithContext } from '../observability/context.ts';
import { logger } from '../observability/logger.ts';
import type { Platform } from '../platform.ts';
import './auth.ts';
import { registerOpenApi } from './openapi.ts';
import { HttpProblem, sendProblem } from './problem.ts';
import { refusedRequestId, requestIdFrom } from './request-id.ts';

const contextResource = Symbol('contextResource');
declare module 'fastify' {
  interface FastifyRequest {
    [contextResource]: AsyncResource;
  }
}

const STATUS_TITLES: Record<number, string> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  405: 'Method Not Allowed',
  406: 'Not Acceptable',
  409: 'Conflict',
  413: 'Payload Too Large',
  415: 'Unsupported Media Type',
  422: 'Unprocessable Content',
  429: 'Too Many Requests',
};

/** Builds the HTTP application in-process (tests use `inject`, `main` listens). */
export async function buildApp(platform: Platform): Promise<FastifyInstance> {
  const log = logger('http');
  const app = Fastify({
    loggerInstance: log as FastifyBaseLogger,
    // The request-completed line is ours (with duration_ms and the route template), so Fastify's is off.
    logController: new LogController({ disableRequestLogging: true, requestIdLogLabel: 'request_id' }),
    genReqId: requestIdFrom,
    bodyLimit: platform.config.http.bodyLimitBytes,
    trustProxy: true,
    return503OnClosing: true,
  });

  // One context per request. Body parsing runs on the socket's async context, so the context is re-entered
  // before validation (the pattern of @fastify/request-context).
  app.addHook('onRequest', (request, reply, done) => {
    reply.header('x-request-id', request.id);
    runWithContext({ correlationId: request.id }, () => {
      request[contextResource] = new AsyncResource('village-storefront:request');
      const refused = refusedRequestId(request.raw, request.id);
      if (refused !== undefined) log.warn({ refused_request_id: refused }, 'X-Request-ID refused, replaced');
      done();
    });
  });
  app.addHook('preValidation', (request, _reply, done) => {
    request[contextResource].runInAsyncScope(done, request);
  });
  app.addHook('onResponse', (request, reply, done) => {
    request[contextResource].runInAsyncScope(() => {
      log.info(
        {
          method: request.method,
          route: request.routeOptions.url ?? 'unmatched',
          status: reply.statusCode,
          duration_ms: Math.round(reply.elapsedTime * 1000) / 1000,
        },
        'request completed',
      );
    });
    done();
  });

  app.setErrorHandler((error: FastifyError, request, reply) => {
    if (error instanceof HttpProblem) {
      reply.headers(error.headers);
      return sendProblem(request, reply, error.status, error.title, error.message === error.title ? undefined : error.message, error.extensions);
    }
    if (error.validation) {
      const errors = error.validation.map((issue) => ({
        field: `${error.validationContext ?? 'body'}${issue.instancePath || ''}${issue.params && 'missingProperty' in issue.params ? `/${issue.params.missingProperty}` : ''}`,
        message: issue.message ?? 'is invalid',
      }));
      return sendProblem(request, reply, 400, 'Validation failed', 'The request has invalid fields.', { errors });
    }
    const status = error.statusCode ?? 500;
    if (status >= 400 && status < 500) {
      return sendProblem(request, reply, status, STATUS_TITLES[status] ?? 'Bad Request', error.message);
    }
    log.error({ err: error }, 'unhandled error');
    return sendProblem(request, reply, 500, 'Internal Server Error', 'An unexpected error occurred; quote the request_id to support.');
  });

  app.setNotFoundHandler((request, reply) =>
    sendProblem(request, reply, 404, 'Not Found', `No route for ${request.method} ${request.url.split('?')[0]}`),
  );

  app.decorateRequest('principal', null);
  registerOpenApi(app);

  app.get('/q/health/live', async () => platform.health.live());
  app.get('/q/health/ready', async (_request, reply) => {
    const report = await platform.health.ready();
    return reply.code(report.status === 'UP' ? 200 : 503).send(report);
  });

  for (const module of modules) module.hooks?.(app, platform);
  for (const module of modules) {
    const routes = module.routes;
    if (routes) await app.register(async (scope) => routes(scope, platform));
  }
  return app;
}
