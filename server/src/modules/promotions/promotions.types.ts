/**
 * The promotion model shared by the engine (pure: no database), the store (tables, API) and
 * every channel that asks "what does this customer get": checkout, POS orders, the agent's
 * sidebar, messages and the chatbot. Money is integer minor units of the workspace currency.
 */

/** What a discount applies to. */
export type Target =
  | { scope: 'order' }
  | { scope: 'products'; productIds: string[] }
  | { scope: 'categories'; categoryIds: string[] };

/** A set of items for buy-X-get-Y: the same shapes as Target but never the whole order. */
export type ItemSet = { scope: 'products'; productIds: string[] } | { scope: 'categories'; categoryIds: string[] } | { scope: 'variants'; variantIds: string[] };

export type Reward =
  /** percent 1..100 off the target. */
  | { type: 'percentage'; percent: number; target: Target; maxDiscount?: number }
  /** amount off the target (spread over its lines), at most the target's value. */
  | { type: 'fixed'; amount: number; target: Target }
  /**
   * Buy `buy.quantity` from `buy.items`, get `get.quantity` from `get.items` at `get.percent`
   * off (100 = free). The cheapest eligible units are the ones discounted. Repeats as often as
   * the cart allows, up to `maxApplications` (absent: unlimited). "Mua 1 tặng 1": buy 1 get 1
   * of the same items at 100%.
   */
  | { type: 'buy_x_get_y'; buy: { items: ItemSet; quantity: number }; get: { items: ItemSet; quantity: number; percent: number }; maxApplications?: number }
  /** Spend at least `minSpend` on the target (default: the order) → the best tier reached. */
  | { type: 'tiered_spend'; tiers: { minSpend: number; amountOff?: number; percentOff?: number }[]; target?: Target }
  /** Shipping free, or at most `maxAmount` off it. */
  | { type: 'free_shipping'; maxAmount?: number }
  /**
   * A gift: `quantity` units of a variant added at no charge. `giftValue` (optional) is the
   * catalog price of one unit: it only ranks stacking options, it is never money off.
   */
  | { type: 'gift'; variantId: string; quantity: number; giftValue?: number };

export type TraitOp = 'eq' | 'neq' | 'in' | 'not_in' | 'gt' | 'gte' | 'lt' | 'lte' | 'exists' | 'contains';

/** Conditions compose with all / any / not. */
export type Condition =
  | { all: Condition[] }
  | { any: Condition[] }
  | { not: Condition }
  | { channel: { in: string[] } }
  | { channelType: { in: string[] } }
  /** Local time in the workspace's time zone. */
  | { schedule: { daysOfWeek?: number[]; fromHour?: number; toHour?: number } }
  /** Profile trait `tier` (membership), e.g. silver, gold. */
  | { tier: { in: string[] } }
  /** The customer has no order yet (on any channel). */
  | { firstOrder: true }
  /** Now (workspace time zone) is in the month of the profile trait `birthday` (YYYY-MM-DD). */
  | { birthdayMonth: true }
  /** Has bought from these categories within the last `withinDays` days, on any channel incl. stores. */
  | { boughtCategory: { categoryIds: string[]; withinDays: number } }
  | { totalSpent: { gte: number } }
  | { orderCount: { gte: number } }
  | { lastStore: { in: string[] } }
  /** The cart's subtotal (before discounts). */
  | { cartSubtotal: { gte: number } }
  | { trait: { key: string; op: TraitOp; value?: unknown } };

export type PromotionStatus = 'draft' | 'scheduled' | 'active' | 'paused' | 'ended';

export interface PromotionRule {
  id: string;
  name: string;
  /** Higher first. Ties: older (smaller id) first. */
  priority: number;
  /** exclusive: applies alone; combinable: stacks with other combinable promotions. */
  stacking: 'exclusive' | 'combinable';
  /** Automatic (no code) or only with one of its codes. */
  requiresCode: boolean;
  reward: Reward;
  conditions: Condition | null;
  startsAt: string | null;
  endsAt: string | null;
  /** Effective status now (scheduled/ended already resolved against startsAt/endsAt by the caller or the engine). */
  status: PromotionStatus;
  /** Remaining capacity, computed by the store from usage: null = unlimited. */
  usesLeft: number | null;
  /** Uses left for this customer: null = unlimited. */
  customerUsesLeft: number | null;
  /** Remaining budget in money: null = unlimited. */
  budgetLeft: number | null;
}

