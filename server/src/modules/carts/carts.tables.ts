import { sql } from 'drizzle-orm';
import { check, integer, jsonb, pgTable, primaryKey, text, uniqueIndex } from 'drizzle-orm/pg-core';
import { timestamptz } from '../../db/columns';

/** One active cart per profile, whatever device or channel touches it. */
export const carts = pgTable(
  'carts',
  {
    workspaceId: text('workspace_id').notNull(),
    id: text('id').notNull(),
    profileId: text('profile_id').notNull(),
    /** active | ordered | merged | abandoned */
    status: text('status').notNull().default('active'),
    currency: text('currency').notNull(),
    /** The channel that last changed it. */
    channelId: text('channel_id'),
    /** Optimistic concurrency: every change increments it. */
    version: integer('version').notNull().default(1),
    /** Checkout progress: { startedAt, shipping, paymentFailure: { provider, reason, at } … }. */
    checkout: jsonb('checkout').notNull().default(sql`'{}'::jsonb`),
    mergedInto: text('merged_into'),
    orderId: text('order_id'),
    /**
     * Who has written to this cart: `device:<hash of a guest's anonymous id>`, `customer` (a
     * customer token) or `staff` (the admin API). A guest's anonymous id reaches the cart only
     * while it is the only writer: a cart another device or a person built needs sign-in.
     */
    writers: jsonb('writers').notNull().default(sql`'[]'::jsonb`),
    createdAt: timestamptz('created_at').notNull().defaultNow(),
    updatedAt: timestamptz('updated_at').notNull().defaultNow(),
  },
  (t) => [
    primaryKey({ columns: [t.workspaceId, t.id] }),
    uniqueIndex('carts_one_active_per_profile').on(t.workspaceId, t.profileId).where(sql`status = 'active'`),
  ],
);

export const cartLines = pgTable(
  'cart_lines',
  {
    workspaceId: text('workspace_id').notNull(),
    cartId: text('cart_id').notNull(),
    variantId: text('variant_id').notNull(),
    quantity: integer('quantity').notNull(),
    /** The channel the line was first added on. */
    channelId: text('channel_id'),
    addedAt: timestamptz('added_at').notNull().defaultNow(),
    updatedAt: timestamptz('updated_at').notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.workspaceId, t.cartId, t.variantId] }), check('cart_lines_positive', sql`quantity > 0`)],
);

/** Codes entered on a cart (kept until removed or the cart is ordered). */
export const cartCodes = pgTable(
  'cart_codes',
  {
    workspaceId: text('workspace_id').notNull(),
    cartId: text('cart_id').notNull(),
    code: text('code').notNull(),
    addedAt: timestamptz('added_at').notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.workspaceId, t.cartId, t.code] })],
);
