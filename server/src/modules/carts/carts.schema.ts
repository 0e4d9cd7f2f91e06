import { Type, type Static } from 'typebox';
import { JsonObject, Nullable } from '../../platform/schema';
import { PromotionNeedsSchema } from '../promotions';

const Quantity = (minimum: number) => Type.Integer({ minimum, maximum: 9999 });
const Version = Type.Integer({
  minimum: 0,
  maximum: 2_147_483_647,
  description: 'The cart version this change was made against (0: no cart yet). A stale one gets 409 cart_conflict with the current cart.',
});
const Sku = Type.String({ minLength: 1, maxLength: 100 });

export const CartLineSchema = Type.Object({
  variantId: Type.String(),
  productId: Type.String(),
  sku: Type.String(),
  title: Type.String(),
  quantity: Type.Integer(),
  unitPrice: Type.Integer(),
  discount: Type.Integer({ description: 'Promotions’ discount on this line.' }),
  total: Type.Integer({ description: 'unitPrice × quantity − discount.' }),
  available: Type.Integer({ description: 'What the pricing channel can sell of it now.' }),
  addedOnChannelId: Nullable(Type.String()),
  addedAt: Type.String({ format: 'date-time' }),
});

export const CheckoutStateSchema = Type.Object({
  step: Type.Union([Type.Literal('none'), Type.Literal('started'), Type.Literal('shipping'), Type.Literal('payment'), Type.Literal('payment_failed')]),
  startedAt: Nullable(Type.String({ format: 'date-time' })),
  shipping: Nullable(
    Type.Object({
      method: Type.String({ description: "The channel's shipping method id." }),
      name: Type.String(),
      fee: Type.Integer({ description: 'The method’s fee; shippingTotal says what applies to the cart now (free above freeAbove).' }),
      freeAbove: Nullable(Type.Integer()),
      custom: Type.Boolean({ description: 'A fee an agent set through the admin API.' }),
      address: Nullable(JsonObject),
    }),
  ),
  payment: Nullable(Type.Object({ provider: Type.String(), method: Type.String() })),
  paymentFailures: Type.Array(
    Type.Object({ provider: Type.String(), reason: Type.String(), code: Nullable(Type.String()), channelId: Type.String(), at: Type.String({ format: 'date-time' }) }),
  ),
  reservedUntil: Nullable(Type.String({ format: 'date-time' })),
  history: Type.Array(Type.Object({ step: Type.String(), channelId: Type.String(), at: Type.String({ format: 'date-time' }) })),
});

export const CartSchema = Type.Object(
  {
    id: Nullable(Type.String()),
    profileId: Nullable(Type.String()),
    status: Type.Union([Type.Literal('active'), Type.Literal('ordered'), Type.Literal('merged')]),
    currency: Type.String(),
    channelId: Nullable(Type.String({ description: 'The channel that changed it last.' })),
    version: Type.Integer(),
    pricedForChannelId: Nullable(Type.String()),
    lines: Type.Array(CartLineSchema),
    itemCount: Type.Integer(),
    subtotal: Type.Integer(),
    discountTotal: Type.Integer(),
    shippingTotal: Type.Integer(),
    shippingDiscount: Type.Integer(),
    total: Type.Integer(),
    promotions: Type.Array(
      Type.Object({ promotionId: Type.String(), name: Type.String(), amount: Type.Integer(), code: Nullable(Type.String()), description: Type.String() }),
    ),
    codes: Type.Array(
      Type.Object({
        code: Type.String(),
        status: Type.Union([Type.Literal('applied'), Type.Literal('not_applied'), Type.Literal('denied')]),
        promotionId: Nullable(Type.String()),
        reason: Nullable(Type.String()),
        message: Nullable(Type.String()),
        needs: PromotionNeedsSchema,
      }),
    ),
    gifts: Type.Array(Type.Object({ variantId: Type.String(), sku: Type.String(), title: Type.String(), quantity: Type.Integer(), promotionId: Type.String() })),
    notApplied: Type.Optional(
      Type.Array(
        Type.Object({
          promotionId: Type.String(),
          name: Type.String(),
          reason: Type.String(),
          message: Type.String({ description: 'Why, in English words (see `needs` for the machine-readable form).' }),
          needs: PromotionNeedsSchema,
          missing: Type.Optional(Type.Object({ spend: Type.Optional(Type.Integer()), saving: Type.Optional(Type.Integer()), items: Type.Optional(Type.Integer()) })),
        }),
      ),
    ),
    checkout: CheckoutStateSchema,
    orderId: Nullable(Type.String()),
    createdAt: Nullable(Type.String({ format: 'date-time' })),
    updatedAt: Nullable(Type.String({ format: 'date-time' })),
  },
  { $id: 'Cart' },
);

