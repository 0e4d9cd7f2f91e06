import { Type, type Static } from 'typebox';
import { Nullable } from '../../platform/schema';

export const SALES_CHANNEL_TYPES = ['web', 'app', 'pos', 'marketplace', 'social', 'phone', 'salesperson'] as const;
export type SalesChannelType = (typeof SALES_CHANNEL_TYPES)[number];
export const MARKETPLACE_PLATFORMS = ['shopee', 'lazada', 'tiki', 'tiktok', 'other'] as const;
export const SOCIAL_PLATFORMS = ['facebook', 'zalo', 'instagram', 'tiktok', 'other'] as const;
export const ALLOCATION_MODES = ['none', 'safety_stock', 'percentage'] as const;
export type AllocationMode = (typeof ALLOCATION_MODES)[number];
export const LOCATION_KINDS = ['store', 'warehouse'] as const;
export type LocationKind = (typeof LOCATION_KINDS)[number];
export const PRODUCT_STATUSES = ['active', 'draft', 'archived'] as const;
export type ProductStatus = (typeof PRODUCT_STATUSES)[number];

const Id = Type.String({ minLength: 1, maxLength: 100 });
const Timestamp = Type.String({ format: 'date-time' });
const Currency = Type.String({ pattern: '^[A-Z]{3}$', description: 'ISO 4217 code, e.g. VND.' });
/** Money: an integer in minor units of the currency (₫ has none: 150000 = 150.000 ₫). */
const Price = Type.Integer({ minimum: 0, maximum: 100_000_000_000, description: 'Integer minor units (VND: đồng); at most 100 billion so line totals stay exact.' });
const Name = Type.String({ minLength: 1, maxLength: 200 });

export const IdParams = Type.Object({ id: Id });
export const VariantPriceParams = Type.Object({ id: Id, channelId: Id });

// Sales channels

export const AllocationSchema = Type.Object(
  {
    mode: Type.Enum(ALLOCATION_MODES),
    value: Type.Optional(Type.Integer({ minimum: 0, maximum: 1_000_000_000, description: 'safety_stock: units kept back; percentage: 1..100; none: 0.' })),
  },
  { additionalProperties: false },
);
export type AllocationInput = Static<typeof AllocationSchema>;

export const ShippingMethodSchema = Type.Object(
  {
    id: Type.String({ pattern: '^[a-z0-9][a-z0-9_-]{0,39}$', description: 'What a storefront sends to choose it (e.g. standard, express).' }),
    name: Name,
    fee: Price,
    freeAbove: Type.Optional(Nullable(Price)),
  },
  { additionalProperties: false, description: 'fee in minor units; free when the cart subtotal reaches freeAbove.' },
);
export type ShippingMethodInput = Static<typeof ShippingMethodSchema>;
const ShippingMethods = Type.Array(ShippingMethodSchema, {
  maxItems: 20,
  description: 'The shipping methods shoppers choose from at checkout (by id). A browser never sends a fee: it comes from here. Replaces the list.',
});
const CashOnDelivery = Type.Boolean({ description: 'Orders placed on this channel may be paid in cash on delivery (COD): such an order is confirmed without prepayment and is paid when delivered.' });

export const ChannelSchema = Type.Object({
  id: Type.String(),
  name: Type.String(),
  type: Type.Enum(SALES_CHANNEL_TYPES),
  platform: Nullable(Type.String()),
  currency: Type.String(),
  sourceId: Nullable(Type.String()),
  allocation: Type.Object({ mode: Type.Enum(ALLOCATION_MODES), value: Type.Integer() }),
  shippingMethods: Type.Array(Type.Object({ id: Type.String(), name: Type.String(), fee: Type.Integer(), freeAbove: Nullable(Type.Integer()) })),
  cashOnDelivery: Type.Boolean(),
  locations: Type.Array(
    Type.Object({ id: Type.String(), name: Type.String(), kind: Type.Enum(LOCATION_KINDS), priority: Type.Integer() }),
    { description: 'Locations that fulfil this channel, in order of preference.' },
  ),
  createdAt: Timestamp,
  archivedAt: Nullable(Timestamp),
});