export interface PricingLine {
  variantId: string;
  productId: string;
  sku: string;
  categoryIds: string[];
  quantity: number;
  unitPrice: number;
  /** Display name for descriptions ("1 × Áo thun free"); the SKU when absent. */
  name?: string;
}

/** What the engine knows about the customer. */
export interface CustomerFacts {
  profileId: string | null;
  /** Traits set by trusted sources (the shop's systems, Omni itself): the only ones conditions read. */
  traits: Record<string, unknown>;
  /** Trait values only a browser or app claims (self-reported): never meet a condition; they explain why it failed. */
  selfReported?: Record<string, unknown>;
  totalSpent: number;
  orderCount: number;
  lastStoreLocationId: string | null;
  /** Purchases per category: the latest time each category was bought (ISO). */
  lastBoughtByCategory: Record<string, string>;
}

export interface PricingContext {
  channelId: string;
  channelType: string;
  now: Date;
  /** IANA zone for schedules and birthdays, e.g. Asia/Ho_Chi_Minh. */
  timeZone: string;
  currency: string;
  shippingFee: number;
  /** Codes entered, each already mapped by the store to its promotion (or refused with a reason). */
  codes: { code: string; promotionId: string }[];
}

/**
 * The machine-readable form of every reason the engine gives in words (`NotApplied.message`,
 * `Offer.missing`, `Offer.conditionsMet`), for clients that speak another language than the
 * English messages. Conditions are stated positively ("tier gold"); `negate: true` means the
 * opposite is required (a `not` condition). Money is integer minor units of the currency.
 */
export type PromotionNeed =
  // --- conditions (conditions.ts), positive form
  | { code: 'channel'; values: string[]; negate?: true }
  | { code: 'channel_type'; values: string[]; negate?: true }
  | { code: 'schedule'; daysOfWeek?: number[]; fromHour?: number; toHour?: number; negate?: true }
  | { code: 'tier'; values: string[]; negate?: true }
  | { code: 'first_order'; negate?: true }
  | { code: 'birthday_month'; negate?: true }
  | { code: 'birthday_missing' }
  | { code: 'bought_category'; categoryIds: string[]; withinDays: number; negate?: true }
  | { code: 'total_spent'; amount: number; negate?: true }
  | { code: 'order_count'; count: number; negate?: true }
  | { code: 'last_store'; values: string[]; negate?: true }
  | { code: 'cart_subtotal'; amount: number; negate?: true }
  | { code: 'trait'; key: string; op: TraitOp; value?: unknown; negate?: true }
  | { code: 'self_reported'; key: string; value?: unknown }
  | { code: 'all_of'; items: PromotionNeed[]; negate?: true }
  | { code: 'any_of'; items: PromotionNeed[]; negate?: true }
  // --- the cart and the reward (engine.ts)
  | { code: 'spend_more'; amount: number; saving?: number }
  | { code: 'items_more'; count: number; free?: number; discounted?: number; percent?: number }
  | { code: 'empty_cart' }
  | { code: 'add_items'; scope: 'products' | 'categories' | 'eligible' }
  | { code: 'nothing_to_discount'; scope: Target['scope']; afterOthers?: true }
  | { code: 'rounds_to_nothing'; percent: number; amount: number }
  | { code: 'reward_empty' }
  | { code: 'already_free' }
  | { code: 'no_shipping_fee' }
  // --- gates and stacking (engine.ts), codes (pricing.ts)
  | { code: 'code_required' }
  | { code: 'not_active'; status: PromotionStatus }
  | { code: 'not_started'; at: string }
  | { code: 'ended'; at: string }
  | { code: 'usage_limit' }
  | { code: 'customer_limit' }
  | { code: 'budget_exhausted' }
  | { code: 'lost_to'; winner: string | null; winnerSaving: number; saving: number; tie: boolean }
  | { code: 'code_unknown' }
  | { code: 'code_used_up' };

