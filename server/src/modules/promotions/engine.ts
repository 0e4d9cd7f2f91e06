/**
 * The promotions pricing engine: pure (no database, no I/O) and deterministic. Given cart lines,
 * the workspace's promotions, what is known about the customer and the pricing context, it says
 * which promotions apply, how much each takes off each line and the shipping, and why the others
 * do not. Money is integer minor units; every split and percentage rounds half up to a whole
 * minor unit and splits are exact (largest remainder), so nothing fractional ever comes out.
 *
 * Stacking rule:
 * 1. Promotions that pass the gates (status and window, code, usage limits, budget, conditions)
 *    are ranked by priority, higher first, then by id, smaller first.
 * 2. Combinable promotions apply one after another in that order, each on what is left of each
 *    line (and of the shipping fee) after the previous ones, so a line's total discount never
 *    exceeds its value.
 * 3. Each exclusive promotion is evaluated alone on the full cart.
 * 4. The option with the largest customer saving (line discounts + shipping discount + gift
 *    value) among {each exclusive alone, all combinables together} wins. Ties go to the option
 *    holding the better-ranked promotion (higher priority, then smaller id).
 * 5. Combinables that lost to an exclusive are `not_best_combination`; exclusives that lost are
 *    `exclusive_lost`; a promotion whose reward comes to nothing is `nothing_to_discount`.
 *
 * Quantities are never expanded into units: buy-X-get-Y works on (line, quantity) groups.
 * Id lists of more than 16 entries are indexed once per array (arrays are treated as immutable).
 */
import { assertNever } from '../../platform/errors';
import { ConditionEnv, channelAllows, evaluateIn, formatMoney, type ConditionResult } from './conditions';
import type {
  AppliedPromotion,
  CustomerFacts,
  ItemSet,
  LineDiscount,
  NotApplied,
  NotAppliedReason,
  Offer,
  PricingContext,
  PricingLine,
  PricingResult,
  PromotionNeed,
  PromotionRule,
  Reward,
  Target,
} from './promotions.types';

export { evaluateCondition, type ConditionResult } from './conditions';

export interface PricingInput {
  lines: PricingLine[];
  promotions: PromotionRule[];
  customer: CustomerFacts;
  ctx: PricingContext;
}

// ---------------------------------------------------------------------------------------------
// Integer money arithmetic

/** Percentages keep 4 decimals: percent × 10 000 over 1 000 000. */
const PERCENT_SCALE = 10_000;
const PERCENT_DENOMINATOR = 100 * PERCENT_SCALE;

/** round-half-up(a × b / c) for non-negative integers a, b and positive integer c, exactly. */
function mulDivRound(a: number, b: number, c: number): number {
  const p = a * b;
  if (Number.isSafeInteger(p) && Number.isSafeInteger(p + c)) {
    let q = Math.floor(p / c);
    let r = p - q * c;
    if (r < 0) {
      q -= 1;
      r += c;
    } else if (r >= c) {
      q += 1;
      r -= c;
    }
    return 2 * r >= c ? q + 1 : q;
  }
  const bp = BigInt(a) * BigInt(b);
  const bc = BigInt(c);
  const q = bp / bc;
  return Number(2n * (bp % bc) >= bc ? q + 1n : q);
}

function scaledPercent(percent: number): number {
  return Number.isFinite(percent) ? Math.round(Math.min(100, Math.max(0, percent)) * PERCENT_SCALE) : 0;
}

/** percent % of amount, rounded half up to a whole minor unit. */
function percentOf(amount: number, percent: number): number {
  return mulDivRound(amount, scaledPercent(percent), PERCENT_DENOMINATOR);
}

/** A configured amount as money: a non-negative integer (defensive against bad rule data). */
function money(n: number | undefined): number {
  return n !== undefined && Number.isFinite(n) ? Math.max(0, Math.floor(n)) : 0;
}

function count(n: number | undefined): number {
  return money(n);
}

/**
 * Splits `total` over `weights` in proportion, rounding by largest remainder: the shares sum to
 * `total` exactly, and no share exceeds its weight while total ≤ Σ weights. Equal remainders go
 * to the earlier weight.
 */
export function splitProportionally(total: number, weights: readonly number[]): number[] {
  let sum = 0;
  for (const w of weights) sum += w;
  if (sum === 0 || total === 0) return new Array<number>(weights.length).fill(0);
  if (weights.length === 1) return [total];
  const shares: number[] = [];
  const remainders: number[] = [];
  let given = 0;
  for (const w of weights) {
    const p = total * w;
    let q: number;
    let r: number;
    if (Number.isSafeInteger(p) && Number.isSafeInteger(p + sum)) {
      q = Math.floor(p / sum);
      r = p - q * sum;
      if (r < 0) {
        q -= 1;
        r += sum;
      } else if (r >= sum) {
        q += 1;
        r -= sum;
      }
    } else {
      const bp = BigInt(total) * BigInt(w);
      const bs = BigInt(sum);
      q = Number(bp / bs);
      r = Number(bp % bs);
    }
    shares.push(q);
    remainders.push(r);
    given += q;
  }
  // Fewer extra units than weights: hand each to the largest remainder left (earlier on ties).
  for (let left = total - given; left > 0; left -= 1) {
    let best = -1;
    for (let i = 0; i < remainders.length; i += 1) {
      const r = remainders[i] ?? -1;
      if (r > 0 && (best === -1 || r > (remainders[best] ?? 0))) best = i;
    }
    if (best === -1) break;
    shares[best] = (shares[best] ?? 0) + 1;
    remainders[best] = 0;
  }
  return shares;
}