export const CreateChannelBody = Type.Object(
  {
    name: Name,
    type: Type.Enum(SALES_CHANNEL_TYPES),
    platform: Type.Optional(Type.String({
      minLength: 1,
      maxLength: 32,
      description: 'marketplace: shopee | lazada | tiki | tiktok | other; social: facebook | zalo | instagram | tiktok | other; absent otherwise.',
    })),
    currency: Type.Optional(Currency),
    sourceId: Type.Optional(Id),
    allocation: Type.Optional(AllocationSchema),
    locationIds: Type.Optional(Type.Array(Id, { maxItems: 100, uniqueItems: true, description: 'In order of preference. A pos channel has one.' })),
    shippingMethods: Type.Optional(ShippingMethods),
    cashOnDelivery: Type.Optional(CashOnDelivery),
  },
  { additionalProperties: false },
);
export type CreateChannelInput = Static<typeof CreateChannelBody>;

export const UpdateChannelBody = Type.Object(
  {
    name: Type.Optional(Name),
    allocation: Type.Optional(AllocationSchema),
    locationIds: Type.Optional(Type.Array(Id, { maxItems: 100, uniqueItems: true, description: 'Replaces the list.' })),
    sourceId: Type.Optional(Nullable(Id)),
    shippingMethods: Type.Optional(ShippingMethods),
    cashOnDelivery: Type.Optional(CashOnDelivery),
  },
  { additionalProperties: false },
);
export type UpdateChannelInput = Static<typeof UpdateChannelBody>;

export const ChannelListQuery = Type.Object({
  type: Type.Optional(Type.Enum(SALES_CHANNEL_TYPES)),
  archived: Type.Optional(Type.Boolean({ description: 'Include archived channels.' })),
});

// Stock locations

export const LocationSchema = Type.Object({
  id: Type.String(),
  name: Type.String(),
  kind: Type.Enum(LOCATION_KINDS),
  address: Nullable(Type.String()),
  city: Nullable(Type.String()),
  createdAt: Timestamp,
});

export const CreateLocationBody = Type.Object(
  {
    name: Name,
    kind: Type.Enum(LOCATION_KINDS),
    address: Type.Optional(Type.String({ maxLength: 500 })),
    city: Type.Optional(Type.String({ maxLength: 100 })),
  },
  { additionalProperties: false },
);
export type CreateLocationInput = Static<typeof CreateLocationBody>;

export const UpdateLocationBody = Type.Object(
  {
    name: Type.Optional(Name),
    kind: Type.Optional(Type.Enum(LOCATION_KINDS)),
    address: Type.Optional(Nullable(Type.String({ maxLength: 500 }))),
    city: Type.Optional(Nullable(Type.String({ maxLength: 100 }))),
  },
  { additionalProperties: false },
);
export type UpdateLocationInput = Static<typeof UpdateLocationBody>;

// Categories

const Slug = Type.String({ pattern: '^[a-z0-9]+(?:-[a-z0-9]+)*$', maxLength: 200, description: 'Lower-case letters, digits and hyphens.' });

export const CategorySchema = Type.Object({
  id: Type.String(),
  name: Type.String(),
  slug: Type.String(),
  parentId: Nullable(Type.String()),
  createdAt: Timestamp,
});

export const CreateCategoryBody = Type.Object(
  {
    name: Name,
    slug: Type.Optional(Slug),
    parentId: Type.Optional(Id),
  },
  { additionalProperties: false },
);
export type CreateCategoryInput = Static<typeof CreateCategoryBody>;

export const UpdateCategoryBody = Type.Object(
  {
    name: Type.Optional(Name),
    slug: Type.Optional(Slug),
    parentId: Type.Optional(Nullable(Id)),
  },
  { additionalProperties: false },
);
export type UpdateCategoryInput = Static<typeof UpdateCategoryBody>;

// Products and variants

const Sku = Type.String({ minLength: 1, maxLength: 100, pattern: '^\\S(?:.*\\S)?$', description: 'Unique in the workspace; no surrounding spaces.' });
const Barcode = Type.String({ minLength: 1, maxLength: 100, pattern: '^\\S(?:.*\\S)?$' });
const Options = Type.Record(Type.String({ minLength: 1, maxLength: 100 }), Type.String({ maxLength: 200 }), {
  maxProperties: 20,
  description: 'Option values, e.g. { "Màu": "Đỏ", "Size": "M" }.',
});

