import { isIP } from 'node:net';
import { domainToASCII } from 'node:url';

/** What a request's Host names: the platform itself, a store subdomain, a possible custom domain, or nothing. */
export type HostTarget =
  | { kind: 'platform'; host: string }
  | { kind: 'subdomain'; host: string; subdomain: string }
  | { kind: 'custom'; host: string }
  | { kind: 'none'; host: string };

export class HostError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'HostError';
  }
}

const MAX_NAME = 253;
const LABEL = /^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/;

/**
 * Normalises a Host header (port stripped, lower-cased, IDNA to punycode, trailing dot dropped) and says what it
 * names under `platformDomain`. Throws HostError for a missing, malformed or over-long host.
 */
export function parseHost(raw: string | undefined, platformDomain: string): HostTarget {
  if (raw === undefined || raw === '') throw new HostError('The request has no Host header.');
  if (raw.length > MAX_NAME + 7) throw new HostError(`The Host header is longer than ${MAX_NAME} characters.`);
  const match = /^(\[[0-9a-fA-F:.]+\]|[^:[\]]+)(?::(\d{1,5}))?$/.exec(raw);
  if (!match || Number(match[2] ?? 0) > 65535) throw new HostError('The Host header is not a valid host[:port].');
  const literal = match[1]!;
  if (literal.startsWith('[') || isIP(literal)) return { kind: 'none', host: literal.toLowerCase() };

  // Already lower-case ASCII (nearly every request) needs no IDNA mapping.
  const host = (/^[a-z0-9.-]+$/.test(literal) ? literal : domainToASCII(literal)).replace(/\.$/, '');
  if (host === '' || host.length > MAX_NAME || !host.split('.').every((label) => LABEL.test(label))) {
    throw new HostError('The Host header is not a valid domain name.');
  }
  if (host === platformDomain) return { kind: 'platform', host };
  if (host.endsWith(`.${platformDomain}`)) {
    const subdomain = host.slice(0, -(platformDomain.length + 1));
    return subdomain.includes('.') ? { kind: 'none', host } : { kind: 'subdomain', host, subdomain };
  }
  return { kind: 'custom', host };
}