// ---------------------------------------------------------------------------------------------
// Matching lines

const idSets = new WeakMap<readonly string[], ReadonlySet<string>>();

function hasId(ids: readonly string[], id: string): boolean {
  if (ids.length <= 16) return ids.includes(id);
  let set = idSets.get(ids);
  if (!set) {
    set = new Set(ids);
    idSets.set(ids, set);
  }
  return set.has(id);
}

function inCategories(ids: readonly string[], line: PricingLine): boolean {
  for (const c of line.categoryIds) if (hasId(ids, c)) return true;
  return false;
}

function matchesTarget(t: Target, line: PricingLine): boolean {
  switch (t.scope) {
    case 'order':
      return true;
    case 'products':
      return hasId(t.productIds, line.productId);
    case 'categories':
      return inCategories(t.categoryIds, line);
    default:
      return assertNever(t);
  }
}

function matchesItems(s: ItemSet, line: PricingLine): boolean {
  switch (s.scope) {
    case 'products':
      return hasId(s.productIds, line.productId);
    case 'categories':
      return inCategories(s.categoryIds, line);
    case 'variants':
      return hasId(s.variantIds, line.variantId);
    default:
      return assertNever(s);
  }
}

function sameItems(a: ItemSet, b: ItemSet): boolean {
  if (a.scope !== b.scope) return false;
  const ids = (s: ItemSet) => (s.scope === 'products' ? s.productIds : s.scope === 'categories' ? s.categoryIds : s.variantIds);
  const x = ids(a);
  const y = ids(b);
  return x.length === y.length && x.every((id) => hasId(y, id));
}

function targetText(t: Target): string {
  switch (t.scope) {
    case 'order':
      return 'the order';
    case 'products':
      return 'selected products';
    case 'categories':
      return 'selected categories';
    default:
      return assertNever(t);
  }
}

function lineName(line: PricingLine | undefined): string {
  return line ? (line.name ?? line.sku) : '';
}

// ---------------------------------------------------------------------------------------------
// Rewards

/** The cart as a reward sees it: original line values and what is left of them. */
interface CartView {
  lines: readonly PricingLine[];
  values: readonly number[];
  remaining: readonly number[];
  shippingLeft: number;
  currency: string;
}

type Detail =
  | { kind: 'none' }
  | { kind: 'percentage'; percent: number; target: Target; amount: number; capped: boolean }
  | { kind: 'fixed'; amount: number; target: Target }
  | { kind: 'tier'; minSpend: number; tier: Tier; amount: number }
  | { kind: 'shipping'; amount: number; whole: boolean }
  | { kind: 'gift'; quantity: number; variantId: string }
  | { kind: 'units'; taken: { index: number; take: number }[]; percent: number };

const NO_DETAIL: Detail = { kind: 'none' };

/** What one promotion gives on a cart view. */
interface Outcome {
  lines: { index: number; amount: number }[];
  shipping: number;
  gifts: { variantId: string; quantity: number }[];
  giftValue: number;
  /** What to say in `applied[].description`; put into words only for the winners. */
  detail: Detail;
  /** Set when the budget cut the reward down. */
  budget?: number;
  /** Why it came to nothing, when it did: in words and as a need (made together, see `because`). */
  why: string;
  need: PromotionNeed | null;
  missing?: { spend?: number; saving?: number; items?: number };
}

/** A reason in words with its machine-readable need: both made at one place so they cannot drift. */
interface Because {
  text: string;
  need: PromotionNeed | null;
}

function because(text: string, need: PromotionNeed): Because {
  return { text, need };
}

const NO_REASON: Because = { text: '', need: null };

function emptyOutcome(why: Because, missing?: Outcome['missing']): Outcome {
  return { lines: [], shipping: 0, gifts: [], giftValue: 0, detail: NO_DETAIL, why: why.text, need: why.need, ...(missing ? { missing } : {}) };
}

function nothingIn(target: Target): Because {
  return because(`nothing in ${targetText(target)} to discount`, { code: 'nothing_to_discount', scope: target.scope });
}

const REWARD_EMPTY = (text: string): Because => because(text, { code: 'reward_empty' });

/** "N more eligible items" for a buy-X-get-Y, with what they would get. */
function itemsMore(items: number, r: Extract<Reward, { type: 'buy_x_get_y' }>, get: boolean): Because {
  const free = r.get.percent >= 100;
  const need: PromotionNeed = free ? { code: 'items_more', count: items, free: r.get.quantity } : { code: 'items_more', count: items, discounted: r.get.quantity, percent: r.get.percent };
  const suffix = get ? ` to get ${r.get.quantity} ${free ? 'free' : `at ${r.get.percent}% off`}` : '';
  return because(`add ${items} more eligible item${items === 1 ? '' : 's'}${suffix}`, need);
}

function spendMore(amount: number, saving: number, currency: string, verb: 'spend' | 'add'): Because {
  return because(`${verb} ${formatMoney(amount, currency)} more to get ${formatMoney(saving, currency)} off`, { code: 'spend_more', amount, saving });
}

function moneyOff(o: Outcome): number {
  let sum = o.shipping;
  for (const l of o.lines) sum += l.amount;
  return sum;
}

