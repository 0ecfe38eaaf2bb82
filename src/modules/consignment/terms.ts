import type { Selectable } from 'kysely';
import type { Tx } from '../../platform/db/database.ts';
import { checkedPercent } from './percent.ts';
import type { ConsignorTermsTable, DiscountAbsorption, ExpiryOutcome, MarkdownStep, StoreTermsTable } from './repository.ts';
import type { ConsignorTerms, ConsignorTermsInput, StoreTerms, StoreTermsPatch } from './schemas.ts';

/** The terms that apply to one consignor's items: the store's, overridden column by column by the consignor's. */
export interface EffectiveTerms {
  commission_percent: number;
  /** Which layer the commission came from. */
  commission_source: 'store' | 'consignor';
  intake_fee_minor: number;
  monthly_fee_minor: number;
  period_days: number;
  grace_days: number;
  expiry_outcome: ExpiryOutcome;
  discount_absorption: DiscountAbsorption;
  expiry_notice_days: number;
  markdown_steps: MarkdownStep[];
}

const sortSteps = (steps: MarkdownStep[]) => [...steps].sort((a, b) => a.after_days - b.after_days);

function toStoreTerms(row: Selectable<StoreTermsTable>): StoreTerms {
  return {
    commission_percent: Number(row.commission_percent),
    intake_fee_minor: Number(row.intake_fee_minor),
    monthly_fee_minor: Number(row.monthly_fee_minor),
    period_days: row.period_days,
    grace_days: row.grace_days,
    expiry_outcome: row.expiry_outcome,
    discount_absorption: row.discount_absorption,
    expiry_notice_days: row.expiry_notice_days,
    markdown_steps: row.markdown_steps,
    agreement_version: row.agreement_version,
    agreement_text: row.agreement_text,
  };
}

/** The store's terms; a store that never set them has the defaults of the table. */
export async function storeTerms(trx: Tx, tenantId: string): Promise<StoreTerms> {
  await trx.insertInto('consignment_store_terms').values({ tenant_id: tenantId }).onConflict((oc) => oc.column('tenant_id').doNothing()).execute();
  return toStoreTerms(await trx.selectFrom('consignment_store_terms').selectAll().where('tenant_id', '=', tenantId).executeTakeFirstOrThrow());
}

/** Changes the store's terms; a changed agreement text is a new agreement version, which consignors accept anew. */
export async function updateStoreTerms(trx: Tx, tenantId: string, patch: StoreTermsPatch): Promise<StoreTerms> {
  const current = await storeTerms(trx, tenantId);
  const newAgreement = patch.agreement_text !== undefined && patch.agreement_text !== current.agreement_text;
  const row = await trx
    .updateTable('consignment_store_terms')
    .set({
      ...(patch.commission_percent !== undefined ? { commission_percent: checkedPercent(patch.commission_percent, 'commission_percent') } : {}),
      ...(patch.intake_fee_minor !== undefined ? { intake_fee_minor: patch.intake_fee_minor } : {}),
      ...(patch.monthly_fee_minor !== undefined ? { monthly_fee_minor: patch.monthly_fee_minor } : {}),
      ...(patch.period_days !== undefined ? { period_days: patch.period_days } : {}),
      ...(patch.grace_days !== undefined ? { grace_days: patch.grace_days } : {}),
      ...(patch.expiry_outcome !== undefined ? { expiry_outcome: patch.expiry_outcome } : {}),
      ...(patch.discount_absorption !== undefined ? { discount_absorption: patch.discount_absorption } : {}),
      ...(patch.expiry_notice_days !== undefined ? { expiry_notice_days: patch.expiry_notice_days } : {}),
      ...(patch.markdown_steps !== undefined ? { markdown_steps: JSON.stringify(sortSteps(patch.markdown_steps)) } : {}),
      ...(newAgreement ? { agreement_text: patch.agreement_text, agreement_version: current.agreement_version + 1 } : {}),
    })
    .where('tenant_id', '=', tenantId)
    .returningAll()
    .executeTakeFirstOrThrow();
  return toStoreTerms(row);
}

const NO_OVERRIDES: ConsignorTerms = {
  commission_percent: null,
  intake_fee_minor: null,
  monthly_fee_minor: null,
  period_days: null,
  grace_days: null,
  expiry_outcome: null,
  discount_absorption: null,
  markdown_steps: null,
};

