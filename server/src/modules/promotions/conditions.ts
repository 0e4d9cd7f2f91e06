/**
 * Condition evaluation for promotions: pure (no database, no I/O), deterministic for a given
 * customer, context and cart subtotal. Local dates and hours are taken in `ctx.timeZone`.
 */
import { assertNever } from '../../platform/errors';
import { CONDITION_NEED_CODES, type Condition, type CustomerFacts, type PricingContext, type PromotionNeed, type TraitOp } from './promotions.types';

export interface ConditionResult {
  met: boolean;
  /** What is not met, in plain words: "needs tier gold", "spend 150.000 ₫ more". */
  unmet: string[];
  /** `unmet` in machine-readable form, entry for entry. */
  needs: PromotionNeed[];
  /** What is met, in plain words: "tier gold", "first order". */
  satisfied: string[];
  /** `satisfied` in machine-readable form, entry for entry. */
  metNeeds: PromotionNeed[];
  /**
   * Extra cart spend that on its own would meet the condition: 0 when it is met, null when
   * spending more cannot meet it (e.g. a tier is missing).
   */
  spendShort: number | null;
}

/** Wall-clock fields of an instant in a time zone. weekday: 0 = Sunday … 6 = Saturday. */
export interface LocalTime {
  year: number;
  month: number;
  day: number;
  weekday: number;
  hour: number;
}

const DAY_MS = 86_400_000;
const WEEKDAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'] as const;

// Intl objects are costly to build and immutable once built: one per time zone / currency.
const dateFormats = new Map<string, Intl.DateTimeFormat>();
/**
 * The last local time per zone, by UTC quarter hour: since 1980 every zone's offset is a
 * multiple of 15 minutes and changes on a quarter hour, so the local date and hour are constant
 * within one. Earlier instants (odd historical offsets) are not cached.
 */
const QUARTER_HOUR_MS = 900_000;
const CACHE_LOCAL_FROM_MS = Date.UTC(1980, 0, 1);
const lastLocal = new Map<string, { quarter: number; local: LocalTime }>();
const moneyFormats = new Map<string, (amount: number) => string>();

/** The wall-clock fields of `date` in `timeZone` (an IANA zone; an unknown zone throws). */
export function toLocalTime(date: Date, timeZone: string): LocalTime {
  let format = dateFormats.get(timeZone);
  if (!format) {
    format = new Intl.DateTimeFormat('en-US', {
      timeZone,
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      hourCycle: 'h23',
      weekday: 'short',
    });
    dateFormats.set(timeZone, format);
  }
  const local: LocalTime = { year: 0, month: 0, day: 0, weekday: 0, hour: 0 };
  for (const part of format.formatToParts(date)) {
    switch (part.type) {
      case 'year':
        local.year = Number(part.value);
        break;
      case 'month':
        local.month = Number(part.value);
        break;
      case 'day':
        local.day = Number(part.value);
        break;
      case 'hour':
        local.hour = Number(part.value) % 24;
        break;
      case 'weekday':
        local.weekday = WEEKDAYS.indexOf(part.value as (typeof WEEKDAYS)[number]);
        break;
      default:
        break;
    }
  }
  return local;
}

/** Integer minor units → "100.000 ₫" (vi-VN formatting, the currency's own minor digits). */
export function formatMoney(amount: number, currency: string): string {
  let format = moneyFormats.get(currency);
  if (!format) {
    format = moneyFormatter(currency);
    moneyFormats.set(currency, format);
  }
  return format(amount);
}

/**
 * Intl's vi-VN currency format, with a fast path for non-negative integers (ICU costs about a
 * microsecond a call and messages format many amounts): the separators and symbol are read from
 * Intl once, and the fast path is used only if it reproduces Intl exactly on a set of samples.
 */
