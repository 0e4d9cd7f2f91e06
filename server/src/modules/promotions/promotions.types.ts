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
  traits: Record<string, unknown>;
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
  /** What is still needed, e.g. "add 150.000 ₫ more to get 100.000 ₫ off". */
  missing: string[];
  message: string;
}
