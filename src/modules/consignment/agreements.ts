import type { Tx } from '../../platform/db/database.ts';
import { isForeignKeyViolation } from '../../platform/db/errors.ts';
import { ConsignmentError } from './errors.ts';
import { storeTerms } from './terms.ts';

export interface AcceptanceInput {
  agreement_version: number;
  ip_address: string;
  user_agent: string | null;
  channel: 'portal' | 'in_store';
}

const toAcceptance = (row: { id: string; consignor_id: string; agreement_version: number; accepted_at: Date; ip_address: string; user_agent: string | null; channel: 'portal' | 'in_store' }) => ({
  ...row,
  accepted_at: row.accepted_at.toISOString(),
});

/**
 * Records that the consignor accepted a version of the store's agreement, from which address: append-only, so
 * the history of what was agreed stays as it happened. Only the store's current version can be accepted.
 */
export async function acceptAgreement(trx: Tx, tenantId: string, consignorId: string, input: AcceptanceInput) {
  const terms = await storeTerms(trx, tenantId);
  if (input.agreement_version !== terms.agreement_version) {
    throw new ConsignmentError('agreement_version_unknown', `The store's current agreement is version ${terms.agreement_version}.`);
  }
  const row = await trx
    .insertInto('consignor_agreement_acceptances')
    .values({ tenant_id: tenantId, consignor_id: consignorId, agreement_version: input.agreement_version, ip_address: input.ip_address, user_agent: input.user_agent?.slice(0, 500) ?? null, channel: input.channel })
    .returning(['id', 'consignor_id', 'agreement_version', 'accepted_at', 'ip_address', 'user_agent', 'channel'])
    .executeTakeFirst()
    .catch((error: unknown) => {
      if (isForeignKeyViolation(error)) throw new ConsignmentError('consignor_not_found', 'No consignor with this id in this store.');
      throw error;
    });
  return toAcceptance(row!);
}

export async function acceptancesOf(trx: Tx, tenantId: string, consignorId: string) {
  const rows = await trx
    .selectFrom('consignor_agreement_acceptances')
    .select(['id', 'consignor_id', 'agreement_version', 'accepted_at', 'ip_address', 'user_agent', 'channel'])
    .where('tenant_id', '=', tenantId)
    .where('consignor_id', '=', consignorId)
    .orderBy('accepted_at')
    .execute();
  return rows.map(toAcceptance);
}
