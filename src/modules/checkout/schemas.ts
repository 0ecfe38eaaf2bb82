import { Type } from 'typebox';
import { ORDER_STATUSES } from './orders.ts';

const strict = { additionalProperties: false } as const;

export const AddressSchema = Type.Object(
  {
    name: Type.String({ minLength: 1, maxLength: 200 }),
    line1: Type.String({ minLength: 1, maxLength: 200 }),
    line2: Type.Optional(Type.String({ maxLength: 200 })),
    city: Type.String({ minLength: 1, maxLength: 100 }),
    region: Type.Optional(Type.String({ maxLength: 100 })),
    postal_code: Type.String({ maxLength: 20 }),
    country: Type.String({ pattern: '^[A-Za-z]{2}$' }),
  },
  strict,
);

export const CommitBody = Type.Object(
  {
    _csrf: Type.String({ maxLength: 100 }),
    email: Type.String({ format: 'email', maxLength: 254 }),
    shipping_address: AddressSchema,
    shipping_method: Type.String({ minLength: 1, maxLength: 100 }),
    payment_method: Type.String({ minLength: 1, maxLength: 255 }),
    expected_total_minor: Type.Optional(Type.Integer({ minimum: 0 })),
  },
  strict,
);

export const CommitResponse = Type.Object(
  {
    order_id: Type.String({ format: 'uuid' }),
    order_number: Type.Integer(),
    status: Type.String(),
    total_minor: Type.Integer(),
    currency: Type.String(),
    client_secret: Type.Union([Type.String(), Type.Null()]),
  },
  strict,
);

const Status = Type.Enum(ORDER_STATUSES);

export const OrderLineView = Type.Object({
  id: Type.String(),
  variant_id: Type.Union([Type.String(), Type.Null()]),
  sku: Type.String(),
  title: Type.String(),
  quantity: Type.Integer(),
  unit_price_minor: Type.Integer(),
  discount_minor: Type.Integer(),
  tax_minor: Type.Integer(),
  total_minor: Type.Integer(),
  fulfilled_quantity: Type.Integer(),
  refunded_quantity: Type.Integer(),
});

export const OrderView = Type.Object({
  id: Type.String(),
  number: Type.Integer(),
  customer_id: Type.Union([Type.String(), Type.Null()]),
  email: Type.String(),
  status: Status,
  currency: Type.String(),
  prices_include_tax: Type.Boolean(),
  subtotal_minor: Type.Integer(),
  discount_minor: Type.Integer(),
  shipping_minor: Type.Integer(),
  tax_minor: Type.Integer(),
  total_minor: Type.Integer(),
  refunded_minor: Type.Integer(),
  shipping_address: Type.Object({}, { additionalProperties: true }),
  shipping_method: Type.Object({ id: Type.String(), name: Type.String(), amount_minor: Type.Integer() }),
  placed_at: Type.String(),
  lines: Type.Array(OrderLineView),
});

export const OrderSummaryView = Type.Object({
  id: Type.String(),
  number: Type.Integer(),
  email: Type.String(),
  status: Status,
  currency: Type.String(),
  total_minor: Type.Integer(),
  placed_at: Type.String(),
});

export const OrderListQuery = Type.Object(
  {
    status: Type.Optional(Type.Union([Status, Type.Literal('to_fulfil')], { description: '`to_fulfil`: paid orders with units still to ship.' })),
    q: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
    cursor: Type.Optional(Type.String({ maxLength: 500 })),
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 100 })),
  },
  strict,
);

export const OrderParams = Type.Object({ id: Type.String({ format: 'uuid' }) }, strict);

const LineQuantities = Type.Array(Type.Object({ line_id: Type.String({ format: 'uuid' }), quantity: Type.Integer({ minimum: 1, maximum: 10_000 }) }, strict), {
  minItems: 1,
  maxItems: 500,
});

