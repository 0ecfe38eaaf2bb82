/**
 * Which subdomains a merchant may claim. Refused: names the platform uses itself, and names that a reader
 * would take for one of them (homoglyph digits, `rn` for `m`, doubled or stray hyphens).
 */
const RESERVED = new Set([
  'admin', 'api', 'app', 'assets', 'auth', 'billing', 'cdn', 'console', 'dashboard', 'demo', 'docs', 'help',
  'login', 'mail', 'metrics', 'ns1', 'ns2', 'platform', 'root', 'security', 'shop', 'signup', 'smtp', 'static',
  'status', 'store', 'support', 'system', 'www',
]);

const SHAPE = /^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/;

/** The form two names share when a reader could mistake one for the other. */
export function skeleton(name: string): string {
  return name
    .toLowerCase()
    .replaceAll('rn', 'm')
    .replaceAll('vv', 'w')
    .replace(/[01345]/g, (digit) => ({ '0': 'o', '1': 'l', '3': 'e', '4': 'a', '5': 's' })[digit] ?? digit)
    .replaceAll('i', 'l')
    .replaceAll('-', '');
}

const RESERVED_SKELETONS = new Set([...RESERVED].map(skeleton));

export type ClaimRefusal = 'invalid' | 'reserved' | 'confusable';

/** Why a subdomain cannot be claimed, or undefined when it can (uniqueness is the database's). */
export function subdomainRefusal(subdomain: string): ClaimRefusal | undefined {
  if (!SHAPE.test(subdomain) || subdomain.includes('--')) return 'invalid';
  if (RESERVED.has(subdomain)) return 'reserved';
  if (RESERVED_SKELETONS.has(skeleton(subdomain))) return 'confusable';
  return undefined;
}
