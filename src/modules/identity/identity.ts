import { hash } from '@node-rs/bcrypt';
import { LRUCache } from 'lru-cache';
import type { Db, Tx } from '../../platform/db/database.ts';
import type { Mail } from '../../platform/mail/mail.ts';
import type { Platform } from '../../platform/platform.ts';
import { type KeySource, keySource } from './keys.ts';
import { RevocationList } from './revocations.ts';
import { WINDOW_MS } from './throttle.ts';

/** The identity module's state for one running platform: its database, its signing keys, its bcrypt cost. */
export interface Identity {
  db: Db;
  keys: KeySource;
  bcryptCost: number;
  /** A hash checked when no account matches, so that an unknown e-mail costs as much time as a wrong password. */
  decoyHash: Promise<string>;
  revocations: RevocationList;
  /** Client addresses with a failed login on this replica within the throttling window. */
  suspectAddresses: LRUCache<string, true>;
  mail: Mail;
}

const identities = new WeakMap<Platform, Identity>();

export function identityOf(platform: Platform): Identity {
  let identity = identities.get(platform);
  if (!identity) {
    const bcryptCost = platform.config.auth.bcryptCost;
    identity = {
      db: platform.db,
      keys: keySource(platform.config.auth, platform.db),
      bcryptCost,
      // Outside the bcrypt lanes: once per process, and it must not be shed.
      decoyHash: hash('decoy password, matches nothing', { cost: bcryptCost }),
      revocations: new RevocationList(platform.db),
      suspectAddresses: new LRUCache({ max: 100_000, ttl: WINDOW_MS }),
      mail: platform.mail,
    };
    identities.set(platform, identity);
  }
  return identity;
}

/** The unit of work of an account's home: its store, or the platform context for platform super-users. */
export function inHome<T>(db: Db, tenantId: string | null, fn: (trx: Tx) => Promise<T>): Promise<T> {
  return tenantId ? db.withTenant(tenantId, fn) : db.withPlatform(fn);
}