function moneyFormatter(currency: string): (amount: number) => string {
  const intl = new Intl.NumberFormat('vi-VN', { style: 'currency', currency });
  const digits = intl.resolvedOptions().maximumFractionDigits ?? 0;
  const scale = 10 ** digits;
  const slow = (amount: number) => intl.format(amount / scale);
  let prefix = '';
  let suffix = '';
  let group = '';
  let decimal = '';
  let seenNumber = false;
  for (const part of intl.formatToParts(1234567 + (digits > 0 ? 0.1 : 0))) {
    if (part.type === 'integer' || part.type === 'fraction') seenNumber = true;
    else if (part.type === 'group') group = part.value;
    else if (part.type === 'decimal') decimal = part.value;
    else if (seenNumber) suffix += part.value;
    else prefix += part.value;
  }
  const fast = (amount: number) => {
    if (!Number.isSafeInteger(amount) || amount < 0) return slow(amount);
    const major = String(Math.floor(amount / scale));
    let grouped = '';
    for (let end = major.length; end > 0; end -= 3) grouped = end - 3 > 0 ? `${group}${major.slice(end - 3, end)}${grouped}` : `${major.slice(0, end)}${grouped}`;
    const minor = digits > 0 ? `${decimal}${String(amount % scale).padStart(digits, '0')}` : '';
    return `${prefix}${grouped}${minor}${suffix}`;
  };
  const samples = [0, 1, 9, 12, 999, 1_000, 9_999, 10_000, 123_456, 1_000_000, 1_234_567, 100_000_000, 987_654_321_012];
  return samples.every((n) => fast(n) === slow(n) && fast(n * scale + (scale - 1)) === slow(n * scale + (scale - 1))) ? fast : slow;
}

/** Everything a condition can look at, with the local time computed at most once. */
export class ConditionEnv {
  private local: LocalTime | null = null;
  readonly nowMs: number;
  /** Fill `satisfied` (words for met conditions); pricing does not need them. */
  readonly describeMet: boolean;

  constructor(
    readonly customer: CustomerFacts,
    readonly ctx: PricingContext,
    readonly cartSubtotal: number,
    options: { describeMet?: boolean } = {},
  ) {
    this.nowMs = ctx.now.getTime();
    this.describeMet = options.describeMet ?? true;
  }

  localNow(): LocalTime {
    if (this.local) return this.local;
    const quarter = Math.floor(this.nowMs / QUARTER_HOUR_MS);
    const cached = lastLocal.get(this.ctx.timeZone);
    if (cached && cached.quarter === quarter) {
      this.local = cached.local;
    } else {
      this.local = toLocalTime(this.ctx.now, this.ctx.timeZone);
      if (this.nowMs >= CACHE_LOCAL_FROM_MS) {
        if (lastLocal.size >= 1_000) lastLocal.clear();
        lastLocal.set(this.ctx.timeZone, { quarter, local: this.local });
      }
    }
    return this.local;
  }
}

/**
 * Evaluates `c` for this customer now. `unmet` names each unmet condition ("needs tier gold",
 * "spend 150.000 ₫ more"); `satisfied` the met ones. all: every child; any: at least one
 * (an empty `any` is never met); not: the child is not met.
 */
export function evaluateCondition(c: Condition, customer: CustomerFacts, ctx: PricingContext, cartSubtotal: number): ConditionResult {
  return evaluateIn(c, new ConditionEnv(customer, ctx, cartSubtotal));
}

/** Shared result for met leaves when nobody needs their words; never mutated. */
const MET_SILENTLY: ConditionResult = Object.freeze({ met: true, unmet: [], needs: [], satisfied: [], metNeeds: [], spendShort: 0 });

type Evaluator = (env: ConditionEnv) => ConditionResult;
type LeafTest = (env: ConditionEnv) => boolean;
type Leaf = Exclude<Condition, { all: Condition[] } | { any: Condition[] } | { not: Condition }>;

/**
 * Conditions compile once per object into evaluators (no shape tests per evaluation). Rules are
 * values: a changed promotion comes as new objects, so a compiled condition never goes stale.
 */
const compiled = new WeakMap<Condition, Evaluator>();

export function evaluateIn(c: Condition, env: ConditionEnv): ConditionResult {
  let evaluate = compiled.get(c);
  if (!evaluate) {
    evaluate = compile(c);
    compiled.set(c, evaluate);
  }
  return evaluate(env);
}

/** describeCondition, remembered for the last currency asked. */
function textOf(c: Condition): (currency: string) => string {
  let memo: { currency: string; text: string } | null = null;
  return (currency) => {
    if (memo?.currency !== currency) memo = { currency, text: describeCondition(c, currency) };
    return memo.text;
  };
}

/** A met result: its words and needs only when asked for. */
function metResult(env: ConditionEnv, text: string, need: PromotionNeed): ConditionResult {
  return env.describeMet ? { met: true, unmet: [], needs: [], satisfied: [text], metNeeds: [need], spendShort: 0 } : MET_SILENTLY;
}