function hasEffect(o: Outcome): boolean {
  return moneyOff(o) > 0 || o.gifts.length > 0;
}

/** Lines of the target with something left, and their remaining value. */
function targetLines(t: Target, cart: CartView): { indices: number[]; base: number; spend: number } {
  const indices: number[] = [];
  let base = 0;
  let spend = 0;
  for (let i = 0; i < cart.lines.length; i += 1) {
    const line = cart.lines[i];
    if (!line || !matchesTarget(t, line)) continue;
    spend += cart.values[i] ?? 0;
    const left = cart.remaining[i] ?? 0;
    if (left > 0) {
      indices.push(i);
      base += left;
    }
  }
  return { indices, base, spend };
}

function spreadOver(indices: number[], amount: number, cart: CartView): Outcome['lines'] {
  const weights: number[] = [];
  for (const i of indices) weights.push(cart.remaining[i] ?? 0);
  const shares = splitProportionally(amount, weights);
  const out: Outcome['lines'] = [];
  for (let k = 0; k < indices.length; k += 1) {
    const share = shares[k] ?? 0;
    if (share > 0) out.push({ index: indices[k] ?? 0, amount: share });
  }
  return out;
}

type Tier = Extract<Reward, { type: 'tiered_spend' }>['tiers'][number];

function tierSaving(tier: Tier, base: number): number {
  const byAmount = tier.amountOff !== undefined ? Math.min(money(tier.amountOff), base) : 0;
  const byPercent = tier.percentOff !== undefined ? percentOf(base, tier.percentOff) : 0;
  return Math.max(byAmount, byPercent);
}

function tierText(tier: Tier, currency: string): string {
  const parts: string[] = [];
  if (tier.amountOff !== undefined) parts.push(`${formatMoney(money(tier.amountOff), currency)} off`);
  if (tier.percentOff !== undefined) parts.push(`${tier.percentOff}% off`);
  return parts.join(' or ');
}

/** The best tier reached by `spend` (largest saving, then the higher threshold). */
function bestTier(tiers: readonly Tier[], spend: number, base: number): { tier: Tier; saving: number } | null {
  let best: { tier: Tier; saving: number } | null = null;
  for (const tier of tiers) {
    if (money(tier.minSpend) > spend) continue;
    const saving = tierSaving(tier, base);
    if (!best || saving > best.saving || (saving === best.saving && money(tier.minSpend) > money(best.tier.minSpend))) best = { tier, saving };
  }
  return best;
}

/** The nearest tier above `spend` that would save more than `current`, with that saving. */
function nextTier(tiers: readonly Tier[], spend: number, base: number, current: number): { tier: Tier; short: number; saving: number } | null {
  let next: { tier: Tier; short: number; saving: number } | null = null;
  for (const tier of tiers) {
    const short = money(tier.minSpend) - spend;
    if (short <= 0) continue;
    const saving = tierSaving(tier, base + short);
    if (saving <= current) continue;
    if (!next || short < next.short) next = { tier, short, saving };
  }
  return next;
}

function computePercentage(r: Extract<Reward, { type: 'percentage' }>, cart: CartView): Outcome {
  const { indices, base } = targetLines(r.target, cart);
  if (base === 0) return emptyOutcome(nothingIn(r.target));
  let amount = percentOf(base, r.percent);
  const capped = r.maxDiscount !== undefined && amount > money(r.maxDiscount);
  if (capped) amount = money(r.maxDiscount);
  if (amount === 0) return emptyOutcome(because(`${r.percent}% of ${formatMoney(base, cart.currency)} rounds to nothing`, { code: 'rounds_to_nothing', percent: r.percent, amount: base }));
  return {
    ...emptyOutcome(NO_REASON),
    lines: spreadOver(indices, amount, cart),
    detail: { kind: 'percentage', percent: r.percent, target: r.target, amount, capped },
  };
}

function computeFixed(r: Extract<Reward, { type: 'fixed' }>, cart: CartView): Outcome {
  const { indices, base } = targetLines(r.target, cart);
  const amount = Math.min(money(r.amount), base);
  if (amount === 0) return emptyOutcome(base === 0 ? nothingIn(r.target) : REWARD_EMPTY('the amount is zero'));
  return {
    ...emptyOutcome(NO_REASON),
    lines: spreadOver(indices, amount, cart),
    detail: { kind: 'fixed', amount, target: r.target },
  };
}

/** The tier is reached by the target's subtotal before any discount; its saving comes off what is left. */
function computeTiered(r: Extract<Reward, { type: 'tiered_spend' }>, cart: CartView): Outcome {
  const target = r.target ?? { scope: 'order' };
  const { indices, base, spend } = targetLines(target, cart);
  const best = bestTier(r.tiers, spend, base);
  if (!best || best.saving === 0) {
    const next = nextTier(r.tiers, spend, base, 0);
    if (next) {
      return emptyOutcome(spendMore(next.short, next.saving, cart.currency, 'spend'), {
        spend: next.short,
        saving: next.saving,
      });
    }
    return emptyOutcome(nothingIn(target));
  }
  return {
    ...emptyOutcome(NO_REASON),
    lines: spreadOver(indices, best.saving, cart),
    detail: { kind: 'tier', minSpend: money(best.tier.minSpend), tier: best.tier, amount: best.saving },
  };
}

