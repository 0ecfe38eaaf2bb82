import { type Static, Type } from 'typebox';

/** Admin API shapes. Admin responses may carry cost basis; storefront shapes live in public-catalog.ts. */

const Uuid = Type.String({ format: 'uuid' });
export const Handle = Type.String({ pattern: '^[a-z0-9]+(-[a-z0-9]+)*$', maxLength: 120 });
const Sku = Type.String({ pattern: '^[A-Za-z0-9][A-Za-z0-9._/-]{0,63}$' });
const Currency = Type.String({ pattern: '^[A-Z]{3}$' });
const Minor = Type.Integer({ minimum: 0, maximum: 9_007_199_254_740_991 });
const Options = Type.Record(Type.String({ maxLength: 40 }), Type.String({ maxLength: 100 }), { maxProperties: 5 });
/** An external image by URL, or an asset of the media module (rendered as responsive variants). */
const Medium = Type.Union([
  Type.Object({ url: Type.String({ pattern: '^https?://', maxLength: 2000 }), alt: Type.String({ maxLength: 300 }) }, { additionalProperties: false }),
  Type.Object({ asset_id: Uuid, alt: Type.String({ maxLength: 300 }) }, { additionalProperties: false }),
]);
const Timestamp = Type.String({ format: 'date-time' });

export const IdParams = Type.Object({ id: Uuid });
export type IdParams = Static<typeof IdParams>;

export const VariantInput = Type.Object(
  {
    sku: Sku,
    title: Type.Optional(Type.String({ maxLength: 200 })),
    price_minor: Minor,
    currency: Currency,
    cost_minor: Type.Optional(Type.Union([Minor, Type.Null()])),
    options: Type.Optional(Options),
    weight_grams: Type.Optional(Type.Union([Type.Integer({ minimum: 0, maximum: 1_000_000 }), Type.Null()])),
    position: Type.Optional(Type.Integer({ minimum: 0, maximum: 1000 })),
  },
  { additionalProperties: false },
);
export type VariantInput = Static<typeof VariantInput>;
export const VariantPatch = Type.Partial(VariantInput, { additionalProperties: false, minProperties: 1 });
export type VariantPatch = Static<typeof VariantPatch>;

export const Variant = Type.Object({
  id: Uuid,
  product_id: Uuid,
  sku: Type.String(),
  title: Type.String(),
  price_minor: Type.Integer(),
  currency: Type.String(),
  cost_minor: Type.Union([Type.Integer(), Type.Null()]),
  options: Type.Record(Type.String(), Type.String()),
  weight_grams: Type.Union([Type.Integer(), Type.Null()]),
  position: Type.Integer(),
});
export type Variant = Static<typeof Variant>;

const productFields = {
  handle: Handle,
  title: Type.String({ minLength: 1, maxLength: 300 }),
  description: Type.Optional(Type.String({ maxLength: 20000 })),
  category_id: Type.Optional(Type.Union([Uuid, Type.Null()])),
  tags: Type.Optional(Type.Array(Type.String({ minLength: 1, maxLength: 60 }), { maxItems: 50 })),
  media: Type.Optional(Type.Array(Medium, { maxItems: 20 })),
};

export const ProductInput = Type.Object(
  { ...productFields, variants: Type.Array(VariantInput, { minItems: 1, maxItems: 100 }) },
  { additionalProperties: false },
);
export type ProductInput = Static<typeof ProductInput>;
export const ProductPatch = Type.Partial(Type.Object(productFields), { additionalProperties: false, minProperties: 1 });
export type ProductPatch = Static<typeof ProductPatch>;

export const PublishInput = Type.Object(
  { publish_at: Type.Optional(Timestamp) },
  { additionalProperties: false, description: 'Without publish_at the product is published now; a future time schedules it.' },
);
export type PublishInput = Static<typeof PublishInput>;

export const Product = Type.Object({
  id: Uuid,
  handle: Type.String(),
  title: Type.String(),
  description: Type.String(),
  status: Type.Union([Type.Literal('draft'), Type.Literal('published'), Type.Literal('archived')]),
  published_at: Type.Union([Timestamp, Type.Null()]),
  category_id: Type.Union([Uuid, Type.Null()]),
  tags: Type.Array(Type.String()),
  media: Type.Array(Medium),
  variants: Type.Array(Variant),
  created_at: Timestamp,
  updated_at: Timestamp,
});
export type Product = Static<typeof Product>;

export const ProductListQuery = Type.Object({
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 200, default: 50 })),
  cursor: Type.Optional(Type.String({ maxLength: 200 })),
  status: Type.Optional(Type.Union([Type.Literal('draft'), Type.Literal('published'), Type.Literal('archived')])),
  q: Type.Optional(Type.String({ minLength: 1, maxLength: 100, description: 'Text in the title, the handle or a variant SKU.' })),
});
export type ProductListQuery = Static<typeof ProductListQuery>;