export const VariantSchema = Type.Object({
  id: Type.String(),
  productId: Type.String(),
  sku: Type.String(),
  barcode: Nullable(Type.String()),
  title: Type.String(),
  options: Type.Record(Type.String(), Type.String()),
  price: Type.Integer(),
  currency: Type.String(),
  channelPrices: Type.Record(Type.String(), Type.Integer(), { description: 'Channel id → that channel’s own price.' }),
  createdAt: Timestamp,
  updatedAt: Timestamp,
});

export const ProductSchema = Type.Object({
  id: Type.String(),
  title: Type.String(),
  description: Type.String(),
  status: Type.Enum(PRODUCT_STATUSES),
  categoryIds: Type.Array(Type.String()),
  variants: Type.Array(VariantSchema),
  createdAt: Timestamp,
  updatedAt: Timestamp,
});

export const CatalogVariantSchema = Type.Object({
  id: Type.String(),
  productId: Type.String(),
  productTitle: Type.String(),
  sku: Type.String(),
  barcode: Nullable(Type.String()),
  title: Type.String(),
  options: Type.Record(Type.String(), Type.String()),
  price: Type.Integer(),
  currency: Type.String(),
  categoryIds: Type.Array(Type.String()),
  channelPrices: Type.Record(Type.String(), Type.Integer()),
  productStatus: Type.Enum(PRODUCT_STATUSES),
});

export const VariantInputSchema = Type.Object(
  {
    sku: Sku,
    barcode: Type.Optional(Barcode),
    title: Type.Optional(Type.String({ maxLength: 200 })),
    options: Type.Optional(Options),
    price: Price,
    currency: Type.Optional(Currency),
    channelPrices: Type.Optional(Type.Record(Id, Price, { maxProperties: 100, description: 'Channel id → price in that channel.' })),
  },
  { additionalProperties: false },
);
export type VariantInput = Static<typeof VariantInputSchema>;

export const CreateProductBody = Type.Object(
  {
    title: Type.String({ minLength: 1, maxLength: 300 }),
    description: Type.Optional(Type.String({ maxLength: 20_000 })),
    status: Type.Optional(Type.Enum(PRODUCT_STATUSES)),
    categoryIds: Type.Optional(Type.Array(Id, { maxItems: 50, uniqueItems: true })),
    variants: Type.Array(VariantInputSchema, { minItems: 1, maxItems: 100 }),
  },
  { additionalProperties: false },
);
export type CreateProductInput = Static<typeof CreateProductBody>;

export const UpdateProductBody = Type.Object(
  {
    title: Type.Optional(Type.String({ minLength: 1, maxLength: 300 })),
    description: Type.Optional(Type.String({ maxLength: 20_000 })),
    status: Type.Optional(Type.Enum(PRODUCT_STATUSES)),
    categoryIds: Type.Optional(Type.Array(Id, { maxItems: 50, uniqueItems: true, description: 'Replaces the list.' })),
  },
  { additionalProperties: false },
);
export type UpdateProductInput = Static<typeof UpdateProductBody>;

export const ProductListQuery = Type.Object({
  q: Type.Optional(Type.String({ maxLength: 200, description: 'Words of the title or a SKU; accents are ignored.' })),
  categoryId: Type.Optional(Id),
  status: Type.Optional(Type.Enum(PRODUCT_STATUSES, { description: 'Without it, archived products are left out.' })),
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 200, default: 50 })),
  cursor: Type.Optional(Type.String({ maxLength: 500 })),
});

export const ProductListResponse = Type.Object({ data: Type.Array(ProductSchema), nextCursor: Nullable(Type.String()) });

export const UpdateVariantBody = Type.Object(
  {
    title: Type.Optional(Type.String({ maxLength: 200 })),
    barcode: Type.Optional(Nullable(Barcode)),
    options: Type.Optional(Options),
    price: Type.Optional(Price),
  },
  { additionalProperties: false },
);
export type UpdateVariantInput = Static<typeof UpdateVariantBody>;

export const VariantLookupQuery = Type.Object({
  sku: Type.Optional(Type.Array(Type.String({ minLength: 1, maxLength: 100 }), { maxItems: 200, description: 'Repeat for several: ?sku=A&sku=B.' })),
  barcode: Type.Optional(Type.Array(Type.String({ minLength: 1, maxLength: 100 }), { maxItems: 200 })),
});

export const ChannelPriceBody = Type.Object(
  {
    price: Price,
    currency: Type.Optional(Type.String({ pattern: '^[A-Z]{3}$', description: 'When given, must be the channel’s currency.' })),
  },
  { additionalProperties: false },
);