function computeFreeShipping(r: Extract<Reward, { type: 'free_shipping' }>, cart: CartView): Outcome {
  const amount = r.maxAmount === undefined ? cart.shippingLeft : Math.min(cart.shippingLeft, money(r.maxAmount));
  if (amount === 0) return emptyOutcome(because('no shipping fee to discount', { code: 'no_shipping_fee' }));
  return {
    ...emptyOutcome(NO_REASON),
    shipping: amount,
    detail: { kind: 'shipping', amount, whole: amount === cart.shippingLeft },
  };
}

function computeGift(r: Extract<Reward, { type: 'gift' }>): Outcome {
  const quantity = count(r.quantity);
  if (quantity === 0) return emptyOutcome(REWARD_EMPTY('the gift quantity is zero'));
  return {
    ...emptyOutcome(NO_REASON),
    gifts: [{ variantId: r.variantId, quantity }],
    giftValue: money(r.giftValue) * quantity,
    detail: { kind: 'gift', quantity, variantId: r.variantId },
  };
}

function byIndex(a: { index: number }, b: { index: number }): number {
  return a.index - b.index;
}

/** left_a / q_a < left_b / q_b, compared without dividing; ties by line order. */
function cheapestUnitFirst(a: { index: number; quantity: number; left: number }, b: { index: number; quantity: number; left: number }): number {
  return a.left * b.quantity - b.left * a.quantity || a.index - b.index;
}

/**
 * Buy X get Y without expanding units. With b units only in the buy set, g only in the get set
 * and s in both, k applications need k·X buy units and k·Y other get units:
 * k = min(⌊(b+s)/X⌋, ⌊(g+s)/Y⌋, ⌊(b+g+s)/(X+Y)⌋, maxApplications). The k·Y discounted units are
 * the cheapest get units, taking at most b+s−k·X from the shared units so that enough distinct
 * units stay to be the "buy" ones (a greedy over a partition matroid: it is the cheapest choice).
 * A unit's value is what is left of its line divided by the line's quantity.
 */
function computeBuyXGetY(r: Extract<Reward, { type: 'buy_x_get_y' }>, cart: CartView): Outcome {
  const x = count(r.buy.quantity);
  const y = count(r.get.quantity);
  const pct = scaledPercent(r.get.percent);
  if (x === 0 || y === 0 || pct === 0) return emptyOutcome(REWARD_EMPTY('the offer gives nothing'));
  let buyOnly = 0;
  let getOnly = 0;
  let shared = 0;
  const candidates: { index: number; quantity: number; left: number; isShared: boolean }[] = [];
  for (let index = 0; index < cart.lines.length; index += 1) {
    const line = cart.lines[index];
    const left = cart.remaining[index] ?? 0;
    if (!line || line.quantity <= 0 || left <= 0) continue;
    const inBuy = matchesItems(r.buy.items, line);
    const inGet = matchesItems(r.get.items, line);
    if (inBuy && inGet) shared += line.quantity;
    else if (inBuy) buyOnly += line.quantity;
    else if (inGet) getOnly += line.quantity;
    if (inGet) candidates.push({ index, quantity: line.quantity, left, isShared: inBuy });
  }
  let k = Math.min(Math.floor((buyOnly + shared) / x), Math.floor((getOnly + shared) / y), Math.floor((buyOnly + getOnly + shared) / (x + y)));
  if (r.maxApplications !== undefined) k = Math.min(k, count(r.maxApplications));
  if (k === 0) {
    if (r.maxApplications !== undefined && count(r.maxApplications) === 0) return emptyOutcome(REWARD_EMPTY('the offer allows no applications'));
    const items =
      shared > 0 || sameItems(r.buy.items, r.get.items)
        ? Math.max(x - (buyOnly + shared), y - (getOnly + shared), x + y - (buyOnly + getOnly + shared), 0)
        : Math.max(0, x - buyOnly) + Math.max(0, y - getOnly);
    return emptyOutcome(itemsMore(items, r, false), { items });
  }
  candidates.sort(cheapestUnitFirst);
  let need = k * y;
  let sharedCap = buyOnly + shared - k * x;
  const lines: Outcome['lines'] = [];
  const taken: { index: number; take: number }[] = [];
  for (const c of candidates) {
    if (need === 0) break;
    let take = Math.min(c.quantity, need);
    if (c.isShared) {
      take = Math.min(take, sharedCap);
      sharedCap -= take;
    }
    if (take === 0) continue;
    need -= take;
    const amount = Math.min(c.left, mulDivRound(c.left, take * pct, c.quantity * PERCENT_DENOMINATOR));
    if (amount > 0) lines.push({ index: c.index, amount });
    taken.push({ index: c.index, take });
  }
  lines.sort(byIndex);
  if (lines.length === 0) return emptyOutcome(because('the discounted items are already free', { code: 'already_free' }));
  return { ...emptyOutcome(NO_REASON), lines, detail: { kind: 'units', taken, percent: r.get.percent } };
}

