import { sql } from 'drizzle-orm';
import { bigint, boolean, index, integer, jsonb, pgTable, primaryKey, text, uniqueIndex } from 'drizzle-orm/pg-core';
import { timestamptz } from '../../db/columns';

/**
 * Where a workspace sells: web, app, one POS per store, each marketplace shop, social shops,
 * phone, salespeople. Orders and prices name a channel.
 */
export const salesChannels = pgTable(
  'sales_channels',
  {
    workspaceId: text('workspace_id').notNull(),
    id: text('id').notNull(),
    name: text('name').notNull(),
    /** web | app | pos | marketplace | social | phone | salesperson */
    type: text('type').notNull(),
    /** For marketplace and social channels: shopee, lazada, tiki, tiktok, facebook, zalo … */
    platform: text('platform'),
    currency: text('currency').notNull(),
    /** The tracking source whose events belong to this channel, when there is one. */
    sourceId: text('source_id'),
    /**
     * How much of the stock this channel may sell (for channels that learn of stock late):
     * none | safety_stock (keep `allocation_value` units back) | percentage (sell at most that % of what is available).
     */
    allocationMode: text('allocation_mode').notNull().default('none'),
    allocationValue: integer('allocation_value').notNull().default(0),
    /**
     * The shipping methods shoppers choose from at checkout, by id: `[{ id, name, fee, freeAbove }]`
     * (fee in minor units; free when the cart's subtotal reaches `freeAbove`). A browser names a
     * method; the fee always comes from here.
     */
    shippingMethods: jsonb('shipping_methods').notNull().default(sql`'[]'::jsonb`),
    /** Orders placed on this channel may be paid in cash on delivery (COD). */
    cashOnDelivery: boolean('cash_on_delivery').notNull().default(false),
    createdAt: timestamptz('created_at').notNull().defaultNow(),
    archivedAt: timestamptz('archived_at'),
  },
  (t) => [primaryKey({ columns: [t.workspaceId, t.id] })],
);

/** Stores and warehouses. */
export const stockLocations = pgTable(
  'stock_locations',
  {
    workspaceId: text('workspace_id').notNull(),
    id: text('id').notNull(),
    name: text('name').notNull(),
    /** store | warehouse */
    kind: text('kind').notNull(),
    address: text('address'),
    city: text('city'),
    createdAt: timestamptz('created_at').notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.workspaceId, t.id] })],
);

/** Which locations fulfil a channel's orders, in order of preference (lower first). */
export const channelLocations = pgTable(
  'channel_locations',
  {
    workspaceId: text('workspace_id').notNull(),
    channelId: text('channel_id').notNull(),
    locationId: text('location_id').notNull(),
    priority: integer('priority').notNull().default(0),
  },
  (t) => [primaryKey({ columns: [t.workspaceId, t.channelId, t.locationId] })],
);

export const categories = pgTable(
  'categories',
  {
    workspaceId: text('workspace_id').notNull(),
    id: text('id').notNull(),
    name: text('name').notNull(),
    slug: text('slug').notNull(),
    parentId: text('parent_id'),
    createdAt: timestamptz('created_at').notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.workspaceId, t.id] }), uniqueIndex('categories_ws_slug').on(t.workspaceId, t.slug)],
);

export const products = pgTable(
  'products',
  {
    workspaceId: text('workspace_id').notNull(),
    id: text('id').notNull(),
    title: text('title').notNull(),
    description: text('description').notNull().default(''),
    /** active | draft | archived */
    status: text('status').notNull().default('active'),
    /** Title folded for diacritics-insensitive search. */
    searchText: text('search_text').notNull().default(''),
    createdAt: timestamptz('created_at').notNull().defaultNow(),
    updatedAt: timestamptz('updated_at').notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.workspaceId, t.id] })],
);

export const productCategories = pgTable(
  'product_categories',
  {
    workspaceId: text('workspace_id').notNull(),
    productId: text('product_id').notNull(),
    categoryId: text('category_id').notNull(),
  },
  (t) => [
    primaryKey({ columns: [t.workspaceId, t.productId, t.categoryId] }),
    index('product_categories_ws_category').on(t.workspaceId, t.categoryId),
  ],
);

/** What is sold and stocked: one row per SKU. Prices are integer minor units (₫ has none). */
export const variants = pgTable(
  'variants',
  {
    workspaceId: text('workspace_id').notNull(),
    id: text('id').notNull(),
    productId: text('product_id').notNull(),
    sku: text('sku').notNull(),
    barcode: text('barcode'),
    title: text('title').notNull().default(''),
    /** Option values, e.g. { "Màu": "Đỏ", "Size": "M" }. */
    options: jsonb('options').notNull().default(sql`'{}'::jsonb`),
    price: bigint('price', { mode: 'number' }).notNull(),
    currency: text('currency').notNull(),
    createdAt: timestamptz('created_at').notNull().defaultNow(),
    updatedAt: timestamptz('updated_at').notNull().defaultNow(),
  },
  (t) => [
    primaryKey({ columns: [t.workspaceId, t.id] }),
    uniqueIndex('variants_ws_sku').on(t.workspaceId, t.sku),
    uniqueIndex('variants_ws_barcode').on(t.workspaceId, t.barcode).where(sql`barcode IS NOT NULL`),
    index('variants_ws_product').on(t.workspaceId, t.productId),
  ],
);

/** A channel's own price for a variant (otherwise the variant's price applies). */
export const channelPrices = pgTable(
  'channel_prices',
  {
    workspaceId: text('workspace_id').notNull(),
    variantId: text('variant_id').notNull(),
    channelId: text('channel_id').notNull(),
    price: bigint('price', { mode: 'number' }).notNull(),
  },
  (t) => [primaryKey({ columns: [t.workspaceId, t.variantId, t.channelId] })],
);
