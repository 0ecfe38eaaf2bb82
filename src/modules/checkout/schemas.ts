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
