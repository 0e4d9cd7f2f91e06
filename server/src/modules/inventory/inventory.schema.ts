import { Type, type Static } from 'typebox';
import { Nullable } from '../../platform/schema';

export const LevelSchema = Type.Object({
  locationId: Type.String(),
  locationName: Type.String(),
  kind: Type.String(),
  onHand: Type.Integer(),
  reserved: Type.Integer(),
  available: Type.Integer({ description: 'onHand − reserved' }),
  lowStockThreshold: Nullable(Type.Integer()),
  isLowStock: Type.Boolean(),
  updatedAt: Type.String({ format: 'date-time' }),
});

export const AvailabilitySchema = Type.Object({
  sku: Type.String(),
  variantId: Type.String(),
  onHand: Type.Integer(),
  reserved: Type.Integer(),
  available: Type.Integer(),
  locations: Type.Array(LevelSchema),
  channels: Type.Array(
    Type.Object({
      channelId: Type.String(),
      name: Type.String(),
      type: Type.String(),
      allocation: Type.Object({ mode: Type.String(), value: Type.Integer() }),
      available: Type.Integer({ description: 'What this channel may sell now, over the locations that fulfil it, after its allocation rule.' }),
    }),
  ),
});

export const AdjustBody = Type.Object(
  {
    sku: Type.String({ minLength: 1 }),
    locationId: Type.String({ minLength: 1 }),
    delta: Type.Optional(Type.Integer({ minimum: -1000000, maximum: 1000000, description: 'Change on hand by this much (received +20, damaged −1).' })),
    count: Type.Optional(Type.Integer({ minimum: 0, maximum: 100000000, description: 'A stock take: on hand becomes exactly this.' })),
    reason: Type.String({ minLength: 1, maxLength: 50, pattern: '^[a-z_]+$', description: 'received, correction, damaged, stock_take, transfer …' }),
    note: Type.Optional(Type.String({ maxLength: 2000 })),
    lowStockThreshold: Type.Optional(Nullable(Type.Integer({ minimum: 0, maximum: 100_000_000 }))),
  },
  { additionalProperties: false },
);
export type AdjustInput = Static<typeof AdjustBody>;

export const AdjustmentSchema = Type.Object({
  id: Type.String(),
  variantId: Type.String(),
  locationId: Type.String(),
  onHandDelta: Type.Integer(),
  reservedDelta: Type.Integer(),
  onHandAfter: Type.Integer(),
  reservedAfter: Type.Integer(),
  reason: Type.String(),
  actor: Type.String(),
  ref: Nullable(Type.String()),
  note: Nullable(Type.String()),
  createdAt: Type.String({ format: 'date-time' }),
});

export const ReserveBody = Type.Object(
  {
    channelId: Type.String({ minLength: 1 }),
    holder: Type.String({ minLength: 1, maxLength: 200, description: 'Who holds the units (a cart id, a POS hold number); reserving again replaces the holder’s earlier reservations.' }),
    lines: Type.Array(Type.Object({ sku: Type.String({ minLength: 1 }), quantity: Type.Integer({ minimum: 1, maximum: 100000 }) }, { additionalProperties: false }), {
      minItems: 1,
      maxItems: 500,
    }),
    ttlSeconds: Type.Optional(Type.Integer({ minimum: 1, maximum: 7 * 86400, default: 900 })),
  },
  { additionalProperties: false },
);

export const ReservationSchema = Type.Object({
  id: Type.String(),
  variantId: Type.String(),
  locationId: Type.String(),
  channelId: Type.String(),
  quantity: Type.Integer(),
  holder: Type.String(),
  status: Type.String(),
  expiresAt: Type.String({ format: 'date-time' }),
  createdAt: Type.String({ format: 'date-time' }),
  orderId: Nullable(Type.String()),
});

export const StockListQuery = Type.Object(
  {
    q: Type.Optional(Type.String({ maxLength: 200, description: 'Product title, variant title or SKU (accent-insensitive).' })),
    locationId: Type.Optional(Type.String({ minLength: 1, description: 'Show stock at this location only (channel sellable counts stay whole).' })),
    lowStock: Type.Optional(Type.Boolean({ description: 'Only SKUs with a level at or below its low-stock threshold.' })),
    threshold: Type.Optional(Type.Integer({ minimum: 0, maximum: 1000000, default: 5, description: 'Low stock for levels without their own threshold: available at or below this.' })),
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 200, default: 50, description: 'Products per page (low stock only: SKUs per page).' })),
    cursor: Type.Optional(Type.String()),
  },
  { additionalProperties: false },
);

export const StockListSchema = Type.Object({
  locations: Type.Array(Type.Object({ id: Type.String(), name: Type.String(), kind: Type.String() })),
  channels: Type.Array(
    Type.Object({ id: Type.String(), name: Type.String(), type: Type.String(), allocation: Type.Object({ mode: Type.String(), value: Type.Integer() }) }),
  ),
  data: Type.Array(
    Type.Object({
      sku: Type.String(),
      variantId: Type.String(),
      productId: Type.String(),
      productTitle: Type.String(),
      title: Type.String(),
      options: Type.Record(Type.String(), Type.String()),
      price: Type.Integer(),
      currency: Type.String(),
      onHand: Type.Integer({ description: 'Over the locations shown.' }),
      reserved: Type.Integer(),
      available: Type.Integer(),
      isLowStock: Type.Boolean({ description: 'A level shown is at or below its threshold, or the SKU is stocked nowhere.' }),
      levels: Type.Array(
        Type.Object({
          locationId: Type.String(),
          onHand: Type.Integer(),
          reserved: Type.Integer(),
          available: Type.Integer(),
          lowStockThreshold: Nullable(Type.Integer()),
          isLowStock: Type.Boolean(),
          updatedAt: Type.String({ format: 'date-time' }),
        }),
      ),
      channels: Type.Array(
        Type.Object({
          channelId: Type.String(),
          sellable: Type.Integer({ description: 'What this channel may sell now over all its locations, after its allocation rule.' }),
        }),
      ),
    }),
  ),
  nextCursor: Nullable(Type.String()),
});