/** The outcome in plain words: "1 × Áo thun free", "10% off the order, 50.000 ₫". */
function describeOutcome(o: Outcome, lines: readonly PricingLine[], currency: string): string {
  const d = o.detail;
  let text: string;
  switch (d.kind) {
    case 'none':
      text = '';
      break;
    case 'percentage':
      text = `${d.percent}% off ${targetText(d.target)}, ${formatMoney(d.amount, currency)}${d.capped ? ' (the maximum)' : ''}`;
      break;
    case 'fixed':
      text = `${formatMoney(d.amount, currency)} off ${targetText(d.target)}`;
      break;
    case 'tier':
      text = `spent at least ${formatMoney(d.minSpend, currency)}: ${tierText(d.tier, currency)}, ${formatMoney(d.amount, currency)}`;
      break;
    case 'shipping':
      text = d.whole ? `free shipping, ${formatMoney(d.amount, currency)}` : `${formatMoney(d.amount, currency)} off shipping`;
      break;
    case 'gift':
      text = `gift ${d.quantity} × ${d.variantId}`;
      break;
    case 'units': {
      const each = d.percent >= 100 ? 'free' : `at ${d.percent}% off`;
      text = d.taken.map(({ index, take }) => `${take} × ${lineName(lines[index])} ${each}`).join(', ');
      break;
    }
    default:
      return assertNever(d);
  }
  return o.budget === undefined ? text : `${text}; limited to the remaining budget of ${formatMoney(o.budget, currency)}`;
}

function computeReward(reward: Reward, cart: CartView): Outcome {
  switch (reward.type) {
    case 'percentage':
      return computePercentage(reward, cart);
    case 'fixed':
      return computeFixed(reward, cart);
    case 'buy_x_get_y':
      return computeBuyXGetY(reward, cart);
    case 'tiered_spend':
      return computeTiered(reward, cart);
    case 'free_shipping':
      return computeFreeShipping(reward, cart);
    case 'gift':
      return computeGift(reward);
    default:
      return assertNever(reward);
  }
}

/** The reward of `rule` on `cart`, capped at the promotion's remaining budget. */
function computeOutcome(rule: PromotionRule, cart: CartView): Outcome {
  const outcome = computeReward(rule.reward, cart);
  if (rule.budgetLeft === null) return outcome;
  const budget = money(rule.budgetLeft);
  const total = moneyOff(outcome);
  if (total <= budget) return outcome;
  const weights: number[] = [];
  for (const l of outcome.lines) weights.push(l.amount);
  weights.push(outcome.shipping);
  const shares = splitProportionally(budget, weights);
  const lines: Outcome['lines'] = [];
  for (let k = 0; k < outcome.lines.length; k += 1) {
    const amount = shares[k] ?? 0;
    const l = outcome.lines[k];
    if (l && amount > 0) lines.push({ index: l.index, amount });
  }
  return { ...outcome, lines, shipping: shares[outcome.lines.length] ?? 0, budget };
}

// ---------------------------------------------------------------------------------------------
// Gates and ranking

interface Ranked {
  rule: PromotionRule;
  rank: number;
  code: string | null;
}

function compareRules(a: PromotionRule, b: PromotionRule): number {
  if (a.priority !== b.priority) return b.priority - a.priority;
  return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
}

function rankPromotions(promotions: readonly PromotionRule[], ctx: PricingContext): Ranked[] {
  const codes = new Map<string, string>();
  for (const c of ctx.codes) if (!codes.has(c.promotionId)) codes.set(c.promotionId, c.code);
  return [...promotions].sort(compareRules).map((rule, rank) => ({ rule, rank, code: codes.get(rule.id) ?? null }));
}

// Parsed start/end instants; a pure function of the text, so a bounded memo is safe.
const instants = new Map<string, number>();

function parseInstant(value: string, what: string, rule: PromotionRule): number {
  let ms = instants.get(value);
  if (ms === undefined) {
    ms = Date.parse(value);
    if (!Number.isFinite(ms)) throw new RangeError(`promotion ${rule.id}: ${what} is not a date: ${value}`);
    if (instants.size >= 10_000) instants.clear();
    instants.set(value, ms);
  }
  return ms;
}

/**
 * The checks that do not depend on other promotions, in order: status and window, code, usage
 * limit, customer limit, budget. A 'scheduled' promotion whose start has passed counts as active.
 */
function gateFailure(r: Ranked, nowMs: number, options: { ignoreCode?: boolean } = {}): { reason: NotAppliedReason; message: string; need: PromotionNeed } | null {
  const { rule } = r;
  const isScheduled = rule.status === 'scheduled' && rule.startsAt !== null;
  if (rule.status !== 'active' && !isScheduled) return { reason: 'not_active', message: `the promotion is ${rule.status}`, need: { code: 'not_active', status: rule.status } };
  if (rule.startsAt !== null && nowMs < parseInstant(rule.startsAt, 'startsAt', rule)) {
    return { reason: 'outside_window', message: `starts at ${rule.startsAt}`, need: { code: 'not_started', at: rule.startsAt } };
  }
  if (rule.endsAt !== null && nowMs >= parseInstant(rule.endsAt, 'endsAt', rule)) {
    return { reason: 'outside_window', message: `ended at ${rule.endsAt}`, need: { code: 'ended', at: rule.endsAt } };
  }
  if (rule.requiresCode && r.code === null && !options.ignoreCode) return { reason: 'code_required', message: 'needs its promotion code', need: { code: 'code_required' } };
  if (rule.usesLeft !== null && rule.usesLeft <= 0) return { reason: 'usage_limit_reached', message: 'no uses left', need: { code: 'usage_limit' } };
  if (rule.customerUsesLeft !== null && rule.customerUsesLeft <= 0) {
    return { reason: 'customer_limit_reached', message: 'this customer has used it the maximum number of times', need: { code: 'customer_limit' } };
  }
  if (rule.budgetLeft !== null && rule.budgetLeft <= 0) return { reason: 'budget_exhausted', message: 'its budget is used up', need: { code: 'budget_exhausted' } };
  return null;
}

