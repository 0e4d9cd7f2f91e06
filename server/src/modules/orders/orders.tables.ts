import { sql } from 'drizzle-orm';
import { bigint, index, integer, jsonb, pgTable, primaryKey, text, uniqueIndex } from 'drizzle-orm/pg-core';
import { timestamptz } from '../../db/columns';

/** Orders from every channel: web checkout, POS sales, marketplace and phone orders. */
export const orders = pgTable(
  'orders',
  {
    workspaceId: text('workspace_id').notNull(),
    id: text('id').notNull(),
    channelId: text('channel_id').notNull(),
    /** The channel's type when the order was placed (web, pos, marketplace …). */
    channelType: text('channel_type').notNull(),
    /** For store sales: the store. */
    storeLocationId: text('store_location_id'),
    /** The channel's own order id (POS receipt, Shopee order sn …): idempotent per channel. */
    externalId: text('external_id'),
    /** For checkouts: the client's retry key. */
    idempotencyKey: text('idempotency_key'),
    profileId: text('profile_id'),
    cartId: text('cart_id'),
    /** placed | paid | fulfilled | cancelled | returned */
    status: text('status').notNull(),
    currency: text('currency').notNull(),
    subtotal: bigint('subtotal', { mode: 'number' }).notNull(),
    discountTotal: bigint('discount_total', { mode: 'number' }).notNull().default(0),
    /** Shipping charged (checkouts that chose a shipping method); part of the total. */
    shippingTotal: bigint('shipping_total', { mode: 'number' }).notNull().default(0),
    total: bigint('total', { mode: 'number' }).notNull(),
    /** How the customer pays: `cod` (cash on delivery), or the provider/method the shop names (card, momo, cash …); null: not said. */
    paymentMethod: text('payment_method'),
    /** When payment was received: placed as paid, marked paid, or a COD order delivered. Null: not paid yet. */
    paidAt: timestamptz('paid_at'),
    placedAt: timestamptz('placed_at').notNull(),
    createdAt: timestamptz('created_at').notNull().defaultNow(),
    updatedAt: timestamptz('updated_at').notNull().defaultNow(),
  },
  (t) => [
    primaryKey({ columns: [t.workspaceId, t.id] }),
    uniqueIndex('orders_ws_channel_external').on(t.workspaceId, t.channelId, t.externalId).where(sql`external_id IS NOT NULL`),
    uniqueIndex('orders_ws_idempotency').on(t.workspaceId, t.idempotencyKey).where(sql`idempotency_key IS NOT NULL`),
    index('orders_ws_profile').on(t.workspaceId, t.profileId, t.placedAt.desc()),
    index('orders_ws_placed').on(t.workspaceId, t.placedAt.desc()),
  ],
);

export const orderLines = pgTable(
  'order_lines',
  {
    workspaceId: text('workspace_id').notNull(),
    orderId: text('order_id').notNull(),
    lineNo: integer('line_no').notNull(),
    variantId: text('variant_id').notNull(),
    productId: text('product_id').notNull(),
    sku: text('sku').notNull(),
    title: text('title').notNull(),
    /** Category ids at the time of the sale (purchase-history conditions read them). */
    categoryIds: jsonb('category_ids').notNull().default(sql`'[]'::jsonb`),
    quantity: integer('quantity').notNull(),
    unitPrice: bigint('unit_price', { mode: 'number' }).notNull(),
    /** Promotions' discount on this line (total = unit price × quantity − discount). */
    discount: bigint('discount', { mode: 'number' }).notNull().default(0),
    total: bigint('total', { mode: 'number' }).notNull(),
    /** Where the stock left from. */
    locationId: text('location_id').notNull(),
  },
  (t) => [primaryKey({ columns: [t.workspaceId, t.orderId, t.lineNo] })],
);

/** Every status change of an order: from, to, when, who, why. */
export const orderTransitions = pgTable(
  'order_transitions',
  {
    workspaceId: text('workspace_id').notNull(),
    id: text('id').notNull(),
    orderId: text('order_id').notNull(),
    fromStatus: text('from_status'),
    toStatus: text('to_status').notNull(),
    actor: text('actor').notNull(),
    note: text('note'),
    /** For returns: whether the goods went back into stock. */
    restocked: integer('restocked'),
    at: timestamptz('at').notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.workspaceId, t.id] }), index('order_transitions_ws_order').on(t.workspaceId, t.orderId, t.at)],
);

/**
 * Per-profile commerce facts, kept current by the orders module: segments and promotions read
 * them instead of scanning orders.
 */
export const profileCommerce = pgTable(
  'profile_commerce',
  {
    workspaceId: text('workspace_id').notNull(),
    profileId: text('profile_id').notNull(),
    currency: text('currency').notNull(),
    totalSpent: bigint('total_spent', { mode: 'number' }).notNull().default(0),
    orderCount: integer('order_count').notNull().default(0),
    /** { [channelId]: { orders, spent } } */
    byChannel: jsonb('by_channel').notNull().default(sql`'{}'::jsonb`),
    firstOrderAt: timestamptz('first_order_at'),
    lastOrderAt: timestamptz('last_order_at'),
    lastStoreLocationId: text('last_store_location_id'),
    lastStoreVisitAt: timestamptz('last_store_visit_at'),
    updatedAt: timestamptz('updated_at').notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.workspaceId, t.profileId] })],
);
