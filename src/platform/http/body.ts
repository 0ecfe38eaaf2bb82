import type { onRequestAsyncHookHandler } from 'fastify';
import { HttpProblem } from './problem.ts';

/**
 * An onRequest hook for routes that take a large body in a few formats: any other content type is a 415 before a
 * byte of the body is read (the route's large limit then applies only to the formats it documents).
 */
export function acceptOnly(contentTypes: readonly string[]): onRequestAsyncHookHandler {
  return async (request) => {
    const type = (request.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
    if (!contentTypes.includes(type)) {
      throw new HttpProblem(415, 'Unsupported Media Type', `This endpoint accepts ${contentTypes.join(', ')}.`, {
        extensions: { accepted_content_types: contentTypes },
      });
    }
  };
}
