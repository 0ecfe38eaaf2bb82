import { randomBytes } from 'node:crypto';
import type { Db } from '../../platform/db/database.ts';
import { HttpProblem } from '../../platform/http/problem.ts';
import type { TxtResolver } from './dns.ts';
import { HostError, parseHost } from './host.ts';
import type { CustomDomain, ResolvedTenant } from './repository.ts';

/** The TXT record a merchant publishes: `_village-verification.<domain>  TXT  "village-verification=<token>"`. */
export const VERIFICATION_LABEL = '_village-verification';

export interface DomainView {
  hostname: string;
  status: 'pending' | 'active';
  verification: { type: 'TXT'; name: string; value: string };
  verified_at: Date | null;
  last_checked_at: Date | null;
  last_error: string | null;
}

export function view(domain: CustomDomain): DomainView {
  return {
    hostname: domain.hostname,
    status: domain.verified_at ? 'active' : 'pending',
    verification: { type: 'TXT', name: `${VERIFICATION_LABEL}.${domain.hostname}`, value: `village-verification=${domain.verification_token}` },
    verified_at: domain.verified_at,
    last_checked_at: domain.last_checked_at,
    last_error: domain.last_error,
  };
}

function invalidHostname(detail: string): HttpProblem {
  return new HttpProblem(400, 'Validation failed', detail, { extensions: { errors: [{ field: 'hostname', message: detail }] } });
}

/** The canonical (lower-case, punycode) form of a merchant's own domain; 400 for anything else. */
export function normaliseCustomHostname(raw: string, platformDomain: string): string {
  let target: ReturnType<typeof parseHost>;
  try {
    target = parseHost(raw.trim(), platformDomain);
  } catch (error) {
    if (error instanceof HostError) throw invalidHostname(`${JSON.stringify(raw.slice(0, 100))} is not a domain name.`);
    throw error;
  }
  if (target.kind !== 'custom' || raw.includes(':') || !target.host.includes('.')) {
    throw invalidHostname('A custom domain is a domain name of your own, without port, outside the platform domain.');
  }
  return target.host;
}

export const isUniqueViolation = (error: unknown) => (error as { code?: string }).code === '23505';

/** Adds a pending domain and returns the TXT record that proves control of it. */
export async function addCustomDomain(db: Db, platformDomain: string, tenantId: string, rawHostname: string): Promise<DomainView> {
  const hostname = normaliseCustomHostname(rawHostname, platformDomain);
  try {
    const domain = await db.withTenant(tenantId, (trx) =>
      trx
        .insertInto('custom_domains')
        .values({ tenant_id: tenantId, hostname, verification_token: randomBytes(18).toString('base64url') })
        .returningAll()
        .executeTakeFirstOrThrow(),
    );
    return view(domain);
  } catch (error) {
    if (isUniqueViolation(error)) throw new HttpProblem(409, 'Conflict', `${hostname} is already one of this store's domains.`);
    throw error;
  }
}

/** Looks up the TXT record; a match makes the domain active (and every replica serves it at once). */
export async function verifyCustomDomain(db: Db, resolver: TxtResolver, tenantId: string, hostname: string): Promise<DomainView> {
  const domain = await findDomain(db, tenantId, hostname);
  if (domain.verified_at) return view(domain);
  let lastError: string | null = null;
  try {
    const records = await resolver.resolveTxt(`${VERIFICATION_LABEL}.${domain.hostname}`);
    if (!records.includes(`village-verification=${domain.verification_token}`)) {
      lastError = `No TXT record ${VERIFICATION_LABEL}.${domain.hostname} with the expected value was found.`;
    }
  } catch (error) {
    lastError = `DNS lookup failed (${(error as NodeJS.ErrnoException).code ?? 'error'}); try again later.`;
  }
  try {
    const updated = await db.withTenant(tenantId, (trx) =>
      trx
        .updateTable('custom_domains')
        .set({ last_checked_at: new Date(), last_error: lastError, ...(lastError ? {} : { verified_at: new Date() }) })
        .where('id', '=', domain.id)
        .returningAll()
        .executeTakeFirstOrThrow(),
    );
    return view(updated);
  } catch (error) {
    if (isUniqueViolation(error)) throw new HttpProblem(409, 'Conflict', `Another store already serves ${domain.hostname}.`);
    throw error;
  }
}

export async function listCustomDomains(db: Db, tenantId: string): Promise<DomainView[]> {
  const domains = await db.withTenant(tenantId, (trx) => trx.selectFrom('custom_domains').selectAll().orderBy('hostname').execute());
  return domains.map(view);
}

export async function removeCustomDomain(db: Db, tenantId: string, hostname: string): Promise<void> {
  const domain = await findDomain(db, tenantId, hostname);
  await db.withTenant(tenantId, (trx) => trx.deleteFrom('custom_domains').where('id', '=', domain.id).execute());
}

async function findDomain(db: Db, tenantId: string, hostname: string): Promise<CustomDomain> {
  const domain = await db.withTenant(tenantId, (trx) =>
    trx.selectFrom('custom_domains').selectAll().where('hostname', '=', hostname.toLowerCase()).executeTakeFirst(),
  );
  if (!domain) throw new HttpProblem(404, 'Not Found', `${hostname} is not one of this store's domains.`);
  return domain;
}

/**
 * CORS: a store's browser origins are its subdomain and its verified custom domains, over https
 * (and http on the dev `localhost` platform domain).
 */
export function isAllowedOrigin(origin: string, tenant: ResolvedTenant, platformDomain: string): boolean {
  if (!URL.canParse(origin)) return false;
  const url = new URL(origin);
  const secure = url.protocol === 'https:' || (url.protocol === 'http:' && platformDomain === 'localhost');
  const hosts = [`${tenant.subdomain}.${platformDomain}`, ...tenant.custom_domains];
  return secure && hosts.includes(url.hostname);
}