export const CategoryInput = Type.Object(
  { handle: Handle, name: Type.String({ minLength: 1, maxLength: 200 }), parent_id: Type.Optional(Type.Union([Uuid, Type.Null()])) },
  { additionalProperties: false },
);
export type CategoryInput = Static<typeof CategoryInput>;
export const CategoryPatch = Type.Partial(CategoryInput, { additionalProperties: false, minProperties: 1 });
export type CategoryPatch = Static<typeof CategoryPatch>;
export const Category = Type.Object({ id: Uuid, handle: Type.String(), name: Type.String(), parent_id: Type.Union([Uuid, Type.Null()]) });
export type Category = Static<typeof Category>;

export const CollectionRules = Type.Object(
  {
    tag: Type.Optional(Type.String({ minLength: 1, maxLength: 60 })),
    category_id: Type.Optional(Uuid),
    max_price_minor: Type.Optional(Minor),
  },
  { additionalProperties: false, minProperties: 1 },
);
const collectionFields = {
  handle: Handle,
  title: Type.String({ minLength: 1, maxLength: 200 }),
  description: Type.Optional(Type.String({ maxLength: 5000 })),
};
/** A manual collection lists its products; a rule collection has `rules` and chooses them itself. */
export const CollectionInput = Type.Object(
  {
    ...collectionFields,
    kind: Type.Union([Type.Literal('manual'), Type.Literal('rule')]),
    product_ids: Type.Optional(Type.Array(Uuid, { maxItems: 500 })),
    rules: Type.Optional(CollectionRules),
  },
  { additionalProperties: false },
);
export type CollectionInput = Static<typeof CollectionInput>;
export const CollectionPatch = Type.Object(
  {
    title: Type.Optional(collectionFields.title),
    description: collectionFields.description,
    rules: Type.Optional(CollectionRules),
    product_ids: Type.Optional(Type.Array(Uuid, { maxItems: 500 })),
  },
  { additionalProperties: false, minProperties: 1 },
);
export type CollectionPatch = Static<typeof CollectionPatch>;
export const Collection = Type.Object({
  id: Uuid,
  handle: Type.String(),
  title: Type.String(),
  description: Type.String(),
  kind: Type.Union([Type.Literal('manual'), Type.Literal('rule')]),
  rules: Type.Object({ tag: Type.Optional(Type.String()), category_id: Type.Optional(Uuid), max_price_minor: Type.Optional(Type.Integer()) }),
  product_ids: Type.Optional(Type.Array(Uuid)),
});
export type Collection = Static<typeof Collection>;

export const LocationInput = Type.Object(
  { code: Type.String({ pattern: '^[a-z0-9-]{1,40}$' }), name: Type.String({ minLength: 1, maxLength: 200 }) },
  { additionalProperties: false },
);
export type LocationInput = Static<typeof LocationInput>;
export const Location = Type.Object({ id: Uuid, code: Type.String(), name: Type.String() });
export type Location = Static<typeof Location>;

export const AdjustmentReason = Type.Union([
  Type.Literal('received'),
  Type.Literal('sold'),
  Type.Literal('returned'),
  Type.Literal('damaged'),
  Type.Literal('correction'),
  Type.Literal('count'),
]);
export const AdjustmentInput = Type.Object(
  {
    variant_id: Uuid,
    location_id: Uuid,
    delta: Type.Integer({ minimum: -1_000_000, maximum: 1_000_000, description: 'Not zero.' }),
    reason: AdjustmentReason,
    note: Type.Optional(Type.String({ maxLength: 500 })),
  },
  { additionalProperties: false },
);
export type AdjustmentInput = Static<typeof AdjustmentInput>;
export const Adjustment = Type.Object({
  id: Uuid,
  variant_id: Uuid,
  location_id: Uuid,
  delta: Type.Integer(),
  on_hand_after: Type.Integer(),
  reason: Type.String(),
  note: Type.Union([Type.String(), Type.Null()]),
  created_at: Timestamp,
});
export type Adjustment = Static<typeof Adjustment>;
export const InventoryLevel = Type.Object({ location_id: Uuid, location_code: Type.String(), on_hand: Type.Integer() });
export type InventoryLevel = Static<typeof InventoryLevel>;

export const ImportFormatQuery = Type.Object({ format: Type.Union([Type.Literal('csv'), Type.Literal('jsonl')]) });
export const CatalogImport = Type.Object({
  id: Uuid,
  format: Type.Union([Type.Literal('csv'), Type.Literal('jsonl')]),
  status: Type.Union([Type.Literal('queued'), Type.Literal('running'), Type.Literal('succeeded'), Type.Literal('failed')]),
  rows_total: Type.Integer(),
  rows_done: Type.Integer({ description: 'Rows processed so far, failed ones included.' }),
  rows_failed: Type.Integer(),
  chunks_total: Type.Integer(),
  chunks_done: Type.Integer(),
  products_total: Type.Integer({ description: 'Distinct product handles in the file.' }),
  products_changed: Type.Integer({ description: 'Products created or changed; unchanged rows count nowhere.' }),
  variants_inserted: Type.Integer(),
  variants_updated: Type.Integer(),
  errors: Type.Array(Type.Object({ line: Type.Integer(), field: Type.String(), message: Type.String() }), {
    description: 'Row errors (line, field, message), the first 1,000.',
  }),
  created_at: Timestamp,
  started_at: Type.Union([Timestamp, Type.Null()]),
  finished_at: Type.Union([Timestamp, Type.Null()]),
});
export type CatalogImport = Static<typeof CatalogImport>;