function unmetResult(text: string, need: PromotionNeed, spendShort: number | null): ConditionResult {
  return { met: false, unmet: [text], needs: [need], satisfied: [], metNeeds: [], spendShort };
}

function compile(c: Condition): Evaluator {
  if ('all' in c) return compileAll(c.all);
  if ('any' in c) return compileAny(c.any);
  if ('not' in c) {
    const child = c.not;
    const text = textOf(child);
    const need = negateNeed(needOf(child));
    return (env) => {
      const r = evaluateIn(child, env);
      if (r.met) return unmetResult(`excluded when ${text(env.ctx.currency)}`, need, null);
      return metResult(env, `not ${text(env.ctx.currency)}`, need);
    };
  }
  if ('cartSubtotal' in c) {
    const gte = c.cartSubtotal.gte;
    const text = textOf(c);
    const need = needOf(c);
    return (env) => {
      const short = Math.max(0, gte - env.cartSubtotal);
      if (short > 0) return unmetResult(`spend ${formatMoney(short, env.ctx.currency)} more`, { code: 'spend_more', amount: short }, short);
      return metResult(env, text(env.ctx.currency), need);
    };
  }
  const { test, unmet } = compileLeaf(c);
  const text = textOf(c);
  const need = needOf(c);
  return (env) => {
    if (test(env)) return metResult(env, text(env.ctx.currency), need);
    const why = typeof unmet === 'function' ? unmet(env) : unmet;
    if (why === undefined) return unmetResult(`needs ${text(env.ctx.currency)}`, need, null);
    return unmetResult(why.text, why.need, null);
  };
}

function compileAll(children: Condition[]): Evaluator {
  return (env) => {
    const result: ConditionResult = { met: true, unmet: [], needs: [], satisfied: [], metNeeds: [], spendShort: 0 };
    for (const child of children) {
      const r = evaluateIn(child, env);
      result.met &&= r.met;
      result.unmet.push(...r.unmet);
      result.needs.push(...r.needs);
      result.satisfied.push(...r.satisfied);
      result.metNeeds.push(...r.metNeeds);
      result.spendShort = result.spendShort === null || r.spendShort === null ? null : Math.max(result.spendShort, r.spendShort);
    }
    return result;
  };
}

function compileAny(children: Condition[]): Evaluator {
  return (env) => {
    let met = false;
    let spendShort: number | null = null;
    const satisfied: string[] = [];
    const metNeeds: PromotionNeed[] = [];
    const unmet: string[] = [];
    const alternatives: PromotionNeed[] = [];
    for (const child of children) {
      const r = evaluateIn(child, env);
      if (r.met) {
        met = true;
        satisfied.push(...r.satisfied);
        metNeeds.push(...r.metNeeds);
      } else {
        unmet.push(r.unmet.join(' and '));
        alternatives.push(r.needs.length === 1 && r.needs[0] ? r.needs[0] : { code: 'all_of', items: r.needs });
      }
      if (r.spendShort !== null) spendShort = spendShort === null ? r.spendShort : Math.min(spendShort, r.spendShort);
    }
    if (met) return { met, unmet: [], needs: [], satisfied, metNeeds, spendShort: 0 };
    return {
      met,
      unmet: [unmet.length === 0 ? 'never met (no alternatives)' : unmet.join(' or ')],
      needs: [{ code: 'any_of', items: alternatives }],
      satisfied,
      metNeeds,
      spendShort,
    };
  };
}

/** A leaf's test, and its unmet message when "needs <description>" does not fit. */
type Reason = { text: string; need: PromotionNeed };

/**
 * A condition on a trait reads only trusted values. When it fails but the value a browser or app
 * claims (self-reported) would have met it, say so: the shopper sees why, the shop sees the claim.
 */
function selfReported(env: ConditionEnv, key: string, wouldMeet: (value: unknown) => boolean): Reason | undefined {
  const claimed = env.customer.selfReported?.[key];
  if (claimed === undefined || !wouldMeet(claimed)) return undefined;
  return { text: `${key} is self-reported: only a value the shop sets counts`, need: { code: 'self_reported', key, value: claimed } };
}

