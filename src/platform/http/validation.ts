import AjvCompiler from '@fastify/ajv-compiler';
import type { FastifyError, FastifyInstance, FastifyRequest, FastifyServerOptions } from 'fastify';

/**
 * Request validation. JSON bodies are validated strictly: no type coercion (a number is not a string, a
 * one-element array is not a scalar) and unknown fields refused rather than silently dropped. The query string,
 * path parameters, headers and HTML form bodies are text by nature, so there numbers and booleans are still read
 * from their text. (allErrors stays off: collecting every error of a hostile body costs in proportion to its size.)
 */
const STRICT_BODY = { coerceTypes: false, removeAdditional: false, useDefaults: true, allErrors: false } as const;
const FORM_BODY = Symbol('formBody');

type Validator = ((data: unknown) => boolean) & { errors?: unknown };

export function validationOptions(): Pick<FastifyServerOptions, 'schemaController'> {
  const strict = AjvCompiler();
  const textual = AjvCompiler();
  return {
    schemaController: {
      compilersFactory: {
        buildValidator(externalSchemas, ajvOptions) {
          const options = ajvOptions ?? { customOptions: {}, plugins: [] };
          const body = strict(externalSchemas as never, { ...options, customOptions: { ...options.customOptions, ...STRICT_BODY } } as never);
          const other = textual(externalSchemas as never, options as never);
          return (route) => {
            if (route.httpPart !== 'body') return other(route);
            const json = body(route) as Validator;
            const form = other(route) as Validator;
            const validate: Validator = (data) => {
              const chosen = typeof data === 'object' && data !== null && FORM_BODY in data ? form : json;
              const valid = chosen(data);
              validate.errors = chosen.errors;
              return valid;
            };
            return validate as never;
          };
        },
      },
    },
  };
}

/** Marks an HTML form body (all text) before validation, so its fields are read from text like a query string. */
export function markFormBody(request: FastifyRequest): void {
  const form = typeof request.body === 'object' && request.body !== null && (request.headers['content-type'] ?? '').toLowerCase().startsWith('application/x-www-form-urlencoded');
  if (form) Object.defineProperty(request.body, FORM_BODY, { value: true, enumerable: false });
}

/** The failing fields of a validation error, as `body/variants/0/price_minor`, `querystring/limit`, … */
export function invalidFields(error: FastifyError): { field: string; message: string }[] {
  return (error.validation ?? []).map((issue) => {
    const params = (issue.params ?? {}) as Record<string, unknown>;
    const child = params.missingProperty ?? params.additionalProperty;
    const message = 'additionalProperty' in params ? 'is not a known field' : (issue.message ?? 'is invalid');
    return { field: `${error.validationContext ?? 'body'}${issue.instancePath || ''}${child === undefined ? '' : `/${String(child)}`}`, message };
  });
}

/**
 * JSON bodies whose text holds U+0000, which no PostgreSQL text column can store, are refused as bad input (a 400)
 * instead of failing deep in the database. JSON can carry it only as the escape \u0000, so only such bodies pay for
 * the check.
 */
export function refuseNulInJson(app: FastifyInstance): void {
  const nul = /\\u0000/i;
  const parseJson = app.getDefaultJsonParser('error', 'error');
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (request, body, done) => {
    const text = body as string;
    if (!nul.test(text)) return parseJson(request, text, done);
    parseJson(request, text, (error, value) => {
      if (error) return done(error, undefined);
      if (holdsNul(value)) return done(Object.assign(new Error('Text values may not contain U+0000.'), { statusCode: 400 }), undefined);
      done(null, value);
    });
  });
}

function holdsNul(value: unknown): boolean {
  if (typeof value === 'string') return value.includes('\u0000');
  if (Array.isArray(value)) return value.some(holdsNul);
  if (typeof value === 'object' && value !== null) return Object.entries(value).some(([key, item]) => key.includes('\u0000') || holdsNul(item));
  return false;
}