export const FulfilBody = Type.Object({ lines: Type.Optional(LineQuantities) }, strict);
export const CancelBody = Type.Object({ reason: Type.Optional(Type.String({ maxLength: 500 })) }, strict);
export const RefundBody = Type.Object(
  { lines: Type.Optional(LineQuantities), amount_minor: Type.Optional(Type.Integer({ minimum: 1 })), reason: Type.String({ minLength: 1, maxLength: 500 }) },
  strict,
);

export const SettingsBody = Type.Object(
  {
    provider: Type.Union([Type.Literal('test'), Type.Literal('stripe')]),
    capture: Type.Union([Type.Literal('automatic'), Type.Literal('manual')]),
    prices_include_tax: Type.Boolean(),
  },
  strict,
);

export const OrderSummaryQuery = Type.Object(
  { since: Type.String({ format: 'date-time', description: "The start of the merchant's day, in their time zone." }) },
  strict,
);
export const OrderSummaryBody = Type.Object(
  {
    since: Type.String({ format: 'date-time' }),
    orders: Type.Integer({ description: 'Orders placed since then that reached payment.' }),
    sales: Type.Array(Type.Object({ currency: Type.String(), net_minor: Type.Integer({ description: 'Their totals less refunds.' }) }, strict)),
    to_fulfil: Type.Integer({ description: 'Paid orders with units still to ship, whenever placed.' }),
  },
  strict,
);

const Country = Type.String({ pattern: '^[A-Z]{2}$', description: 'ISO 3166-1 alpha-2 code, in capitals.' });
const SettingMinor = Type.Integer({ minimum: 0, maximum: 100_000_000 });

export const ShippingRateSetting = Type.Object(
  {
    name: Type.String({ minLength: 1, maxLength: 80, description: 'What the shopper chooses, e.g. "Standard (3–5 days)"; unique within its zone.' }),
    amount_minor: SettingMinor,
    free_over_minor: Type.Union([SettingMinor, Type.Null()], { description: 'Free when the cart subtotal reaches this amount; null: never free.' }),
  },
  strict,
);

export const ShippingZoneSetting = Type.Object(
  {
    name: Type.String({ minLength: 1, maxLength: 80 }),
    countries: Type.Array(Country, { maxItems: 250, description: 'The destinations of the zone; each country is in one zone at most. Empty in the rest-of-world zone.' }),
    rest_of_world: Type.Boolean({ description: 'Every country no other zone names (one such zone at most).' }),
    rates: Type.Array(ShippingRateSetting, { minItems: 1, maxItems: 10 }),
  },
  strict,
);

export const TaxRateSetting = Type.Object(
  {
    country: Country,
    region: Type.Union([Type.String({ pattern: '^[A-Z0-9]{1,3}$', description: 'The ISO 3166-2 subdivision code after the dash, e.g. CA for US-CA.' }), Type.Null()], {
      description: 'null: the rate of the whole country (regions without a row of their own).',
    }),
    rate_basis_points: Type.Integer({ minimum: 0, maximum: 5000, description: '1 % = 100.' }),
  },
  strict,
);

const shippingTaxFields = {
  shipping: Type.Object(
    { zones: Type.Array(ShippingZoneSetting, { maxItems: 50, description: "Empty: the platform's built-in rate table (US standard and express by weight, international)." }) },
    strict,
  ),
  tax: Type.Object(
    {
      prices_include_tax: Type.Boolean({ description: 'Whether listed prices already include tax (the same setting as in checkout-settings).' }),
      rates: Type.Array(TaxRateSetting, { maxItems: 500, description: 'Exactly the rates that apply once saved: a destination without a row is not taxed.' }),
    },
    strict,
  ),
};

export const ShippingTaxBody = Type.Object(shippingTaxFields, strict);
export const ShippingTaxView = Type.Object(
  {
    ...shippingTaxFields,
    updated_at: Type.Union([Type.String({ format: 'date-time' }), Type.Null()], { description: "null: never saved; the tax rates shown are the platform's built-in ones." }),
  },
  strict,
);
