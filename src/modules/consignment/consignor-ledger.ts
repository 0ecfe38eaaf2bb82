import type { Tx } from '../../platform/db/database.ts';
import { type Balance, type LedgerEntry, balanceOf, listEntries } from './ledger.ts';
import { listNotifications } from './notifications.ts';
import { type Payout, payoutsOfConsignor } from './payout-runs.ts';
import { payoutSettings } from './payout-settings.ts';
import { type Statement, listStatements } from './statements.ts';

/**
 * One consignor's own view of the ledger, for the consignor portal: every read is filtered by the consignor,
 * inside the caller's store transaction, so a consignor's token reaches no one else's figures.
 */
export const consignorLedger = {
  async balance(trx: Tx, consignorId: string): Promise<Balance> {
    return balanceOf(trx, consignorId, (await payoutSettings(trx)).currency);
  },
  entries: (trx: Tx, consignorId: string, options: { before?: string; limit: number }): Promise<LedgerEntry[]> => listEntries(trx, { consignorId, ...options }),
  payouts: (trx: Tx, consignorId: string, limit: number): Promise<Payout[]> => payoutsOfConsignor(trx, consignorId, limit),
  statements: (trx: Tx, consignorId: string, limit: number): Promise<Statement[]> => listStatements(trx, { consignorId, limit }),
  /** The statement's HTML or CSV, only when it is this consignor's. */
  async statementDocument(trx: Tx, consignorId: string, statementId: string, format: 'html' | 'csv'): Promise<string | undefined> {
    const row = await trx.selectFrom('consignment_statements').select(['html', 'csv']).where('id', '=', statementId).where('consignor_id', '=', consignorId).executeTakeFirst();
    return row?.[format];
  },
  notifications: (trx: Tx, consignorId: string, limit: number) => listNotifications(trx, consignorId, limit),
};