function compileLeaf(c: Exclude<Leaf, { cartSubtotal: { gte: number } }>): { test: LeafTest; unmet?: Reason | ((env: ConditionEnv) => Reason | undefined) } {
  if ('channel' in c) {
    const ids = c.channel.in;
    return { test: (env) => ids.includes(env.ctx.channelId) };
  }
  if ('channelType' in c) {
    const types = c.channelType.in;
    return { test: (env) => types.includes(env.ctx.channelType) };
  }
  if ('schedule' in c) {
    const schedule = c.schedule;
    return { test: (env) => scheduleMet(schedule, env.localNow()) };
  }
  if ('tier' in c) {
    const tiers = c.tier.in.map(fold);
    const meets = (tier: unknown) => typeof tier === 'string' && tiers.includes(fold(tier));
    return { test: (env) => meets(env.customer.traits['tier']), unmet: (env) => selfReported(env, 'tier', meets) };
  }
  if ('firstOrder' in c) return { test: (env) => env.customer.orderCount === 0, unmet: { text: 'only for a first order', need: { code: 'first_order' } } };
  if ('birthdayMonth' in c) {
    return {
      test: (env) => birthdayMonth(env.customer.traits['birthday'], env.ctx.timeZone) === env.localNow().month,
      unmet: (env) =>
        selfReported(env, 'birthday', (b) => birthdayMonth(b, env.ctx.timeZone) === env.localNow().month) ??
        (birthdayMonth(env.customer.traits['birthday'], env.ctx.timeZone) === null
          ? { text: 'needs a birthday on the profile', need: { code: 'birthday_missing' } }
          : { text: 'needs birthday month', need: { code: 'birthday_month' } }),
    };
  }
  if ('boughtCategory' in c) {
    const { categoryIds, withinDays } = c.boughtCategory;
    const window = withinDays * DAY_MS;
    return {
      test: (env) => {
        for (const id of categoryIds) {
          const at = env.customer.lastBoughtByCategory[id];
          const ms = at === undefined ? Number.NaN : Date.parse(at);
          if (Number.isFinite(ms) && env.nowMs - ms <= window) return true;
        }
        return false;
      },
    };
  }
  if ('totalSpent' in c) {
    const gte = c.totalSpent.gte;
    return { test: (env) => env.customer.totalSpent >= gte };
  }
  if ('orderCount' in c) {
    const gte = c.orderCount.gte;
    return { test: (env) => env.customer.orderCount >= gte };
  }
  if ('lastStore' in c) {
    const stores = c.lastStore.in;
    return {
      test: (env) => {
        const store = env.customer.lastStoreLocationId;
        return store !== null && stores.includes(store);
      },
    };
  }
  if ('trait' in c) {
    const { key, op, value } = c.trait;
    return { test: (env) => traitMet(env.customer.traits[key], op, value), unmet: (env) => selfReported(env, key, (v) => traitMet(v, op, value)) };
  }
  return assertNever(c);
}

/**
 * Days apply to the local day of `now`; hours: fromHour inclusive, toHour exclusive (default
 * 0 and 24). fromHour > toHour is an overnight window (22 → 2). An empty or absent day list
 * means every day.
 */
function scheduleMet(s: { daysOfWeek?: number[]; fromHour?: number; toHour?: number }, local: LocalTime): boolean {
  if (s.daysOfWeek && s.daysOfWeek.length > 0 && !s.daysOfWeek.includes(local.weekday)) return false;
  const from = s.fromHour ?? 0;
  const to = s.toHour ?? 24;
  if (from === to) return true;
  return from < to ? local.hour >= from && local.hour < to : local.hour >= from || local.hour < to;
}

/**
 * The month (1–12) of a birthday trait. A date ('1990-04-15'), or a date-time without a zone,
 * is a calendar date taken as written; a timestamp with a zone ('…Z', '…+07:00') is read in
 * the workspace's time zone.
 */
function birthdayMonth(value: unknown, timeZone: string): number | null {
  if (typeof value !== 'string') return null;
  const text = value.trim();
  const date = /^(\d{4})-(\d{2})-(\d{2})(T[^Zz+-]*)?$/.exec(text);
  if (date) {
    const month = Number(date[2]);
    return month >= 1 && month <= 12 ? month : null;
  }
  const ms = Date.parse(text);
  return Number.isFinite(ms) ? toLocalTime(new Date(ms), timeZone).month : null;
}

function fold(s: string): string {
  // NFC so that a decomposed "Hà Nội" equals a composed one; printable ASCII needs no normalising.
  return (/[^\x20-\x7e]/.test(s) ? s.normalize('NFC') : s).trim().toLowerCase();
}

