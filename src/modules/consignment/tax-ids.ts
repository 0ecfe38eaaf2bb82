import { sql } from 'kysely';
import type { DataKeysConfig } from '../../platform/config/config.ts';
import type { Tx } from '../../platform/db/database.ts';
import { ConsignmentError } from './errors.ts';

/**
 * Tax identifiers are encrypted by PostgreSQL (pgcrypto `pgp_sym_encrypt`, AES-256) with the current data key and
 * stored with that key's version. Every encrypt and decrypt writes a row of the access log in the same unit of
 * work (operation, key version, consignor, actor; never the value), so no read of a value goes unrecorded.
 */
const ALGORITHM = 'cipher-algo=aes256';

function keyOf(keys: DataKeysConfig, version: number): string {
  const key = keys.keys.get(version);
  if (!key) throw new Error(`data key version ${version} is not configured (PII_ENCRYPTION_KEYS); it is still needed to decrypt`);
  return key;
}

async function logAccess(trx: Tx, tenantId: string, consignorIds: string[], operation: 'encrypt' | 'decrypt', keyVersions: number[], purpose: 'set' | 'reveal' | 'rotate'): Promise<void> {
  await sql`
    insert into consignor_tax_id_access_log (tenant_id, consignor_id, operation, key_version, actor, purpose)
    select ${tenantId}, u.consignor_id, ${operation}, u.key_version, coalesce(app_current_actor(), ${`system:${purpose}`}), ${purpose}
      from unnest(${consignorIds}::uuid[], ${keyVersions}::int[]) as u(consignor_id, key_version)`.execute(trx);
}

export async function setTaxId(trx: Tx, keys: DataKeysConfig, tenantId: string, consignorId: string, taxId: string): Promise<{ has_tax_id: true; tax_id_key_version: number }> {
  const normalized = taxId.replaceAll(/[\s-]/g, '').toUpperCase();
  const updated = await sql<{ id: string }>`
    update consignors set tax_id_ciphertext = pgp_sym_encrypt(${normalized}, ${keyOf(keys, keys.current)}, ${ALGORITHM}), tax_id_key_version = ${keys.current}
     where tenant_id = ${tenantId} and id = ${consignorId}
     returning id`.execute(trx);
  if (updated.rows.length === 0) throw new ConsignmentError('consignor_not_found', 'No consignor with this id in this store.');
  await logAccess(trx, tenantId, [consignorId], 'encrypt', [keys.current], 'set');
  return { has_tax_id: true, tax_id_key_version: keys.current };
}

/** The tax identifier in clear (for tax forms), its read recorded. */
export async function revealTaxId(trx: Tx, keys: DataKeysConfig, tenantId: string, consignorId: string): Promise<{ tax_id: string; key_version: number }> {
  const row = await trx
    .selectFrom('consignors')
    .select(['tax_id_key_version'])
    .where('tenant_id', '=', tenantId)
    .where('id', '=', consignorId)
    .executeTakeFirst();
  if (!row) throw new ConsignmentError('consignor_not_found', 'No consignor with this id in this store.');
  const version = row.tax_id_key_version;
  if (version === null) throw new ConsignmentError('tax_id_absent', 'This consignor has no tax identifier on file.');
  const { rows } = await sql<{ tax_id: string }>`
    select pgp_sym_decrypt(tax_id_ciphertext, ${keyOf(keys, version)}) as tax_id from consignors where tenant_id = ${tenantId} and id = ${consignorId}`.execute(trx);
  await logAccess(trx, tenantId, [consignorId], 'decrypt', [version], 'reveal');
  return { tax_id: rows[0]!.tax_id, key_version: version };
}

/**
 * Re-encrypts up to `batch` of the store's values sealed with an older key to the current one; returns how many.
 * Rows are taken with SKIP LOCKED, so two rotation runs share the work instead of waiting on each other.
 */
export async function rotateTaxIds(trx: Tx, keys: DataKeysConfig, tenantId: string, batch = 500): Promise<number> {
  const stale = await trx
    .selectFrom('consignors')
    .select(['id', 'tax_id_key_version'])
    .where('tenant_id', '=', tenantId)
    .where('tax_id_key_version', 'is not', null)
    .where('tax_id_key_version', '<>', keys.current)
    .limit(batch)
    .forUpdate()
    .skipLocked()
    .execute();
  const byVersion = new Map<number, string[]>();
  for (const row of stale) byVersion.set(row.tax_id_key_version!, [...(byVersion.get(row.tax_id_key_version!) ?? []), row.id]);
  for (const [version, ids] of byVersion) {
    await sql`
      update consignors
         set tax_id_ciphertext = pgp_sym_encrypt(pgp_sym_decrypt(tax_id_ciphertext, ${keyOf(keys, version)}), ${keyOf(keys, keys.current)}, ${ALGORITHM}),
             tax_id_key_version = ${keys.current}
       where tenant_id = ${tenantId} and id = any(${ids}::uuid[])`.execute(trx);
    await logAccess(trx, tenantId, ids, 'decrypt', ids.map(() => version), 'rotate');
    await logAccess(trx, tenantId, ids, 'encrypt', ids.map(() => keys.current), 'rotate');
  }
  return stale.length;
}

/** Stores holding values under an older key (platform context: the rotation sweep). */
export async function storesWithStaleTaxIds(trx: Tx, current: number): Promise<string[]> {
  const rows = await trx.selectFrom('consignors').select('tenant_id').distinct().where('tax_id_key_version', '<>', current).execute();
  return rows.map((row) => row.tenant_id);
}

export async function taxIdAccessLog(trx: Tx, tenantId: string, consignorId: string) {
  const rows = await trx
    .selectFrom('consignor_tax_id_access_log')
    .select(['operation', 'key_version', 'actor', 'purpose', 'created_at'])
    .where('tenant_id', '=', tenantId)
    .where('consignor_id', '=', consignorId)
    .orderBy('id')
    .execute();
  return rows.map((row) => ({ ...row, created_at: row.created_at.toISOString() }));
}