/** Admin calls say which channel acts (the agent's phone line, a POS, the chatbot). */
const ChannelField = { channelId: Type.String({ minLength: 1, maxLength: 100, description: 'The sales channel making the change.' }) };

const addFields = { sku: Sku, quantity: Quantity(1), version: Type.Optional(Version) };
const setFields = { quantity: Type.Integer({ minimum: 0, maximum: 9999, description: '0 removes the line.' }), version: Type.Optional(Version) };

export const AddLineBody = Type.Object(addFields, { additionalProperties: false });
export const AdminAddLineBody = Type.Object({ ...ChannelField, ...addFields }, { additionalProperties: false });
export const SetLineBody = Type.Object(setFields, { additionalProperties: false });
export const AdminSetLineBody = Type.Object({ ...ChannelField, ...setFields }, { additionalProperties: false });
export const SkuParams = Type.Object({ sku: Sku });
export const AdminSkuParams = Type.Object({ id: Type.String({ minLength: 1, maxLength: 100 }), sku: Sku });
export const ProfileParams = Type.Object({ id: Type.String({ minLength: 1, maxLength: 100 }) });
export const VersionQuery = Type.Object({ version: Type.Optional(Version) });
export const AdminVersionQuery = Type.Object({ ...ChannelField, version: Type.Optional(Version) });
const explain = Type.Optional(Type.Boolean({ description: 'Also list the promotions that did not apply, and why.' }));
export const CartQuery = Type.Object({ explain });
export const AdminCartQuery = Type.Object({
  channelId: Type.Optional(Type.String({ minLength: 1, maxLength: 100, description: 'Price the cart for this channel (default: the channel that changed it last).' })),
  explain,
});
const codeFields = { code: Type.String({ minLength: 1, maxLength: 60 }), version: Type.Optional(Version) };
export const CodeBody = Type.Object(codeFields, { additionalProperties: false });
export const AdminCodeBody = Type.Object({ ...ChannelField, ...codeFields }, { additionalProperties: false });
export const CodeParams = Type.Object({ code: Type.String({ minLength: 1, maxLength: 60 }) });
export const AdminCodeParams = Type.Object({ id: Type.String({ minLength: 1, maxLength: 100 }), code: Type.String({ minLength: 1, maxLength: 60 }) });

const checkoutFields = {
  step: Type.Union([Type.Literal('started'), Type.Literal('shipping'), Type.Literal('payment'), Type.Literal('payment_failed'), Type.Literal('cancelled')], {
    description:
      "started: holds the units; shipping: needs method (one of the channel's shipping methods, by id — the fee comes from it); payment: needs provider and method (cod for cash on delivery, where the channel takes it); payment_failed: needs provider and reason; cancelled: lets the units go.",
  }),
  method: Type.Optional(Type.String({ minLength: 1, maxLength: 100, description: 'Shipping method id (step shipping) or payment method (step payment).' })),
  address: Type.Optional(JsonObject),
  provider: Type.Optional(Type.String({ minLength: 1, maxLength: 100, description: 'Payment provider (momo, vnpay, zalopay, cod, card…).' })),
  reason: Type.Optional(Type.String({ minLength: 1, maxLength: 500, description: "The provider's reason for a failed payment." })),
  code: Type.Optional(Type.String({ minLength: 1, maxLength: 100 })),
  version: Type.Optional(Version),
};
/** A storefront reports progress; it never sets a fee (that comes from the channel's shipping methods). */
export const CheckoutBody = Type.Object(checkoutFields, { additionalProperties: false });
export const AdminCheckoutBody = Type.Object(
  {
    ...ChannelField,
    ...checkoutFields,
    fee: Type.Optional(Type.Integer({ minimum: 0, maximum: 100_000_000_000, description: 'Step shipping: a fee the agent quotes instead of the method’s (admin API only).' })),
  },
  { additionalProperties: false },
);
export type CheckoutInput = Static<typeof CheckoutBody>;

const orderFields = {
  idempotencyKey: Type.Optional(
    Type.String({ minLength: 1, maxLength: 200, description: 'Makes retries safe (or send the Idempotency-Key header). The same key returns the same order.' }),
  ),
  expectedTotal: Type.Optional(Type.Integer({ minimum: 0, maximum: Number.MAX_SAFE_INTEGER, description: 'The total the shopper was shown: if promotions changed it meanwhile, 409 price_changed.' })),
  version: Type.Optional(Version),
};
/** A storefront places the order; whether it is paid is never the browser's to say. */
export const PlaceCartOrderBody = Type.Object(orderFields, { additionalProperties: false });
export const AdminPlaceCartOrderBody = Type.Object(
  {
    ...ChannelField,
    ...orderFields,
    status: Type.Optional(Type.Union([Type.Literal('placed'), Type.Literal('paid')], { description: 'paid when the payment already succeeded (default placed).' })),
  },
  { additionalProperties: false },
);
