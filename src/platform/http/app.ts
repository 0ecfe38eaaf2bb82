import { AsyncResource } from 'node:async_hooks';
import { trace } from '@opentelemetry/api';
import Fastify, { type FastifyBaseLogger, type FastifyError, type FastifyInstance, type FastifyRequest, LogController } from 'fastify';
import { jobsAdminRoutes } from '../jobs/routes.ts';
import { type RequestContext, runWithContext } from '../observability/context.ts';
import { fingerprintError } from '../observability/error-fingerprint.ts';
import { recordErrorGroup } from '../observability/error-groups.ts';
import { logger } from '../observability/logger.ts';
import { observeWithTrace } from '../observability/metrics.ts';
import { httpErrors, httpRequestDuration, httpRequests, inFlight as requestsInFlight } from '../observability/telemetry.ts';
import { tenantLabel } from '../observability/tenant-label.ts';
import { startTracing } from '../observability/tracing.ts';
import type { Platform, PlatformModule } from '../platform.ts';
import { checkAccessBeforeBody } from './auth.ts';
import { databaseProblem } from './database-errors.ts';
import { serverOptions } from './server-options.ts';
import { invalidFields, markFormBody, refuseNulInJson, validationOptions } from './validation.ts';
import { registerOpsEndpoints } from './ops-endpoints.ts';
import { addSecurityHeaders } from './security-headers.ts';
import { registerOpenApi } from './openapi.ts';
import { HttpProblem, sendProblem } from './problem.ts';
import { refusedRequestId, requestIdFrom } from './request-id.ts';

