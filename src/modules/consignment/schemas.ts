import { type Static, Type } from 'typebox';

/** Admin API shapes of consignment. Money is in integer minor units; percentages have at most two decimals. */

const Uuid = Type.String({ format: 'uuid' });
const Timestamp = Type.String({ format: 'date-time' });
const Minor = Type.Integer({ minimum: 0, maximum: 9_007_199_254_740_991 });
const Price = Type.Integer({ minimum: 1, maximum: 9_007_199_254_740_991 });
const Currency = Type.String({ pattern: '^[A-Z]{3}$' });
const Percent = Type.Number({ minimum: 0, maximum: 100, description: 'A percentage with at most two decimals.' });
const Email = Type.String({ format: 'email', maxLength: 254 });
const Nullable = <T extends Parameters<typeof Type.Union>[0][number]>(schema: T) => Type.Union([schema, Type.Null()]);

export const PayoutMethod = Type.Union([Type.Literal('stripe_connect'), Type.Literal('check'), Type.Literal('cash'), Type.Literal('store_credit')]);
export const ConsignorStatus = Type.Union([Type.Literal('active'), Type.Literal('inactive'), Type.Literal('archived')]);
export const ExpiryOutcome = Type.Union([Type.Literal('return'), Type.Literal('donate'), Type.Literal('store_stock')]);
export const DiscountAbsorption = Type.Union([Type.Literal('store'), Type.Literal('consignor'), Type.Literal('shared')]);

export const IdParams = Type.Object({ id: Uuid }, { additionalProperties: false });
export const CategoryParams = Type.Object({ category_id: Uuid }, { additionalProperties: false });

export const Address = Type.Object(
  {
    line1: Type.Optional(Type.String({ maxLength: 200 })),
    line2: Type.Optional(Type.String({ maxLength: 200 })),
    city: Type.Optional(Type.String({ maxLength: 100 })),
    region: Type.Optional(Type.String({ maxLength: 100 })),
    postal_code: Type.Optional(Type.String({ maxLength: 20 })),
    country: Type.Optional(Type.String({ pattern: '^[A-Z]{2}$' })),
  },
  { additionalProperties: false },
);

const consignorFields = {
  display_name: Type.String({ minLength: 1, maxLength: 200 }),
  email: Type.Optional(Nullable(Email)),
  phone: Type.Optional(Nullable(Type.String({ minLength: 3, maxLength: 40 }))),
  address: Type.Optional(Nullable(Address)),
  payout_method: Type.Optional(PayoutMethod),
  store_credit_bonus_percent: Type.Optional(Percent),
  stripe_account_id: Type.Optional(Nullable(Type.String({ pattern: '^acct_[A-Za-z0-9]+$', maxLength: 255 }))),
};
export const ConsignorInput = Type.Object(consignorFields, { additionalProperties: false });
export type ConsignorInput = Static<typeof ConsignorInput>;
export const ConsignorPatch = Type.Partial(Type.Object({ ...consignorFields, status: ConsignorStatus }), { additionalProperties: false, minProperties: 1 });
export type ConsignorPatch = Static<typeof ConsignorPatch>;

export const Consignor = Type.Object({
  id: Uuid,
  display_name: Type.String(),
  email: Nullable(Type.String()),
  phone: Nullable(Type.String()),
  address: Nullable(Address),
  has_tax_id: Type.Boolean(),
  tax_id_key_version: Nullable(Type.Integer()),
  payout_method: PayoutMethod,
  store_credit_bonus_percent: Type.Number(),
  stripe_account_id: Nullable(Type.String()),
  status: ConsignorStatus,
  created_at: Timestamp,
  updated_at: Timestamp,
});

export const ConsignorListQuery = Type.Object(
  {
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 200, default: 50 })),
    cursor: Type.Optional(Type.String({ maxLength: 300 })),
    status: Type.Optional(ConsignorStatus),
    q: Type.Optional(Type.String({ minLength: 1, maxLength: 200, description: 'Part of the name, e-mail or phone number.' })),
  },
  { additionalProperties: false },
);
export type ConsignorListQuery = Static<typeof ConsignorListQuery>;

/** A consignor in the staff list: the record, the agreement they last accepted, and their balance in the store's currency. */
export const ConsignorSummary = Type.Object({
  ...Consignor.properties,
  accepted_agreement_version: Nullable(Type.Integer()),
  accepted_agreement_at: Nullable(Timestamp),
  currency: Type.String(),
  balance_minor: Type.Integer({ description: 'Everything posted to the ledger.' }),
  payable_minor: Type.Integer({ description: 'What may be paid out now (past the return window).' }),
});
export type ConsignorSummary = Static<typeof ConsignorSummary>;