const ALWAYS: ConditionResult = { met: true, unmet: [], needs: [], satisfied: [], metNeeds: [], spendShort: 0 };

function checkConditions(rule: PromotionRule, env: ConditionEnv): ConditionResult {
  return rule.conditions === null ? ALWAYS : evaluateIn(rule.conditions, env);
}

/**
 * What the reward would save once the customer spends `extra` more on its target (an estimate
 * for "add 150.000 ₫ more to get 100.000 ₫ off"), capped at the budget.
 */
function estimateSaving(rule: PromotionRule, cart: CartView, extra: number): number {
  const r = rule.reward;
  let saving: number;
  switch (r.type) {
    case 'percentage': {
      saving = percentOf(targetLines(r.target, cart).base + extra, r.percent);
      if (r.maxDiscount !== undefined) saving = Math.min(saving, money(r.maxDiscount));
      break;
    }
    case 'fixed':
      saving = Math.min(money(r.amount), targetLines(r.target, cart).base + extra);
      break;
    case 'tiered_spend': {
      const t = targetLines(r.target ?? { scope: 'order' }, cart);
      saving = bestTier(r.tiers, t.spend + extra, t.base + extra)?.saving ?? 0;
      if (saving === 0) saving = nextTier(r.tiers, t.spend + extra, t.base + extra, 0)?.saving ?? 0;
      break;
    }
    case 'buy_x_get_y': {
      saving = moneyOff(computeBuyXGetY(r, cart));
      if (saving === 0) {
        // Not enough items yet: the cheapest get-eligible unit in the cart, y times.
        let cheapest: number | null = null;
        for (const line of cart.lines) {
          if (line.quantity > 0 && matchesItems(r.get.items, line) && (cheapest === null || line.unitPrice < cheapest)) cheapest = line.unitPrice;
        }
        saving = cheapest === null ? 0 : percentOf(cheapest * count(r.get.quantity), r.get.percent);
      }
      break;
    }
    case 'free_shipping':
      saving = moneyOff(computeFreeShipping(r, cart));
      break;
    case 'gift':
      saving = 0;
      break;
    default:
      return assertNever(r);
  }
  return rule.budgetLeft === null ? saving : Math.min(saving, money(rule.budgetLeft));
}

// ---------------------------------------------------------------------------------------------
// priceCart

function lineValues(lines: readonly PricingLine[]): number[] {
  return lines.map((line, i) => {
    if (!Number.isSafeInteger(line.quantity) || line.quantity < 0) {
      throw new RangeError(`line ${i} (${line.sku}): quantity must be a non-negative integer, got ${line.quantity}`);
    }
    if (!Number.isSafeInteger(line.unitPrice) || line.unitPrice < 0) {
      throw new RangeError(`line ${i} (${line.sku}): unitPrice must be a non-negative integer, got ${line.unitPrice}`);
    }
    const value = line.unitPrice * line.quantity;
    if (!Number.isSafeInteger(value)) throw new RangeError(`line ${i} (${line.sku}): value is too large`);
    return value;
  });
}

function checkShippingFee(fee: number): void {
  if (!Number.isSafeInteger(fee) || fee < 0) throw new RangeError(`shippingFee must be a non-negative integer, got ${fee}`);
}

interface Option {
  members: { ranked: Ranked; outcome: Outcome }[];
  saving: number;
  /** Rank of its best-ranked promotion. */
  rank: number;
}

function optionSaving(members: Option['members']): number {
  let sum = 0;
  for (const m of members) sum += moneyOff(m.outcome) + m.outcome.giftValue;
  return sum;
}

/**
 * Prices the cart: which promotions apply (see the stacking rule at the top of this file), the
 * discount per line, the shipping discount, gifts, and why every other promotion did not apply.
 */