const contextResource = Symbol('contextResource');
const requestContext = Symbol('requestContext');
const errorType = Symbol('errorType');
const inFlight = Symbol('inFlight');
declare module 'fastify' {
  interface FastifyRequest {
    [contextResource]: AsyncResource;
    [requestContext]: RequestContext | undefined;
    /** What the error handler made of the failure, for the error counter. */
    [errorType]: string | undefined;
    [inFlight]: boolean;
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

/** The route template, never the raw path (which would make one metric series per product id). */
const routeOf = (request: FastifyRequest) => request.routeOptions.url ?? 'unmatched';

/** Builds the HTTP application in-process (tests use `inject`, `main` listens). */
export async function buildApp(platform: Platform, modules: readonly PlatformModule[]): Promise<FastifyInstance> {
  const log = logger('http');
  const errorLog = logger('http.errors');
  const tracing = startTracing(platform.config.tracing);
  const app = Fastify({
    loggerInstance: log as FastifyBaseLogger,
    // The request-completed line is ours (with duration_ms and the route template), so Fastify's is off.
    logController: new LogController({ disableRequestLogging: true, requestIdLogLabel: 'request_id' }),
    genReqId: requestIdFrom,
    ...serverOptions(platform.config.http),
    ...validationOptions(),
    return503OnClosing: true,
    // Malformed URLs never reach the hooks; they still get a problem response with the request ID.
    frameworkErrors: (error, request, reply) => {
      reply.header('x-request-id', request.id);
      request[errorType] = error.code;
      sendProblem(request, reply, 400, 'Bad Request', error.message);
    },
  });

  // One context per request. Every span started inside it carries its fields (see tracing.ts).
  app.addHook('onRequest', (request, reply, done) => {
    reply.header('x-request-id', request.id);
    requestsInFlight.enter();
    request[inFlight] = true;
    // Read once: Fastify builds a new routeOptions object at every access.
    const route = request.routeOptions.url;
    const context: RequestContext = route ? { correlationId: request.id, route } : { correlationId: request.id };
    request[requestContext] = context;
    runWithContext(context, done);
  });
  // @fastify/otel starts the HTTP server span (continuing a caller's traceparent) in its onRequest hook.
  await app.register(tracing.fastifyPlugin());
  // The server span becomes the context's root span. Body parsing runs on the socket's async context, so the
  // request's context (ours and OpenTelemetry's) is captured here and re-entered before validation (the
  // pattern of @fastify/request-context).
  app.addHook('onRequest', (request, _reply, done) => {
    const context = request[requestContext];
    const span = trace.getActiveSpan();
    if (context && span) context.span = span;
    request[contextResource] = new AsyncResource('village-storefront:request');
    const refused = refusedRequestId(request.raw, request.id);
    if (refused !== undefined) log.warn({ refused_request_id: refused }, 'X-Request-ID refused, replaced');
    done();
  });
  app.addHook('preValidation', (request, _reply, done) => {
    markFormBody(request);
    request[contextResource].runInAsyncScope(done, request);
  });
  const leaveInFlight = (request: FastifyRequest) => {
    if (!request[inFlight]) return;
    request[inFlight] = false;
    requestsInFlight.leave();
  };
  app.addHook('onRequestAbort', (request, done) => {
    leaveInFlight(request);
    done();
  });
  app.addHook('onResponse', (request, reply, done) => {
    leaveInFlight(request);
    const context = request[requestContext];
    const route = context ? (context.route ?? 'unmatched') : routeOf(request);
    const status = reply.statusCode;
    const statusClass = `${Math.floor(status / 100)}xx`;
    const elapsedMs = reply.elapsedTime;
    observeWithTrace(httpRequestDuration, { method: request.method, route, status_class: statusClass }, elapsedMs / 1000, context?.span);
    httpRequests.inc({ method: request.method, route, status_class: statusClass, tenant_id: tenantLabel(context?.tenantId) });
    if (status >= 400) httpErrors.inc({ endpoint: route, status_code: String(status), error_type: request[errorType] ?? 'response' });
    const completed = () =>
      log.info({ method: request.method, route, status, duration_ms: Math.round(elapsedMs * 1000) / 1000 }, 'request completed');
    if (request[contextResource]) request[contextResource].runInAsyncScope(completed);
    else completed();
    done();
  });

  app.setErrorHandler((error: FastifyError, request, reply) => {
    if (error instanceof HttpProblem) {
      request[errorType] = 'HttpProblem';
      reply.headers(error.headers);
      return sendProblem(request, reply, error.status, error.title, error.message === error.title ? undefined : error.message, error.extensions);
    }
    if (error.validation) {
      request[errorType] = 'ValidationError';
      return sendProblem(request, reply, 400, 'Validation failed', 'The request has invalid fields.', { errors: invalidFields(error) });
    }
    const database = databaseProblem(error);
    if (database) {
      request[errorType] = database.errorType;
      if (database.status === 503) errorLog.warn({ err: error, endpoint: routeOf(request) }, 'database unavailable');
      reply.headers(database.headers);
      return sendProblem(request, reply, database.status, database.title, database.detail);
    }
    const status = error.statusCode ?? 500;
    if (status >= 400 && status < 500) {
      request[errorType] = error.code ?? error.name;
      return sendProblem(request, reply, status, STATUS_TITLES[status] ?? 'Bad Request', error.message);
    }
    const group = fingerprintError(error);
    request[errorType] = group.errorType;
    errorLog.error({ err: error, fingerprint: group.fingerprint, endpoint: routeOf(request) }, 'unhandled error');
    request[requestContext]?.span?.setAttribute('error.fingerprint', group.fingerprint);
    recordErrorGroup(platform.db, group, { endpoint: `${request.method} ${routeOf(request)}`, requestId: request.id }).catch((failure: unknown) =>
      errorLog.warn({ err: failure, fingerprint: group.fingerprint }, 'could not record the error group'),
    );
    return sendProblem(request, reply, 500, 'Internal Server Error', 'An unexpected error occurred; quote the request_id to support.');
  });

  app.setNotFoundHandler((request, reply) => {
    request[errorType] = 'NotFound';
    return sendProblem(request, reply, 404, 'Not Found', `No route for ${request.method} ${request.url.split('?')[0]}`);
  });

  app.decorateRequest('principal', null);
  app.decorateRequest(errorType, undefined);
  app.decorateRequest(requestContext, undefined);
  app.decorateRequest(inFlight, false);
  registerOpenApi(app);

  refuseNulInJson(app);
  registerOpsEndpoints(app, platform);
  addSecurityHeaders(app, { forwardedHostTrusted: platform.config.http.trustProxy !== false });
  checkAccessBeforeBody(app);

  for (const module of modules) module.hooks?.(app, platform);
  for (const module of modules) {
    const routes = module.routes;
    if (routes) await app.register(async (scope) => routes(scope, platform));
  }
  await app.register(async (scope) => jobsAdminRoutes(scope, platform));
  return app;
}