/** A finite number, or a string that is exactly a decimal number. */
function asNumber(v: unknown): number | null {
  if (typeof v === 'number') return Number.isFinite(v) ? v : null;
  if (typeof v === 'string' && /^\s*-?\d+(\.\d+)?\s*$/.test(v)) return Number(v);
  return null;
}

/** Numbers numerically (when either side is a number); other primitives as case-insensitive text. */
function looseEquals(a: unknown, b: unknown): boolean {
  if (typeof a === 'number' || typeof b === 'number') {
    const x = asNumber(a);
    const y = asNumber(b);
    return x !== null && y !== null && x === y;
  }
  const isText = (v: unknown) => typeof v === 'string' || typeof v === 'boolean';
  return isText(a) && isText(b) && fold(String(a)) === fold(String(b));
}

/** < 0, 0, > 0, or null when the two cannot be ordered. Numeric text orders as numbers. */
function order(a: unknown, b: unknown): number | null {
  const x = asNumber(a);
  const y = asNumber(b);
  if (x !== null && y !== null) return x - y;
  if (typeof a === 'string' && typeof b === 'string') {
    const fa = fold(a);
    const fb = fold(b);
    return fa < fb ? -1 : fa > fb ? 1 : 0;
  }
  return null;
}

/** A missing trait (undefined or null) meets only neq and not_in. */
function traitMet(actual: unknown, op: TraitOp, expected: unknown): boolean {
  const present = actual !== undefined && actual !== null;
  const list = Array.isArray(expected) ? (expected as unknown[]) : [expected];
  switch (op) {
    case 'exists':
      return present && actual !== '';
    case 'eq':
      return present && looseEquals(actual, expected);
    case 'neq':
      return !present || !looseEquals(actual, expected);
    case 'in':
      return present && list.some((v) => looseEquals(actual, v));
    case 'not_in':
      return !present || !list.some((v) => looseEquals(actual, v));
    case 'gt':
    case 'gte':
    case 'lt':
    case 'lte': {
      const cmp = present ? order(actual, expected) : null;
      if (cmp === null) return false;
      return op === 'gt' ? cmp > 0 : op === 'gte' ? cmp >= 0 : op === 'lt' ? cmp < 0 : cmp <= 0;
    }
    case 'contains':
      if (Array.isArray(actual)) return (actual as unknown[]).some((v) => looseEquals(v, expected));
      if (typeof actual === 'string' && (typeof expected === 'string' || typeof expected === 'number')) {
        return fold(actual).includes(fold(String(expected)));
      }
      return false;
    default:
      return assertNever(op);
  }
}

const OP_TEXT: Record<TraitOp, string> = {
  eq: 'is',
  neq: 'is not',
  in: 'is one of',
  not_in: 'is none of',
  gt: '>',
  gte: '≥',
  lt: '<',
  lte: '≤',
  exists: 'is set',
  contains: 'contains',
};

function hour(h: number): string {
  return `${String(h).padStart(2, '0')}:00`;
}

/** The condition in plain positive words: "tier gold", "cart subtotal at least 500.000 ₫". */
export function describeCondition(c: Condition, currency: string): string {
  if ('all' in c) return c.all.map((x) => describeCondition(x, currency)).join(' and ');
  if ('any' in c) return `(${c.any.map((x) => describeCondition(x, currency)).join(' or ')})`;
  if ('not' in c) return `not (${describeCondition(c.not, currency)})`;
  if ('channel' in c) return `channel ${c.channel.in.join(' or ')}`;
  if ('channelType' in c) return `channel type ${c.channelType.in.join(' or ')}`;
  if ('schedule' in c) {
    const { daysOfWeek, fromHour, toHour } = c.schedule;
    const parts: string[] = [];
    if (daysOfWeek && daysOfWeek.length > 0) parts.push(`on ${daysOfWeek.map((d) => WEEKDAYS[d] ?? String(d)).join(', ')}`);
    if (fromHour !== undefined || toHour !== undefined) parts.push(`from ${hour(fromHour ?? 0)} to ${hour(toHour ?? 24)}`);
    return parts.length > 0 ? parts.join(' ') : 'any time';
  }
  if ('tier' in c) return `tier ${c.tier.in.join(' or ')}`;
  if ('firstOrder' in c) return 'first order';
  if ('birthdayMonth' in c) return 'birthday month';
  if ('boughtCategory' in c) {
    return `bought from category ${c.boughtCategory.categoryIds.join(' or ')} in the last ${c.boughtCategory.withinDays} days`;
  }
  if ('totalSpent' in c) return `total spent at least ${formatMoney(c.totalSpent.gte, currency)}`;
  if ('orderCount' in c) return `at least ${c.orderCount.gte} orders`;
  if ('lastStore' in c) return `last store ${c.lastStore.in.join(' or ')}`;
  if ('cartSubtotal' in c) return `cart subtotal at least ${formatMoney(c.cartSubtotal.gte, currency)}`;
  if ('trait' in c) {
    const { key, op, value } = c.trait;
    return op === 'exists' ? `${key} is set` : `${key} ${OP_TEXT[op]} ${Array.isArray(value) ? value.map(String).join(', ') : String(value)}`;
  }
  return assertNever(c);
}