export const TaxIdInput = Type.Object({ tax_id: Type.String({ minLength: 4, maxLength: 40, pattern: '^[A-Za-z0-9 -]+$' }) }, { additionalProperties: false });
export const TaxIdStatus = Type.Object({ has_tax_id: Type.Boolean(), tax_id_key_version: Type.Integer() });
export const TaxIdReveal = Type.Object({ tax_id: Type.String(), key_version: Type.Integer() });

export const AcceptanceInput = Type.Object(
  { agreement_version: Type.Integer({ minimum: 1 }), channel: Type.Optional(Type.Union([Type.Literal('in_store')])) },
  { additionalProperties: false, description: 'Staff record an in-store acceptance; the address is the request’s.' },
);
export const Acceptance = Type.Object({
  id: Uuid,
  consignor_id: Uuid,
  agreement_version: Type.Integer(),
  accepted_at: Timestamp,
  ip_address: Type.String(),
  user_agent: Nullable(Type.String()),
  channel: Type.Union([Type.Literal('portal'), Type.Literal('in_store')]),
});

export const MarkdownStep = Type.Object(
  { after_days: Type.Integer({ minimum: 1, maximum: 3650 }), percent_off: Type.Integer({ minimum: 1, maximum: 95 }) },
  { additionalProperties: false },
);
const MarkdownSteps = Type.Array(MarkdownStep, { maxItems: 10, description: 'Applied in order of after_days; percent_off of the intake price.' });

const termFields = {
  commission_percent: Percent,
  intake_fee_minor: Minor,
  monthly_fee_minor: Minor,
  period_days: Type.Integer({ minimum: 1, maximum: 3650 }),
  grace_days: Type.Integer({ minimum: 0, maximum: 365 }),
  expiry_outcome: ExpiryOutcome,
  discount_absorption: DiscountAbsorption,
  markdown_steps: MarkdownSteps,
};
export const StoreTerms = Type.Object({
  ...termFields,
  expiry_notice_days: Type.Integer({ minimum: 0, maximum: 365 }),
  agreement_version: Type.Integer({ minimum: 1 }),
  agreement_text: Type.String({ maxLength: 50_000 }),
});
export type StoreTerms = Static<typeof StoreTerms>;
export const StoreTermsPatch = Type.Partial(
  Type.Object({ ...termFields, expiry_notice_days: StoreTerms.properties.expiry_notice_days, agreement_text: StoreTerms.properties.agreement_text }),
  { additionalProperties: false, minProperties: 1, description: 'A new agreement_text starts a new agreement version.' },
);
export type StoreTermsPatch = Static<typeof StoreTermsPatch>;

/** A consignor's own terms: null takes the store's. */
export const ConsignorTerms = Type.Object(Object.fromEntries(Object.entries(termFields).map(([name, schema]) => [name, Nullable(schema)])) as {
  [K in keyof typeof termFields]: ReturnType<typeof Nullable<(typeof termFields)[K]>>;
});
export type ConsignorTerms = Static<typeof ConsignorTerms>;
export const ConsignorTermsInput = Type.Partial(ConsignorTerms, { additionalProperties: false });
export type ConsignorTermsInput = Static<typeof ConsignorTermsInput>;

export const CategoryCommission = Type.Object({ category_id: Uuid, commission_percent: Type.Number() });
export const CategoryCommissionInput = Type.Object({ commission_percent: Percent }, { additionalProperties: false });

export const ItemInput = Type.Object(
  {
    title: Type.String({ minLength: 1, maxLength: 300 }),
    description: Type.Optional(Type.String({ maxLength: 20_000 })),
    category_id: Type.Optional(Nullable(Uuid)),
    price_minor: Price,
    currency: Currency,
    commission_percent: Type.Optional(Nullable(Percent)),
  },
  { additionalProperties: false },
);
export type ItemInput = Static<typeof ItemInput>;
export const ItemsInput = Type.Object({ items: Type.Array(ItemInput, { minItems: 1, maxItems: 500 }) }, { additionalProperties: false });