export function priceCart(input: PricingInput): PricingResult {
  const { lines, customer, ctx } = input;
  const values = lineValues(lines);
  checkShippingFee(ctx.shippingFee);
  const subtotal = values.reduce((a, b) => a + b, 0);
  const nowMs = ctx.now.getTime();
  const env = new ConditionEnv(customer, ctx, subtotal, { describeMet: false });
  const ranked = rankPromotions(input.promotions, ctx);
  const fullCart: CartView = { lines, values, remaining: values, shippingLeft: ctx.shippingFee, currency: ctx.currency };

  const rejected = new Map<number, NotApplied>();
  const reject = (r: Ranked, reason: NotAppliedReason, message: string, needs: PromotionNeed[], missing?: NotApplied['missing']) => {
    rejected.set(r.rank, { promotionId: r.rule.id, name: r.rule.name, reason, message, needs, ...(missing ? { missing } : {}) });
  };

  const combinables: Ranked[] = [];
  const exclusives: Ranked[] = [];
  for (const r of ranked) {
    const gate = gateFailure(r, nowMs);
    if (gate) {
      reject(r, gate.reason, gate.message, [gate.need]);
      continue;
    }
    const cond = checkConditions(r.rule, env);
    if (!cond.met) {
      const short = cond.spendShort;
      const missing = short !== null && short > 0 ? { spend: short, saving: estimateSaving(r.rule, fullCart, short) } : undefined;
      reject(r, 'conditions_not_met', cond.unmet.join('; '), cond.needs, missing);
      continue;
    }
    (r.rule.stacking === 'exclusive' ? exclusives : combinables).push(r);
  }

  // All combinables together, in rank order, each on what the previous ones left.
  const remaining = values.slice();
  const comboCart: CartView = { lines, values, remaining, shippingLeft: ctx.shippingFee, currency: ctx.currency };
  const combo: Option = { members: [], saving: 0, rank: Number.POSITIVE_INFINITY };
  for (const r of combinables) {
    const outcome = computeOutcome(r.rule, comboCart);
    if (!hasEffect(outcome)) {
      const after = combo.members.length > 0 && outcome.need?.code === 'nothing_to_discount';
      const why = after ? `${outcome.why} after the promotions applied before it` : outcome.why;
      const need = after && outcome.need ? { ...outcome.need, afterOthers: true as const } : outcome.need;
      reject(r, 'nothing_to_discount', why, need ? [need] : [], outcome.missing);
      continue;
    }
    for (const l of outcome.lines) remaining[l.index] = (remaining[l.index] ?? 0) - l.amount;
    comboCart.shippingLeft -= outcome.shipping;
    combo.members.push({ ranked: r, outcome });
    combo.rank = Math.min(combo.rank, r.rank);
  }
  combo.saving = optionSaving(combo.members);

  // Each exclusive alone on the full cart.
  const options: Option[] = combo.members.length > 0 ? [combo] : [];
  for (const r of exclusives) {
    const outcome = computeOutcome(r.rule, fullCart);
    if (!hasEffect(outcome)) {
      reject(r, 'nothing_to_discount', outcome.why, outcome.need ? [outcome.need] : [], outcome.missing);
      continue;
    }
    const members = [{ ranked: r, outcome }];
    options.push({ members, saving: optionSaving(members), rank: r.rank });
  }

  let winner: Option | null = null;
  for (const o of options) {
    if (!winner || o.saving > winner.saving || (o.saving === winner.saving && o.rank < winner.rank)) winner = o;
  }

  if (winner) {
    const together = winner === combo;
    const winnerName = together ? 'the combinable promotions together' : `"${winner.members[0]?.ranked.rule.name ?? ''}"`;
    for (const o of options) {
      if (o === winner) continue;
      const versus = `${formatMoney(winner.saving, ctx.currency)} vs ${formatMoney(o.saving, ctx.currency)}`;
      const tie = winner.saving === o.saving;
      const edge = together ? (tie ? 'save as much and rank higher' : 'save more') : tie ? 'saves as much and ranks higher' : 'saves more';
      const need: PromotionNeed = { code: 'lost_to', winner: together ? null : (winner.members[0]?.ranked.rule.name ?? ''), winnerSaving: winner.saving, saving: o.saving, tie };
      for (const m of o.members) {
        if (o === combo) reject(m.ranked, 'not_best_combination', `exclusive promotion ${winnerName} applies alone and ${edge} (${versus})`, [need]);
        else reject(m.ranked, 'exclusive_lost', `cannot be combined; ${winnerName} ${edge} (${versus})`, [need]);
      }
    }
  }

  const lineDiscounts: LineDiscount[] = lines.map((line) => ({ variantId: line.variantId, discount: 0, byPromotion: [] }));
  const applied: AppliedPromotion[] = [];
  const gifts: PricingResult['gifts'] = [];
  let shippingDiscount = 0;
  for (const { ranked: r, outcome } of winner?.members ?? []) {
    for (const l of outcome.lines) {
      const target = lineDiscounts[l.index];
      if (!target) continue;
      target.discount += l.amount;
      target.byPromotion.push({ promotionId: r.rule.id, amount: l.amount });
    }
    shippingDiscount += outcome.shipping;
    for (const g of outcome.gifts) gifts.push({ ...g, promotionId: r.rule.id });
    applied.push({
      promotionId: r.rule.id,
      name: r.rule.name,
      amount: moneyOff(outcome),
      code: r.code,
      description: `${r.rule.name}: ${describeOutcome(outcome, lines, ctx.currency)}`,
    });
  }

  const discountTotal = lineDiscounts.reduce((sum, l) => sum + l.discount, 0);
  const notApplied = [...rejected.entries()].sort((a, b) => a[0] - b[0]).map(([, n]) => n);
  return {
    subtotal,
    discountTotal,
    shippingFee: ctx.shippingFee,
    shippingDiscount,
    total: Math.max(0, subtotal - discountTotal + ctx.shippingFee - shippingDiscount),
    lines: lineDiscounts,
    applied,
    notApplied,
    gifts,
  };
}

// ---------------------------------------------------------------------------------------------
// offersFor

function rewardSummary(reward: Reward, currency: string): string {
  switch (reward.type) {
    case 'percentage': {
      const cap = reward.maxDiscount !== undefined ? ` (up to ${formatMoney(money(reward.maxDiscount), currency)})` : '';
      return `${reward.percent}% off ${targetText(reward.target)}${cap}`;
    }
    case 'fixed':
      return `${formatMoney(money(reward.amount), currency)} off ${targetText(reward.target)}`;
    case 'buy_x_get_y': {
      const get = reward.get.percent >= 100 ? 'free' : `at ${reward.get.percent}% off`;
      return `buy ${reward.buy.quantity} get ${reward.get.quantity} ${get}`;
    }
    case 'tiered_spend':
      return [...reward.tiers]
        .sort((a, b) => a.minSpend - b.minSpend)
        .map((t) => `spend ${formatMoney(money(t.minSpend), currency)} get ${tierText(t, currency)}`)
        .join(', ');
    case 'free_shipping':
      return reward.maxAmount === undefined ? 'free shipping' : `up to ${formatMoney(money(reward.maxAmount), currency)} off shipping`;
    case 'gift':
      return `a free gift: ${count(reward.quantity)} × ${reward.variantId}`;
    default:
      return assertNever(reward);
  }
}

