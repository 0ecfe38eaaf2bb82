import { type CryptoKey, type JWK, calculateJwkThumbprint, exportJWK, generateKeyPair, importJWK } from 'jose';
import type { AuthConfig } from '../../platform/config/config.ts';
import type { Db } from '../../platform/db/database.ts';
import { logger } from '../../platform/observability/logger.ts';
import { hasActiveSigningKey, replaceActiveSigningKey, usableSigningKeys, withSigningKeyLock } from './repository.ts';

export const SIGNING_ALG = 'ES256';
/** How long a retired key keeps verifying: the access-token lifetime plus clock skew. */
export const RETIRED_KEY_GRACE_MS = 20 * 60_000;
const RELOAD_AFTER_MS = 60_000;
const UNKNOWN_KID_RELOAD_MS = 5_000;

export interface KeyRing {
  kid: string;
  privateKey: CryptoKey;
  /** Every key that verifies, by kid: the signing key and the retired ones still in their grace period. */
  publicKeys: Map<string, CryptoKey>;
  jwks: { keys: JWK[] };
}

/** Where the keys come from: the configured JWKs (prod), or the database (the embedded default). */
export interface KeySource {
  current(): Promise<KeyRing>;
  /** The ring that knows `kid` if any does: another process may have rotated since the last load. */
  lookup(kid: string): Promise<CryptoKey | undefined>;
}

const publicPart = ({ kty, crv, x, y }: JWK): JWK => ({ kty, crv, x, y });

async function buildRing(keys: { kid: string; private_jwk: JWK }[], signingKid: string): Promise<KeyRing> {
  const publicKeys = new Map<string, CryptoKey>();
  const jwks: JWK[] = [];
  let privateKey: CryptoKey | undefined;
  for (const { kid, private_jwk } of keys) {
    if (private_jwk.kty !== 'EC' || private_jwk.crv !== 'P-256') throw new Error(`signing key ${kid} is not an EC P-256 key (ES256)`);
    const pub = publicPart(private_jwk);
    publicKeys.set(kid, (await importJWK(pub, SIGNING_ALG)) as CryptoKey);
    jwks.push({ ...pub, kid, alg: SIGNING_ALG, use: 'sig' });
    if (kid === signingKid) privateKey = (await importJWK(private_jwk, SIGNING_ALG)) as CryptoKey;
  }
  if (!privateKey) throw new Error(`no signing key with kid ${signingKid}`);
  return { kid: signingKid, privateKey, publicKeys, jwks: { keys: jwks } };
}

/** A new ES256 key named by its RFC 7638 thumbprint. */
export async function generateSigningKey(): Promise<{ kid: string; private_jwk: JWK; public_jwk: JWK }> {
  const { privateKey } = await generateKeyPair(SIGNING_ALG, { extractable: true });
  const private_jwk = await exportJWK(privateKey);
  const public_jwk = publicPart(private_jwk);
  return { kid: await calculateJwkThumbprint(public_jwk), private_jwk, public_jwk };
}

export function configuredKeys(config: AuthConfig): KeySource {
  const ring = buildRing(
    (config.signingKeys ?? []).map((jwk) => ({ kid: jwk.kid as string, private_jwk: jwk as JWK })),
    config.signingKid!,
  );
  return { current: () => ring, lookup: async (kid) => (await ring).publicKeys.get(kid) };
}

/**
 * Keys kept in `signing_keys`: the first start creates one; `rotateDatabaseKey` adds a new signing key and
 * retires the old one, which keeps verifying through its grace period, so rotation logs nobody out.
 */
export function databaseKeys(db: Db): KeySource {
  let ring: Promise<KeyRing> | undefined;
  let loadedAt = 0;

  const load = async (): Promise<KeyRing> => {
    let rows = await usableSigningKeys(db, new Date(Date.now() - RETIRED_KEY_GRACE_MS));
    if (!rows.some((row) => row.retired_at === null)) {
      await withSigningKeyLock(db, async (trx) => {
        if (await hasActiveSigningKey(trx)) return;
        await replaceActiveSigningKey(trx, await generateSigningKey());
        logger('identity').info('generated a token signing key (embedded default)');
      });
      rows = await usableSigningKeys(db, new Date(Date.now() - RETIRED_KEY_GRACE_MS));
    }
    const signing = rows.find((row) => row.retired_at === null)!;
    return buildRing(
      rows.map((row) => ({ kid: row.kid, private_jwk: row.private_jwk as JWK })),
      signing.kid,
    );
  };
  const reload = () => {
    loadedAt = Date.now();
    const next = load();
    // A failed load is retried by the next caller instead of being cached.
    next.catch(() => {
      if (ring === next) loadedAt = 0;
    });
    ring = next;
    return next;
  };

  return {
    current: () => (ring && Date.now() - loadedAt < RELOAD_AFTER_MS ? ring : reload()),
    async lookup(kid) {
      const known = (await this.current()).publicKeys.get(kid);
      if (known || Date.now() - loadedAt < UNKNOWN_KID_RELOAD_MS) return known;
      return (await reload()).publicKeys.get(kid);
    },
  };
}

export async function rotateDatabaseKey(db: Db): Promise<string> {
  const key = await generateSigningKey();
  await withSigningKeyLock(db, (trx) => replaceActiveSigningKey(trx, key));
  return key.kid;
}

export function keySource(config: AuthConfig, db: Db): KeySource {
  return config.signingKeys ? configuredKeys(config) : databaseKeys(db);
}
