import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';

/** 1–128 characters of [A-Za-z0-9._:-]: anything else (CR/LF, quotes, unicode, over-long) is replaced. */
const ACCEPTED = /^[A-Za-z0-9._:-]{1,128}$/;

export function requestIdFrom(request: IncomingMessage): string {
  const header = request.headers['x-request-id'];
  return typeof header === 'string' && ACCEPTED.test(header) ? header : randomUUID();
}

/** The header value when one was sent but refused, for logging the replacement. */
export function refusedRequestId(request: IncomingMessage, accepted: string): string | undefined {
  const header = request.headers['x-request-id'];
  if (header === undefined || header === accepted) return undefined;
  return (Array.isArray(header) ? header.join(',') : header).slice(0, 200);
}