export type PromotionNeedCode = PromotionNeed['code'];

/** The need codes that state a condition (and so can be negated: `negate: true`). */
export const CONDITION_NEED_CODES = [
  'channel',
  'channel_type',
  'schedule',
  'tier',
  'first_order',
  'birthday_month',
  'bought_category',
  'total_spent',
  'order_count',
  'last_store',
  'cart_subtotal',
  'trait',
  'all_of',
  'any_of',
] as const satisfies readonly PromotionNeedCode[];

/** Every need code, for schemas and exhaustive tests. */
export const PROMOTION_NEED_CODES = [
  ...CONDITION_NEED_CODES,
  'birthday_missing',
  'self_reported',
  'spend_more',
  'items_more',
  'empty_cart',
  'add_items',
  'nothing_to_discount',
  'rounds_to_nothing',
  'reward_empty',
  'already_free',
  'no_shipping_fee',
  'code_required',
  'not_active',
  'not_started',
  'ended',
  'usage_limit',
  'customer_limit',
  'budget_exhausted',
  'lost_to',
  'code_unknown',
  'code_used_up',
] as const satisfies readonly PromotionNeedCode[];

// Compile-time: the list above names every code of the union.
type MissingNeedCodes = Exclude<PromotionNeedCode, (typeof PROMOTION_NEED_CODES)[number]>;
export const NEED_CODES_COMPLETE: [MissingNeedCodes] extends [never] ? true : never = true;

/** Why a promotion did not apply; stable codes for APIs, with a human message. */
export type NotAppliedReason =
  | 'not_active'
  | 'outside_window'
  | 'code_required'
  | 'conditions_not_met'
  | 'nothing_to_discount'
  | 'usage_limit_reached'
  | 'customer_limit_reached'
  | 'budget_exhausted'
  | 'not_best_combination'
  | 'exclusive_lost';

export interface LineDiscount {
  variantId: string;
  /** Total discount on this line, all promotions. */
  discount: number;
  byPromotion: { promotionId: string; amount: number }[];
}

export interface AppliedPromotion {
  promotionId: string;
  name: string;
  /** Money off (lines + shipping). Gifts count at their catalog price in `giftValue`, not here. */
  amount: number;
  code: string | null;
  /** Plain statement, e.g. "Mua 1 tặng 1: 1 × Áo thun free". */
  description: string;
}

export interface NotApplied {
  promotionId: string;
  name: string;
  reason: NotAppliedReason;
  message: string;
  /** `message` in machine-readable form, one entry per reason. */
  needs: PromotionNeed[];
  /** For conditions on spend: how much more to spend to qualify, and what it would save. */
  missing?: { spend?: number; saving?: number; items?: number };
}

export interface PricingResult {
  subtotal: number;
  /** Off the lines. */
  discountTotal: number;
  shippingFee: number;
  shippingDiscount: number;
  total: number;
  lines: LineDiscount[];
  applied: AppliedPromotion[];
  notApplied: NotApplied[];
  gifts: { variantId: string; quantity: number; promotionId: string }[];
}

/** What one promotion offers this customer now on this channel, and what they still need. */
export interface Offer {
  promotionId: string;
  name: string;
  requiresCode: boolean;
  /** Applies to the current cart as it is (code entered, conditions met, nothing missing). */
  eligible: boolean;
  /** Money this promotion alone saves on the current cart; 0 when not eligible. */
  saving: number;
  /** Money it would save once qualified (e.g. the next tier's amountOff); 0 when unknown. */
  potentialSaving: number;
  /** Conditions already met, in plain words. */
  conditionsMet: string[];
  /** `conditionsMet` in machine-readable form, entry for entry. */
  met: PromotionNeed[];
  /** What is still needed, e.g. "add 150.000 ₫ more to get 100.000 ₫ off". */
  missing: string[];
  /** `missing` in machine-readable form, entry for entry. */
  needs: PromotionNeed[];
  message: string;
}
