import type { Db } from '../../platform/db/database.ts';
import type { Mail } from '../../platform/mail/mail.ts';
import { inviteStoreOwner, reinviteStoreOwner } from '../identity/index.ts';
import { type OnboardingCommand, type StoreCommand, asStoreCommand, onboardStore } from '../tenancy/index.ts';

export interface NewStore extends OnboardingCommand {
  owner: { email: string; name: string };
}

/**
 * The one way a store comes to exist, whichever door (console, HTTP API, command line, sign-up page): the store,
 * its settings, the audited `tenant.create` command, its owner and the owner's invitation mail in one transaction.
 * The mail leaves after commit through the outbox (retried there), so a failing relay never undoes a store.
 */
export async function createStore(db: Db, mail: Mail, storeOrigin: (subdomain: string) => string, store: NewStore) {
  const { owner, ...command } = store;
  let invited: { userId: string; expiresAt: Date } | undefined;
  const created = await onboardStore(db, command, async (trx, tenant) => {
    invited = await inviteStoreOwner(mail, trx, {
      tenantId: tenant.id,
      storeName: tenant.name,
      storeOrigin: storeOrigin(tenant.subdomain),
      email: owner.email,
      displayName: owner.name,
    });
  });
  return { ...created, owner: { id: invited!.userId, email: owner.email.trim().toLowerCase(), invitationExpiresAt: invited!.expiresAt } };
}

/** `tenant.owner.invite`: a new link for an owner who never chose a password (the first one expired or went astray). */
export async function reinviteOwner(db: Db, mail: Mail, storeOrigin: (subdomain: string) => string, command: StoreCommand) {
  const { result, command: recorded } = await asStoreCommand(db, command, 'tenant.owner.invite', (trx, store) =>
    reinviteStoreOwner(mail, trx, { tenantId: store.id, storeName: store.name, storeOrigin: storeOrigin(store.subdomain) }),
  );
  return { command: recorded, owner: { id: result.userId, email: result.email, invitationExpiresAt: result.expiresAt } };
}
