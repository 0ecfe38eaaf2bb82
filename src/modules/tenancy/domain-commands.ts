import { randomBytes } from 'node:crypto';
import type { Db, Tx } from '../../platform/db/database.ts';
import { HttpProblem } from '../../platform/http/problem.ts';
import { asStoreCommand } from './command-log.ts';
import type { TxtResolver } from './dns.ts';
import { type DomainView, VERIFICATION_LABEL, isUniqueViolation, normaliseCustomHostname, view } from './domains.ts';
import type { PlatformCommand } from './repository.ts';

/** A custom-domain change by a platform operator: which store, which domain, who, why, which ticket. */
export interface DomainCommand {
  tenantId: string;
  hostname: string;
  actor: string;
  reason: string;
  ticket?: string;
}

/** The domain change as a platform command whose reason names the domain. */
const asCommand = <T>(db: Db, command: DomainCommand, name: string, change: (trx: Tx) => Promise<T>) =>
  asStoreCommand(db, { ...command, reason: `${command.hostname}: ${command.reason}` }, name, change);

const findDomain = async (trx: Tx, hostname: string) => {
  const domain = await trx.selectFrom('custom_domains').selectAll().where('hostname', '=', hostname).executeTakeFirst();
  if (!domain) throw new HttpProblem(404, 'Not Found', `${hostname} is not one of this store's domains.`);
  return domain;
};

/** `tenant.domain.add`: a pending domain and the TXT record that will prove control of it. */
export async function addDomainCommand(db: Db, platformDomain: string, command: DomainCommand): Promise<{ domain: DomainView; command: PlatformCommand }> {
  const hostname = normaliseCustomHostname(command.hostname, platformDomain);
  try {
    const { result, command: recorded } = await asCommand(db, { ...command, hostname }, 'tenant.domain.add', (trx) =>
      trx
        .insertInto('custom_domains')
        .values({ tenant_id: command.tenantId, hostname, verification_token: randomBytes(18).toString('base64url') })
        .returningAll()
        .executeTakeFirstOrThrow(),
    );
    return { domain: view(result), command: recorded };
  } catch (error) {
    if (isUniqueViolation(error)) throw new HttpProblem(409, 'Conflict', `${hostname} is already one of this store's domains.`);
    throw error;
  }
}

/**
 * `tenant.domain.verify`: looks up the TXT record and, when it matches, activates the domain and records the
 * command; a failed check changes nothing but the domain's last error and is answered 409 with it.
 */
export async function verifyDomainCommand(db: Db, resolver: TxtResolver, command: DomainCommand): Promise<{ domain: DomainView; command: PlatformCommand }> {
  const hostname = command.hostname.toLowerCase();
  const pending = await db.withTenant(command.tenantId, (trx) => findDomain(trx, hostname));
  let failure: string | undefined;
  try {
    const records = await resolver.resolveTxt(`${VERIFICATION_LABEL}.${hostname}`);
    if (!records.includes(`village-verification=${pending.verification_token}`)) failure = `No TXT record ${VERIFICATION_LABEL}.${hostname} with the expected value was found.`;
  } catch (error) {
    failure = `DNS lookup failed (${(error as NodeJS.ErrnoException).code ?? 'error'}); try again later.`;
  }
  if (failure) {
    await db.withTenant(command.tenantId, (trx) => trx.updateTable('custom_domains').set({ last_checked_at: new Date(), last_error: failure }).where('id', '=', pending.id).execute());
    throw new HttpProblem(409, 'Not verified', failure, { extensions: { verification: view(pending).verification } });
  }
  try {
    const { result, command: recorded } = await asCommand(db, { ...command, hostname }, 'tenant.domain.verify', (trx) =>
      trx
        .updateTable('custom_domains')
        .set({ last_checked_at: new Date(), last_error: null, verified_at: new Date() })
        .where('id', '=', pending.id)
        .returningAll()
        .executeTakeFirstOrThrow(),
    );
    return { domain: view(result), command: recorded };
  } catch (error) {
    if (isUniqueViolation(error)) throw new HttpProblem(409, 'Conflict', `Another store already serves ${hostname}.`);
    throw error;
  }
}

/** `tenant.domain.remove`: the store is no longer served there. */
export async function removeDomainCommand(db: Db, command: DomainCommand): Promise<PlatformCommand> {
  const hostname = command.hostname.toLowerCase();
  const { command: recorded } = await asCommand(db, { ...command, hostname }, 'tenant.domain.remove', async (trx) => {
    const domain = await findDomain(trx, hostname);
    await trx.deleteFrom('custom_domains').where('id', '=', domain.id).execute();
  });
  return recorded;
}