/** The condition as a machine-readable need, positive like describeCondition. */
export function needOf(c: Condition): PromotionNeed {
  if ('all' in c) return { code: 'all_of', items: c.all.map(needOf) };
  if ('any' in c) return { code: 'any_of', items: c.any.map(needOf) };
  if ('not' in c) return negateNeed(needOf(c.not));
  if ('channel' in c) return { code: 'channel', values: c.channel.in };
  if ('channelType' in c) return { code: 'channel_type', values: c.channelType.in };
  if ('schedule' in c) {
    const { daysOfWeek, fromHour, toHour } = c.schedule;
    return {
      code: 'schedule',
      ...(daysOfWeek && daysOfWeek.length > 0 ? { daysOfWeek } : {}),
      ...(fromHour !== undefined || toHour !== undefined ? { fromHour: fromHour ?? 0, toHour: toHour ?? 24 } : {}),
    };
  }
  if ('tier' in c) return { code: 'tier', values: c.tier.in };
  if ('firstOrder' in c) return { code: 'first_order' };
  if ('birthdayMonth' in c) return { code: 'birthday_month' };
  if ('boughtCategory' in c) return { code: 'bought_category', categoryIds: c.boughtCategory.categoryIds, withinDays: c.boughtCategory.withinDays };
  if ('totalSpent' in c) return { code: 'total_spent', amount: c.totalSpent.gte };
  if ('orderCount' in c) return { code: 'order_count', count: c.orderCount.gte };
  if ('lastStore' in c) return { code: 'last_store', values: c.lastStore.in };
  if ('cartSubtotal' in c) return { code: 'cart_subtotal', amount: c.cartSubtotal.gte };
  if ('trait' in c) {
    const { key, op, value } = c.trait;
    return op === 'exists' || value === undefined ? { code: 'trait', key, op } : { code: 'trait', key, op, value };
  }
  return assertNever(c);
}

/** The opposite need: `negate` toggled (not not x is x). Needs that are not conditions stay as they are. */
export function negateNeed(need: PromotionNeed): PromotionNeed {
  if (!('negate' in need) && !CONDITION_CODES.has(need.code)) return need;
  if ('negate' in need && need.negate) {
    const { negate: _negate, ...positive } = need;
    return positive as PromotionNeed;
  }
  return { ...need, negate: true } as PromotionNeed;
}

const CONDITION_CODES = new Set<PromotionNeed['code']>(CONDITION_NEED_CODES);

/**
 * Could `c` ever be met on this channel? Kleene logic: channel and channel-type conditions are
 * known, everything else is unknown; false only when the channel alone rules it out.
 */
export function channelAllows(c: Condition, ctx: PricingContext): boolean {
  return channelTruth(c, ctx) !== false;
}

function channelTruth(c: Condition, ctx: PricingContext): boolean | null {
  if ('all' in c) {
    let result: boolean | null = true;
    for (const child of c.all) {
      const t = channelTruth(child, ctx);
      if (t === false) return false;
      if (t === null) result = null;
    }
    return result;
  }
  if ('any' in c) {
    let result: boolean | null = false;
    for (const child of c.any) {
      const t = channelTruth(child, ctx);
      if (t === true) return true;
      if (t === null) result = null;
    }
    return result;
  }
  if ('not' in c) {
    const t = channelTruth(c.not, ctx);
    return t === null ? null : !t;
  }
  if ('channel' in c) return c.channel.in.includes(ctx.channelId);
  if ('channelType' in c) return c.channelType.in.includes(ctx.channelType);
  return null;
}
