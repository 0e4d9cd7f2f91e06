import { sql } from 'drizzle-orm';
import { check, index, integer, pgTable, primaryKey, text } from 'drizzle-orm/pg-core';
import { timestamptz } from '../../db/columns';

/**
 * Stock of one variant at one location. available = on_hand − reserved; the database refuses
 * any state where either is negative or more is reserved than is on hand.
 */
export const inventoryLevels = pgTable(
  'inventory_levels',
  {
    workspaceId: text('workspace_id').notNull(),
    variantId: text('variant_id').notNull(),
    locationId: text('location_id').notNull(),
    onHand: integer('on_hand').notNull().default(0),
    reserved: integer('reserved').notNull().default(0),
    /** Below this much available, the level counts as low stock. */
    lowStockThreshold: integer('low_stock_threshold'),
    updatedAt: timestamptz('updated_at').notNull().defaultNow(),
  },
  (t) => [
    primaryKey({ columns: [t.workspaceId, t.variantId, t.locationId] }),
    check('inventory_levels_non_negative', sql`on_hand >= 0 AND reserved >= 0 AND reserved <= on_hand`),
  ],
);

/** Every change of a level, with its reason and who made it: the audit trail. */
export const inventoryAdjustments = pgTable(
  'inventory_adjustments',
  {
    workspaceId: text('workspace_id').notNull(),
    id: text('id').notNull(),
    variantId: text('variant_id').notNull(),
    locationId: text('location_id').notNull(),
    onHandDelta: integer('on_hand_delta').notNull(),
    reservedDelta: integer('reserved_delta').notNull(),
    onHandAfter: integer('on_hand_after').notNull(),
    reservedAfter: integer('reserved_after').notNull(),
    /** received | correction | damaged | sale | return | cancellation | reservation | release | expiry | transfer … */
    reason: text('reason').notNull(),
    /** Who: `token:<id>`, `user:<id>`, `channel:<id>`, `system`. */
    actor: text('actor').notNull(),
    /** What caused it: an order, reservation or cart id. */
    ref: text('ref'),
    note: text('note'),
    createdAt: timestamptz('created_at').notNull().defaultNow(),
  },
  (t) => [
    primaryKey({ columns: [t.workspaceId, t.id] }),
    index('inventory_adjustments_ws_variant').on(t.workspaceId, t.variantId, t.createdAt.desc()),
  ],
);

/** Units held for a cart's checkout (or an order being placed) until they expire. */
export const reservations = pgTable(
  'reservations',
  {
    workspaceId: text('workspace_id').notNull(),
    id: text('id').notNull(),
    variantId: text('variant_id').notNull(),
    locationId: text('location_id').notNull(),
    channelId: text('channel_id').notNull(),
    quantity: integer('quantity').notNull(),
    /** The cart (or other holder) the units are held for. */
    holder: text('holder').notNull(),
    /** active | converted | released | expired */
    status: text('status').notNull().default('active'),
    expiresAt: timestamptz('expires_at').notNull(),
    createdAt: timestamptz('created_at').notNull().defaultNow(),
    closedAt: timestamptz('closed_at'),
    /** The order it became, when converted. */
    orderId: text('order_id'),
  },
  (t) => [
    primaryKey({ columns: [t.workspaceId, t.id] }),
    index('reservations_ws_holder').on(t.workspaceId, t.holder).where(sql`status = 'active'`),
    index('reservations_expiry').on(t.expiresAt).where(sql`status = 'active'`),
    check('reservations_positive', sql`quantity > 0`),
  ],
);