/** What the reward itself still needs on this cart (items, spend), in words and as needs. */
function rewardMissing(rule: PromotionRule, cart: CartView, outcome: Outcome): Because[] {
  if (hasEffect(outcome)) return [];
  const r = rule.reward;
  const currency = cart.currency;
  const asIs: Because = { text: outcome.why, need: outcome.need };
  switch (r.type) {
    case 'percentage':
    case 'fixed':
      if (targetLines(r.target, cart).base > 0) return [asIs];
      return [
        r.target.scope === 'order'
          ? because('add items to the cart', { code: 'empty_cart' })
          : because(`add items from ${targetText(r.target)} to the cart`, { code: 'add_items', scope: r.target.scope }),
      ];
    case 'tiered_spend':
      if (outcome.missing?.spend !== undefined) return [spendMore(outcome.missing.spend, outcome.missing.saving ?? 0, currency, 'add')];
      return [because('add eligible items to the cart', { code: 'add_items', scope: 'eligible' })];
    case 'buy_x_get_y': {
      const items = outcome.missing?.items;
      return items === undefined ? [asIs] : [itemsMore(items, r, true)];
    }
    case 'free_shipping':
    case 'gift':
      return [];
    default:
      return assertNever(r);
  }
}

/**
 * What this customer can get now on this channel, and what they still need, one offer per
 * promotion in rank order. Left out: promotions that are not active, outside their window, out
 * of uses, budget or this customer's uses, or ruled out by the channel. Each saving is computed
 * for the promotion alone on the current cart.
 */
export function offersFor(input: PricingInput): Offer[] {
  const { lines, customer, ctx } = input;
  const values = lineValues(lines);
  checkShippingFee(ctx.shippingFee);
  const subtotal = values.reduce((a, b) => a + b, 0);
  const nowMs = ctx.now.getTime();
  const env = new ConditionEnv(customer, ctx, subtotal);
  const cart: CartView = { lines, values, remaining: values, shippingLeft: ctx.shippingFee, currency: ctx.currency };
  const offers: Offer[] = [];
  for (const r of rankPromotions(input.promotions, ctx)) {
    const { rule } = r;
    if (gateFailure(r, nowMs, { ignoreCode: true })) continue;
    if (rule.conditions !== null && !channelAllows(rule.conditions, ctx)) continue;
    const needsCode = rule.requiresCode && r.code === null;

    const cond = checkConditions(rule, env);
    const outcome = computeOutcome(rule, cart);
    // Each reason in words and as a need, made together (see `because`).
    const reasons: Because[] = [];
    if (needsCode) reasons.push(because('enter the promotion code', { code: 'code_required' }));

    const short = cond.spendShort;
    const spendGap = !cond.met && short !== null && short > 0;
    let potential = spendGap ? estimateSaving(rule, cart, short) : 0;
    cond.unmet.forEach((text, i) => {
      const need = cond.needs[i] ?? null;
      // The condition's "spend X more" is said once, with what it gets, below.
      if (spendGap && need?.code === 'spend_more') return;
      reasons.push({ text, need });
    });
    if (spendGap) {
      reasons.unshift(
        potential > 0
          ? spendMore(short, potential, ctx.currency, 'add')
          : because(`add ${formatMoney(short, ctx.currency)} more to qualify`, { code: 'spend_more', amount: short }),
      );
    }
    if (!spendGap) reasons.push(...rewardMissing(rule, cart, outcome));
    const missing = reasons.map((x) => x.text);
    const needs = reasons.flatMap((x) => (x.need ? [x.need] : []));

    const eligible = missing.length === 0;
    const saving = eligible ? moneyOff(outcome) : 0;
    if (eligible) potential = saving;
    else if (!spendGap) potential = estimateSaving(rule, cart, outcome.missing?.spend ?? 0);

    const summary = rewardSummary(rule.reward, ctx.currency);
    let message: string;
    if (!eligible) message = `${summary}: ${missing.join('; ')}`;
    else if (saving === 0) message = summary;
    else message = `${summary}: saves ${formatMoney(saving, ctx.currency)} on this cart`;
    if (eligible && rule.reward.type === 'tiered_spend') {
      const t = targetLines(rule.reward.target ?? { scope: 'order' }, cart);
      const next = nextTier(rule.reward.tiers, t.spend, t.base, saving);
      if (next) message += `; add ${formatMoney(next.short, ctx.currency)} more to get ${formatMoney(next.saving, ctx.currency)} off`;
    }

    offers.push({
      promotionId: rule.id,
      name: rule.name,
      requiresCode: rule.requiresCode,
      eligible,
      saving,
      potentialSaving: potential,
      conditionsMet: cond.satisfied,
      met: cond.metNeeds,
      missing,
      needs,
      message,
    });
  }
  return offers;
}