function toConsignorTerms(row: Selectable<ConsignorTermsTable> | undefined): ConsignorTerms {
  if (!row) return NO_OVERRIDES;
  return {
    commission_percent: row.commission_percent === null ? null : Number(row.commission_percent),
    intake_fee_minor: row.intake_fee_minor === null ? null : Number(row.intake_fee_minor),
    monthly_fee_minor: row.monthly_fee_minor === null ? null : Number(row.monthly_fee_minor),
    period_days: row.period_days,
    grace_days: row.grace_days,
    expiry_outcome: row.expiry_outcome,
    discount_absorption: row.discount_absorption,
    markdown_steps: row.markdown_steps,
  };
}

export async function consignorTerms(trx: Tx, tenantId: string, consignorId: string): Promise<ConsignorTerms> {
  return toConsignorTerms(await trx.selectFrom('consignor_terms').selectAll().where('tenant_id', '=', tenantId).where('consignor_id', '=', consignorId).executeTakeFirst());
}

/** Replaces the consignor's overrides: a field left out or null takes the store's value. */
export async function putConsignorTerms(trx: Tx, tenantId: string, consignorId: string, input: ConsignorTermsInput): Promise<ConsignorTerms> {
  const terms = { ...NO_OVERRIDES, ...input };
  const values = {
    commission_percent: terms.commission_percent === null ? null : checkedPercent(terms.commission_percent, 'commission_percent'),
    intake_fee_minor: terms.intake_fee_minor,
    monthly_fee_minor: terms.monthly_fee_minor,
    period_days: terms.period_days,
    grace_days: terms.grace_days,
    expiry_outcome: terms.expiry_outcome,
    discount_absorption: terms.discount_absorption,
    markdown_steps: terms.markdown_steps === null ? null : JSON.stringify(sortSteps(terms.markdown_steps)),
  };
  const row = await trx
    .insertInto('consignor_terms')
    .values({ tenant_id: tenantId, consignor_id: consignorId, ...values })
    .onConflict((oc) => oc.columns(['tenant_id', 'consignor_id']).doUpdateSet(values))
    .returningAll()
    .executeTakeFirstOrThrow();
  return toConsignorTerms(row);
}

export function mergeTerms(store: StoreTerms, own: ConsignorTerms): EffectiveTerms {
  return {
    commission_percent: own.commission_percent ?? store.commission_percent,
    commission_source: own.commission_percent === null ? 'store' : 'consignor',
    intake_fee_minor: own.intake_fee_minor ?? store.intake_fee_minor,
    monthly_fee_minor: own.monthly_fee_minor ?? store.monthly_fee_minor,
    period_days: own.period_days ?? store.period_days,
    grace_days: own.grace_days ?? store.grace_days,
    expiry_outcome: own.expiry_outcome ?? store.expiry_outcome,
    discount_absorption: own.discount_absorption ?? store.discount_absorption,
    expiry_notice_days: store.expiry_notice_days,
    markdown_steps: own.markdown_steps ?? store.markdown_steps,
  };
}

/** The effective terms of a consignor (fees for the ledger, period for intake, steps for markdowns). */
export async function termsFor(trx: Tx, tenantId: string, consignorId: string): Promise<EffectiveTerms> {
  const [store, own] = await Promise.all([storeTerms(trx, tenantId), consignorTerms(trx, tenantId, consignorId)]);
  return mergeTerms(store, own);
}

export async function listCategoryCommissions(trx: Tx, tenantId: string) {
  const rows = await trx.selectFrom('consignment_category_commissions').select(['category_id', 'commission_percent']).where('tenant_id', '=', tenantId).orderBy('category_id').execute();
  return rows.map((row) => ({ category_id: row.category_id, commission_percent: Number(row.commission_percent) }));
}

export async function putCategoryCommission(trx: Tx, tenantId: string, categoryId: string, percent: number) {
  const commission = checkedPercent(percent, 'commission_percent');
  await trx
    .insertInto('consignment_category_commissions')
    .values({ tenant_id: tenantId, category_id: categoryId, commission_percent: commission })
    .onConflict((oc) => oc.columns(['tenant_id', 'category_id']).doUpdateSet({ commission_percent: commission }))
    .execute();
  return { category_id: categoryId, commission_percent: commission };
}

export async function deleteCategoryCommission(trx: Tx, tenantId: string, categoryId: string): Promise<void> {
  await trx.deleteFrom('consignment_category_commissions').where('tenant_id', '=', tenantId).where('category_id', '=', categoryId).execute();
}
