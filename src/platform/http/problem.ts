import type { FastifyReply, FastifyRequest } from 'fastify';

/** RFC 9457 problem details, the body of every error response. */
export interface ProblemBody {
  type: string;
  title: string;
  status: number;
  detail?: string;
  instance?: string;
  request_id: string;
  [extension: string]: unknown;
}

/** Throw from a route or service to answer with a problem response; anything else thrown is a 500. */
export class HttpProblem extends Error {
  readonly status: number;
  readonly title: string;
  readonly extensions: Record<string, unknown>;
  readonly headers: Record<string, string>;

  constructor(
    status: number,
    title: string,
    detail?: string,
    options: { extensions?: Record<string, unknown>; headers?: Record<string, string> } = {},
  ) {
    super(detail ?? title);
    this.name = 'HttpProblem';
    this.status = status;
    this.title = title;
    this.extensions = options.extensions ?? {};
    this.headers = options.headers ?? {};
  }
}

export const PROBLEM_CONTENT_TYPE = 'application/problem+json; charset=utf-8';

export function problemType(status: number): string {
  return `https://docs.villagestorefront.dev/problems/${status}`;
}

export function sendProblem(
  request: FastifyRequest,
  reply: FastifyReply,
  status: number,
  title: string,
  detail?: string,
  extensions: Record<string, unknown> = {},
): FastifyReply {
  const body: ProblemBody = {
    type: problemType(status),
    title,
    status,
    ...(detail ? { detail } : {}),
    instance: request.url.split('?')[0],
    request_id: request.id,
    ...extensions,
  };
  return reply.code(status).type(PROBLEM_CONTENT_TYPE).send(body);
}
