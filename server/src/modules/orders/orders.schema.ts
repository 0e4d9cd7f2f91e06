import { Type, type Static } from 'typebox';
import { Nullable } from '../../platform/schema';

const Money = Type.Integer({ minimum: 0, maximum: 100_000_000_000, description: 'Integer minor units of the currency (₫ has none: 150000 = 150.000 ₫).' });
export const OrderStatusSchema = Type.Union([
  Type.Literal('placed'),
  Type.Literal('paid'),
  Type.Literal('fulfilled'),
  Type.Literal('cancelled'),
  Type.Literal('returned'),
]);

export const OrderLineSchema = Type.Object({
  lineNo: Type.Integer(),
  variantId: Type.String(),
  productId: Type.String(),
  sku: Type.String(),
  title: Type.String(),
  categoryIds: Type.Array(Type.String()),
  quantity: Type.Integer(),
  unitPrice: Type.Integer(),
  discount: Type.Integer(),
  total: Type.Integer(),
  locationId: Type.String({ description: 'Where the stock left from.' }),
});

export const OrderTransitionSchema = Type.Object({
  from: Nullable(Type.String({ description: 'The status before; null for the first.' })),
  to: Type.String(),
  actor: Type.String(),
  note: Nullable(Type.String()),
  restocked: Nullable(Type.Boolean()),
  at: Type.String({ format: 'date-time' }),
});

export const OrderSchema = Type.Object({
  id: Type.String(),
  channelId: Type.String(),
  channelType: Type.String(),
  storeLocationId: Nullable(Type.String()),
  externalId: Nullable(Type.String()),
  profileId: Nullable(Type.String()),
  cartId: Nullable(Type.String()),
  status: OrderStatusSchema,
  currency: Type.String(),
  subtotal: Type.Integer(),
  discountTotal: Type.Integer(),
  shippingTotal: Type.Integer(),
  total: Type.Integer(),
  paymentMethod: Nullable(Type.String({ description: 'cod (cash on delivery), or the method the shop named (card, momo, cash …).' })),
  paymentStatus: Type.Union([Type.Literal('awaiting_payment'), Type.Literal('due_on_delivery'), Type.Literal('paid')], {
    description: 'awaiting_payment: placed, not paid yet; due_on_delivery: cash on delivery, paid when delivered; paid: payment received (paidAt).',
  }),
  paidAt: Nullable(Type.String({ format: 'date-time' })),
  placedAt: Type.String({ format: 'date-time' }),
  createdAt: Type.String({ format: 'date-time' }),
  updatedAt: Type.String({ format: 'date-time' }),
  lines: Type.Array(OrderLineSchema),
  transitions: Type.Optional(Type.Array(OrderTransitionSchema)),
});

export const OrderListSchema = Type.Object({ data: Type.Array(OrderSchema), nextCursor: Nullable(Type.String()) });

const Day = (description: string) => Type.String({ format: 'date', description });

export const ListOrdersQuery = Type.Object({
  channelId: Type.Optional(Type.String()),
  status: Type.Optional(OrderStatusSchema),
  from: Type.Optional(Day('Placed on or after this day (YYYY-MM-DD, in the workspace time zone).')),
  to: Type.Optional(Day('Placed on or before this day (YYYY-MM-DD, in the workspace time zone).')),
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 200, default: 50 })),
  cursor: Type.Optional(Type.String()),
});

export const TransitionBody = Type.Object(
  {
    to: OrderStatusSchema,
    note: Type.Optional(Type.String({ maxLength: 2000 })),
    restock: Type.Optional(Type.Boolean({ description: 'For returns: put the goods back into stock.' })),
  },
  { additionalProperties: false },
);
export type TransitionBodyInput = Static<typeof TransitionBody>;

export const PlaceOrderBody = Type.Object(
  {
    channelId: Type.String({ minLength: 1 }),
    externalId: Type.String({ minLength: 1, maxLength: 200, description: "The channel's own order id (receipt number, marketplace order sn): repeats return the first order." }),
    customer: Type.Optional(
      Type.Object(
        {
          userId: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
          email: Type.Optional(Type.String({ maxLength: 320 })),
          phone: Type.Optional(Type.String({ maxLength: 40 })),
          loyaltyCard: Type.Optional(Type.String({ minLength: 1, maxLength: 100 })),
          name: Type.Optional(Type.String({ maxLength: 200 })),
        },
        { additionalProperties: false },
      ),
    ),
    lines: Type.Array(
      Type.Object(
        {
          sku: Type.String({ minLength: 1, maxLength: 100 }),
          quantity: Type.Integer({ minimum: 1, maximum: 100000 }),
          unitPrice: Type.Optional(Money),
        },
        { additionalProperties: false },
      ),
      { minItems: 1, maxItems: 500 },
    ),
    currency: Type.Optional(Type.String({ pattern: '^[A-Z]{3}$' })),
    discountTotal: Type.Optional(Money),
    codes: Type.Optional(
      Type.Array(Type.String({ minLength: 1, maxLength: 60 }), {
        maxItems: 10,
        description: 'Promotion codes the customer gave (POS, phone). Omni prices the order with the workspace promotions unless the channel priced it (unitPrice or discountTotal given).',
      }),
    ),
    status: Type.Optional(Type.Union([Type.Literal('placed'), Type.Literal('paid')], { description: 'Store sales are usually paid at the counter.' })),
    paymentMethod: Type.Optional(
      Type.String({ pattern: '^[a-z0-9][a-z0-9_-]{0,39}$', description: 'How the customer pays: cod (cash on delivery), cash, card, momo, vnpay, bank_transfer …' }),
    ),
    locationId: Type.Optional(Type.String({ description: 'Take the stock from this location (one of the channel’s).' })),
    placedAt: Type.Optional(Type.String({ format: 'date-time' })),
  },
  { additionalProperties: false },
);
export type PlaceOrderInput = Static<typeof PlaceOrderBody>;

export const CommerceFactsSchema = Type.Object({
  profileId: Type.String(),
  currency: Type.String(),
  totalSpent: Type.Integer(),
  orderCount: Type.Integer(),
  byChannel: Type.Record(Type.String(), Type.Object({ orders: Type.Integer(), spent: Type.Integer() })),
  firstOrderAt: Nullable(Type.String({ format: 'date-time' })),
  lastOrderAt: Nullable(Type.String({ format: 'date-time' })),
  lastStoreLocationId: Nullable(Type.String()),
  lastStoreVisitAt: Nullable(Type.String({ format: 'date-time' })),
});