export const BatchInput = Type.Object(
  { consignor_id: Uuid, note: Type.Optional(Type.String({ maxLength: 2000 })), items: Type.Optional(Type.Array(ItemInput, { maxItems: 500 })) },
  { additionalProperties: false },
);
export type BatchInput = Static<typeof BatchInput>;

export const ItemStatus = Type.Union([Type.Literal('pending'), Type.Literal('on_floor'), Type.Literal('sold'), Type.Literal('returned'), Type.Literal('donated'), Type.Literal('store_stock')]);
export const Item = Type.Object({
  id: Uuid,
  batch_id: Uuid,
  consignor_id: Uuid,
  title: Type.String(),
  description: Type.String(),
  category_id: Nullable(Uuid),
  price_minor: Type.Integer(),
  currency: Type.String(),
  commission_percent: Nullable(Type.Number()),
  status: ItemStatus,
  sku: Nullable(Type.String()),
  product_id: Nullable(Uuid),
  variant_id: Nullable(Uuid),
  received_at: Nullable(Timestamp),
  expires_at: Nullable(Timestamp),
  grace_ends_at: Nullable(Timestamp),
  days_on_floor: Nullable(Type.Integer()),
  markdown_step: Type.Integer(),
});
export type Item = Static<typeof Item>;

export const Batch = Type.Object({
  id: Uuid,
  consignor_id: Uuid,
  source: Type.Union([Type.Literal('staff'), Type.Literal('consignor')]),
  status: Type.Union([Type.Literal('draft'), Type.Literal('proposed'), Type.Literal('accepted'), Type.Literal('rejected')]),
  note: Nullable(Type.String()),
  accepted_at: Nullable(Timestamp),
  created_at: Timestamp,
  items: Type.Array(Item),
});
export type Batch = Static<typeof Batch>;

export const ItemListQuery = Type.Object(
  {
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 200, default: 50 })),
    cursor: Type.Optional(Type.String({ maxLength: 300 })),
    consignor_id: Type.Optional(Uuid),
    status: Type.Optional(ItemStatus),
  },
  { additionalProperties: false },
);
export type ItemListQuery = Static<typeof ItemListQuery>;

export const PriceHistoryEntry = Type.Object({ price_minor: Type.Integer(), reason: Type.Union([Type.Literal('intake'), Type.Literal('markdown')]), markdown_step: Type.Integer(), at: Timestamp });

export const ExpiringQuery = Type.Object(
  {
    within_days: Type.Optional(Type.Integer({ minimum: 1, maximum: 90, default: 7 })),
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 100, default: 20 })),
  },
  { additionalProperties: false },
);
export type ExpiringQuery = Static<typeof ExpiringQuery>;
export const ExpiringItem = Type.Object({
  id: Uuid,
  title: Type.String(),
  sku: Type.String(),
  price_minor: Type.Integer(),
  currency: Type.String(),
  expires_at: Timestamp,
  product_id: Uuid,
  consignor_id: Uuid,
  consignor_name: Type.String(),
});
export const ExpiringItems = Type.Object({
  items: Type.Array(ExpiringItem, { description: 'Soonest first.' }),
  total: Type.Integer({ description: 'All items on the floor whose period ends in the window (items holds at most `limit`).' }),
});
export type ExpiringItems = Static<typeof ExpiringItems>;

const BatchStatus = Type.Union([Type.Literal('draft'), Type.Literal('proposed'), Type.Literal('accepted'), Type.Literal('rejected')]);
export const BatchListQuery = Type.Object(
  {
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 200, default: 50 })),
    cursor: Type.Optional(Type.String({ maxLength: 300 })),
    status: Type.Optional(Type.Union([BatchStatus, Type.Literal('open')], { description: '`open`: drafts and proposals, not yet accepted or rejected.' })),
    consignor_id: Type.Optional(Uuid),
  },
  { additionalProperties: false },
);
export type BatchListQuery = Static<typeof BatchListQuery>;
export const BatchSummary = Type.Object({
  id: Uuid,
  consignor_id: Uuid,
  consignor_name: Type.String(),
  source: Type.Union([Type.Literal('staff'), Type.Literal('consignor')]),
  status: BatchStatus,
  note: Nullable(Type.String()),
  items: Type.Integer(),
  total_minor: Type.Integer({ description: 'The sum of the items’ intake prices.' }),
  currency: Nullable(Type.String()),
  accepted_at: Nullable(Timestamp),
  created_at: Timestamp,
});
export type BatchSummary = Static<typeof BatchSummary>;
