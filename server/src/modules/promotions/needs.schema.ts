/**
 * The response schema of a PromotionNeed (promotions.types.ts): the machine-readable form of
 * each English reason, so that clients can say it in their own language. One flat object: the
 * fields present depend on `code` (see the description of each code below).
 */
import { Type } from 'typebox';
import { Nullable } from '../../platform/schema';
import { PROMOTION_NEED_CODES, type PromotionNeedCode } from './promotions.types';

/** What each code means and which fields it has; a Record so that every code is documented. */
export const NEED_CODE_DOCS: Record<PromotionNeedCode, string> = {
  channel: 'Only on these channels: `values` (channel ids).',
  channel_type: 'Only on these channel types: `values` (web, pos, marketplace, …).',
  schedule: 'Only at these local times: `daysOfWeek` (0 = Sunday), `fromHour` (inclusive) to `toHour` (exclusive).',
  tier: 'Only for these membership tiers: `values` (e.g. gold, silver).',
  first_order: 'Only for a first order.',
  birthday_month: 'Only in the customer’s birthday month.',
  birthday_missing: 'Needs a birthday on the profile (birthday-month promotions).',
  self_reported:
    'The profile’s `key` (`value`) would meet the condition, but it is self-reported (sent by a browser or app): only a value the shop’s own systems set counts.',
  bought_category: 'Has bought from `categoryIds` within the last `withinDays` days.',
  total_spent: 'Total spent at least `amount`.',
  order_count: 'At least `count` orders.',
  last_store: 'Last store visited is one of `values` (store location ids).',
  cart_subtotal: 'Cart subtotal at least `amount` (when met, or negated; unmet gives spend_more).',
  trait: 'Profile trait `key` `op` `value` (op: eq, neq, in, not_in, gt, gte, lt, lte, exists, contains).',
  all_of: 'All of `items`.',
  any_of: 'One of `items` (alternatives; an empty list is never met).',
  spend_more: 'Spend `amount` more; `saving`: what that would save, when known.',
  items_more: 'Add `count` more eligible items; they get `free` items free, or `discounted` items at `percent`% off.',
  empty_cart: 'The cart is empty: add items.',
  add_items: 'Add items of the promotion: `scope` products, categories, or eligible (its target).',
  nothing_to_discount: 'Nothing left to discount in `scope` (order, products, categories); `afterOthers`: after the promotions applied before it.',
  rounds_to_nothing: '`percent`% of `amount` rounds to nothing.',
  reward_empty: 'The reward is set up to give nothing (zero amount or quantity).',
  already_free: 'The items it would discount are already free.',
  no_shipping_fee: 'There is no shipping fee to discount.',
  code_required: 'Enter the promotion’s code.',
  not_active: 'The promotion is not running: `status`.',
  not_started: 'The promotion starts at `at` (ISO time).',
  ended: 'The promotion ended at `at` (ISO time).',
  usage_limit: 'No uses left.',
  customer_limit: 'This customer has used it the maximum number of times.',
  budget_exhausted: 'Its budget is used up.',
  lost_to: 'Another option saves more (or as much and ranks higher): `winner` (a promotion name; null = the combinable promotions together), `winnerSaving` vs `saving`, `tie`.',
  code_unknown: 'There is no such code.',
  code_used_up: 'The code has already been used.',
};

const codeDescription = `What is needed (or met), machine-readable; \`negate: true\` on a condition means its opposite is required. Codes:\n${PROMOTION_NEED_CODES.map((c) => `- ${c}: ${NEED_CODE_DOCS[c]}`).join('\n')}`;

const needFields = {
  code: Type.Unsafe<PromotionNeedCode>({ type: 'string', enum: [...PROMOTION_NEED_CODES], description: codeDescription }),
  negate: Type.Optional(Type.Boolean({ description: 'The opposite of the condition is required (a `not` condition).' })),
  values: Type.Optional(Type.Array(Type.String())),
  daysOfWeek: Type.Optional(Type.Array(Type.Integer())),
  fromHour: Type.Optional(Type.Integer()),
  toHour: Type.Optional(Type.Integer()),
  categoryIds: Type.Optional(Type.Array(Type.String())),
  withinDays: Type.Optional(Type.Integer()),
  key: Type.Optional(Type.String()),
  op: Type.Optional(Type.String()),
  value: Type.Optional(Type.Unknown()),
  amount: Type.Optional(Type.Integer({ description: 'Money (minor units).' })),
  saving: Type.Optional(Type.Integer({ description: 'Money (minor units).' })),
  count: Type.Optional(Type.Integer()),
  free: Type.Optional(Type.Integer()),
  discounted: Type.Optional(Type.Integer()),
  percent: Type.Optional(Type.Number()),
  scope: Type.Optional(Type.String()),
  afterOthers: Type.Optional(Type.Boolean()),
  status: Type.Optional(Type.String()),
  at: Type.Optional(Type.String()),
  winner: Type.Optional(Nullable(Type.String())),
  winnerSaving: Type.Optional(Type.Integer()),
  tie: Type.Optional(Type.Boolean()),
};

// all_of / any_of nest: two levels are typed, deeper ones pass through as they are.
const NestedNeed = Type.Object({ ...needFields, items: Type.Optional(Type.Array(Type.Unknown())) });
const ChildNeed = Type.Object({ ...needFields, items: Type.Optional(Type.Array(NestedNeed)) });

export const PromotionNeedSchema = Type.Object(
  { ...needFields, items: Type.Optional(Type.Array(ChildNeed, { description: 'all_of / any_of: the needs in the group.' })) },
  { description: 'A reason in machine-readable form (see `code`).' },
);

export const PromotionNeedsSchema = Type.Array(PromotionNeedSchema, { description: 'The reasons in machine-readable form, entry for entry with the English ones.' });
