import { bigint, boolean, index, integer, jsonb, pgTable, primaryKey, text, uniqueIndex } from 'drizzle-orm/pg-core';
import { timestamptz } from '../../db/columns';

/** Promotions: one definition, applied by every channel through one engine. */
export const promotions = pgTable(
  'promotions',
  {
    workspaceId: text('workspace_id').notNull(),
    id: text('id').notNull(),
    name: text('name').notNull(),
    description: text('description'),
    /** draft | active | paused | ended ("scheduled" is active with a start in the future). */
    status: text('status').notNull().default('draft'),
    priority: integer('priority').notNull().default(0),
    /** exclusive | combinable */
    stacking: text('stacking').notNull().default('combinable'),
    requiresCode: boolean('requires_code').notNull().default(false),
    reward: jsonb('reward').notNull(),
    conditions: jsonb('conditions'),
    startsAt: timestamptz('starts_at'),
    endsAt: timestamptz('ends_at'),
    /** Total redemptions allowed (null: unlimited). */
    usageLimit: integer('usage_limit'),
    perCustomerLimit: integer('per_customer_limit'),
    /** Money this promotion may give away in total (null: unlimited). */
    budget: bigint('budget', { mode: 'number' }),
    /** Counters, changed only under the row lock when an order redeems. */
    uses: integer('uses').notNull().default(0),
    discountGiven: bigint('discount_given', { mode: 'number' }).notNull().default(0),
    createdAt: timestamptz('created_at').notNull().defaultNow(),
    updatedAt: timestamptz('updated_at').notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.workspaceId, t.id] }), index('promotions_ws_status').on(t.workspaceId, t.status)],
);

/** Codes: typed by a customer or printed on a card; single-use batches or one shared code. */
export const promotionCodes = pgTable(
  'promotion_codes',
  {
    workspaceId: text('workspace_id').notNull(),
    /** Normalised: upper case, no spaces. */
    code: text('code').notNull(),
    promotionId: text('promotion_id').notNull(),
    batchId: text('batch_id'),
    /** null: unlimited; 1: single use. */
    maxUses: integer('max_uses'),
    uses: integer('uses').notNull().default(0),
    createdAt: timestamptz('created_at').notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.workspaceId, t.code] }), index('promotion_codes_ws_promotion').on(t.workspaceId, t.promotionId, t.batchId)],
);

/** One row per promotion per order that used it: the report and per-customer limits read them. */
export const promotionRedemptions = pgTable(
  'promotion_redemptions',
  {
    workspaceId: text('workspace_id').notNull(),
    id: text('id').notNull(),
    promotionId: text('promotion_id').notNull(),
    code: text('code'),
    orderId: text('order_id').notNull(),
    profileId: text('profile_id'),
    channelId: text('channel_id').notNull(),
    amount: bigint('amount', { mode: 'number' }).notNull(),
    orderTotal: bigint('order_total', { mode: 'number' }).notNull(),
    /** applied | reversed (the order was cancelled) */
    status: text('status').notNull().default('applied'),
    createdAt: timestamptz('created_at').notNull().defaultNow(),
  },
  (t) => [
    primaryKey({ columns: [t.workspaceId, t.id] }),
    uniqueIndex('promotion_redemptions_order').on(t.workspaceId, t.promotionId, t.orderId),
    index('promotion_redemptions_customer').on(t.workspaceId, t.promotionId, t.profileId),
  ],
);

/** Every change of a promotion: who, what, before and after. */
export const promotionAudit = pgTable(
  'promotion_audit',
  {
    workspaceId: text('workspace_id').notNull(),
    id: text('id').notNull(),
    promotionId: text('promotion_id').notNull(),
    actor: text('actor').notNull(),
    action: text('action').notNull(),
    before: jsonb('before'),
    after: jsonb('after'),
    at: timestamptz('at').notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.workspaceId, t.id] }), index('promotion_audit_ws_promotion').on(t.workspaceId, t.promotionId, t.at)],
);
