/**
 * Checks a promotion's reward and conditions (recursive JSON, so checked here rather than by the
 * route schema) and says exactly which field is wrong: `reward.percent: must be 1..100`,
 * `conditions.all[1].boughtCategory.withinDays: must be a whole number ≥ 1`.
 */
import { AppError } from '../../platform/errors';
import type { Condition, ItemSet, Reward, Target, TraitOp } from './promotions.types';

type Json = Record<string, unknown>;

class Invalid extends Error {
  constructor(
    readonly field: string,
    message: string,
  ) {
    super(`${field}: ${message}`);
  }
}

const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

function obj(v: unknown, field: string): Json {
  if (!isObject(v)) throw new Invalid(field, 'must be an object');
  return v;
}

function int(v: unknown, field: string, min: number, max = Number.MAX_SAFE_INTEGER): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max) {
    throw new Invalid(field, max === Number.MAX_SAFE_INTEGER ? `must be a whole number ≥ ${min}` : `must be a whole number from ${min} to ${max}`);
  }
  return v;
}

function ids(v: unknown, field: string): string[] {
  if (!Array.isArray(v) || v.length === 0) throw new Invalid(field, 'must be a non-empty list of ids');
  if (v.length > 1000) throw new Invalid(field, 'at most 1,000 ids');
  v.forEach((x, i) => {
    if (typeof x !== 'string' || x.length === 0 || x.length > 100) throw new Invalid(`${field}[${i}]`, 'must be an id');
  });
  return [...new Set(v as string[])];
}

function onlyKeys(o: Json, field: string, allowed: string[]): void {
  for (const k of Object.keys(o)) if (!allowed.includes(k)) throw new Invalid(`${field}.${k}`, `unknown field (expected ${allowed.join(', ')})`);
}

/** Ids a definition refers to, for the caller to check against the catalog. */
export interface References {
  productIds: Set<string>;
  categoryIds: Set<string>;
  variantIds: Set<string>;
  channelIds: Set<string>;
}

function target(v: unknown, field: string, refs: References): Target {
  const o = obj(v, field);
  switch (o.scope) {
    case 'order':
      onlyKeys(o, field, ['scope']);
      return { scope: 'order' };
    case 'products': {
      onlyKeys(o, field, ['scope', 'productIds']);
      const list = ids(o.productIds, `${field}.productIds`);
      list.forEach((id) => refs.productIds.add(id));
      return { scope: 'products', productIds: list };
    }
    case 'categories': {
      onlyKeys(o, field, ['scope', 'categoryIds']);
      const list = ids(o.categoryIds, `${field}.categoryIds`);
      list.forEach((id) => refs.categoryIds.add(id));
      return { scope: 'categories', categoryIds: list };
    }
    default:
      throw new Invalid(`${field}.scope`, 'must be order, products or categories');
  }
}

function itemSet(v: unknown, field: string, refs: References): ItemSet {
  const o = obj(v, field);
  if (o.scope === 'variants') {
    onlyKeys(o, field, ['scope', 'variantIds']);
    const list = ids(o.variantIds, `${field}.variantIds`);
    list.forEach((id) => refs.variantIds.add(id));
    return { scope: 'variants', variantIds: list };
  }
  if (o.scope === 'order') throw new Invalid(`${field}.scope`, 'must be products, categories or variants (a set of items, not the whole order)');
  const t = target(o, field, refs);
  if (t.scope === 'order') throw new Invalid(`${field}.scope`, 'must be products, categories or variants');
  return t;
}

export function parseReward(v: unknown, refs: References, field = 'reward'): Reward {
  const o = obj(v, field);
  switch (o.type) {
    case 'percentage': {
      onlyKeys(o, field, ['type', 'percent', 'target', 'maxDiscount']);
      return {
        type: 'percentage',
        percent: int(o.percent, `${field}.percent`, 1, 100),
        target: target(o.target ?? { scope: 'order' }, `${field}.target`, refs),
        ...(o.maxDiscount !== undefined ? { maxDiscount: int(o.maxDiscount, `${field}.maxDiscount`, 1) } : {}),
      };
    }
    case 'fixed':
      onlyKeys(o, field, ['type', 'amount', 'target']);
      return { type: 'fixed', amount: int(o.amount, `${field}.amount`, 1), target: target(o.target ?? { scope: 'order' }, `${field}.target`, refs) };
    case 'buy_x_get_y': {
      onlyKeys(o, field, ['type', 'buy', 'get', 'maxApplications']);
      const buy = obj(o.buy, `${field}.buy`);
      const get = obj(o.get, `${field}.get`);
      onlyKeys(buy, `${field}.buy`, ['items', 'quantity']);
      onlyKeys(get, `${field}.get`, ['items', 'quantity', 'percent']);
      return {
        type: 'buy_x_get_y',
        buy: { items: itemSet(buy.items, `${field}.buy.items`, refs), quantity: int(buy.quantity, `${field}.buy.quantity`, 1, 1000) },
        get: {
          items: itemSet(get.items, `${field}.get.items`, refs),
          quantity: int(get.quantity, `${field}.get.quantity`, 1, 1000),
          percent: int(get.percent ?? 100, `${field}.get.percent`, 1, 100),
        },
        ...(o.maxApplications !== undefined ? { maxApplications: int(o.maxApplications, `${field}.maxApplications`, 1) } : {}),
      };
    }
    case 'tiered_spend': {
      onlyKeys(o, field, ['type', 'tiers', 'target']);
      if (!Array.isArray(o.tiers) || o.tiers.length === 0) throw new Invalid(`${field}.tiers`, 'must list at least one tier');
      if (o.tiers.length > 20) throw new Invalid(`${field}.tiers`, 'at most 20 tiers');
      const tiers = o.tiers.map((t, i) => {
        const f = `${field}.tiers[${i}]`;
        const tier = obj(t, f);
        onlyKeys(tier, f, ['minSpend', 'amountOff', 'percentOff']);
        const minSpend = int(tier.minSpend, `${f}.minSpend`, 1);
        if ((tier.amountOff === undefined) === (tier.percentOff === undefined)) throw new Invalid(f, 'give exactly one of amountOff and percentOff');
        return tier.amountOff !== undefined
          ? { minSpend, amountOff: int(tier.amountOff, `${f}.amountOff`, 1) }
          : { minSpend, percentOff: int(tier.percentOff, `${f}.percentOff`, 1, 100) };
      });
      tiers.forEach((t, i) => {
        if (i > 0 && t.minSpend <= tiers[i - 1]!.minSpend) throw new Invalid(`${field}.tiers[${i}].minSpend`, 'tiers must be in increasing minSpend order');
        if (t.amountOff !== undefined && t.amountOff > t.minSpend) throw new Invalid(`${field}.tiers[${i}].amountOff`, 'cannot exceed the tier’s minSpend');
      });
      return { type: 'tiered_spend', tiers, ...(o.target !== undefined ? { target: target(o.target, `${field}.target`, refs) } : {}) };
    }
    case 'free_shipping':
      onlyKeys(o, field, ['type', 'maxAmount']);
      return { type: 'free_shipping', ...(o.maxAmount !== undefined ? { maxAmount: int(o.maxAmount, `${field}.maxAmount`, 1) } : {}) };
    case 'gift': {
      onlyKeys(o, field, ['type', 'variantId', 'quantity']);
      if (typeof o.variantId !== 'string' || !o.variantId) throw new Invalid(`${field}.variantId`, 'must be a variant id');
      refs.variantIds.add(o.variantId);
      return { type: 'gift', variantId: o.variantId, quantity: int(o.quantity ?? 1, `${field}.quantity`, 1, 100) };
    }
    default:
      throw new Invalid(`${field}.type`, 'must be percentage, fixed, buy_x_get_y, tiered_spend, free_shipping or gift');
  }
}

const TRAIT_OPS: TraitOp[] = ['eq', 'neq', 'in', 'not_in', 'gt', 'gte', 'lt', 'lte', 'exists', 'contains'];
const CONDITION_KINDS = ['all', 'any', 'not', 'channel', 'channelType', 'schedule', 'tier', 'firstOrder', 'birthdayMonth', 'boughtCategory', 'totalSpent', 'orderCount', 'lastStore', 'cartSubtotal', 'trait'];

function stringList(v: unknown, field: string): string[] {
  if (!Array.isArray(v) || v.length === 0 || v.some((x) => typeof x !== 'string' || !x)) throw new Invalid(field, 'must be a non-empty list of strings');
  return v as string[];
}

export function parseCondition(v: unknown, refs: References, field = 'conditions', depth = 0): Condition {
  if (depth > 10) throw new Invalid(field, 'nested too deeply (at most 10 levels)');
  const o = obj(v, field);
  const keys = Object.keys(o);
  if (keys.length !== 1) throw new Invalid(field, `must have exactly one of ${CONDITION_KINDS.join(', ')}`);
  const kind = keys[0]!;
  const body = o[kind];
  const f = `${field}.${kind}`;
  switch (kind) {
    case 'all':
    case 'any': {
      if (!Array.isArray(body) || body.length === 0) throw new Invalid(f, 'must be a non-empty list of conditions');
      const list = body.map((c, i) => parseCondition(c, refs, `${f}[${i}]`, depth + 1));
      return kind === 'all' ? { all: list } : { any: list };
    }
    case 'not':
      return { not: parseCondition(body, refs, f, depth + 1) };
    case 'channel': {
      const b = obj(body, f);
      const list = ids(b.in, `${f}.in`);
      list.forEach((id) => refs.channelIds.add(id));
      return { channel: { in: list } };
    }
    case 'channelType':
      return { channelType: { in: stringList(obj(body, f).in, `${f}.in`) } };
    case 'schedule': {
      const b = obj(body, f);
      onlyKeys(b, f, ['daysOfWeek', 'fromHour', 'toHour']);
      const out: { daysOfWeek?: number[]; fromHour?: number; toHour?: number } = {};
      if (b.daysOfWeek !== undefined) {
        if (!Array.isArray(b.daysOfWeek) || b.daysOfWeek.length === 0) throw new Invalid(`${f}.daysOfWeek`, 'must list days 0 (Sunday) to 6');
        out.daysOfWeek = b.daysOfWeek.map((d, i) => int(d, `${f}.daysOfWeek[${i}]`, 0, 6));
      }
      if (b.fromHour !== undefined) out.fromHour = int(b.fromHour, `${f}.fromHour`, 0, 23);
      if (b.toHour !== undefined) out.toHour = int(b.toHour, `${f}.toHour`, 1, 24);
      if (out.fromHour !== undefined && out.toHour !== undefined && out.toHour <= out.fromHour) throw new Invalid(`${f}.toHour`, 'must be after fromHour');
      return { schedule: out };
    }
    case 'tier':
      return { tier: { in: stringList(obj(body, f).in, `${f}.in`) } };
    case 'firstOrder':
    case 'birthdayMonth':
      if (body !== true) throw new Invalid(f, 'must be true');
      return kind === 'firstOrder' ? { firstOrder: true } : { birthdayMonth: true };
    case 'boughtCategory': {
      const b = obj(body, f);
      onlyKeys(b, f, ['categoryIds', 'withinDays']);
      const list = ids(b.categoryIds, `${f}.categoryIds`);
      list.forEach((id) => refs.categoryIds.add(id));
      return { boughtCategory: { categoryIds: list, withinDays: int(b.withinDays, `${f}.withinDays`, 1, 3650) } };
    }
    case 'totalSpent':
    case 'orderCount':
    case 'cartSubtotal': {
      const b = obj(body, f);
      onlyKeys(b, f, ['gte']);
      const gte = int(b.gte, `${f}.gte`, 0);
      return kind === 'totalSpent' ? { totalSpent: { gte } } : kind === 'orderCount' ? { orderCount: { gte } } : { cartSubtotal: { gte } };
    }
    case 'lastStore':
      return { lastStore: { in: ids(obj(body, f).in, `${f}.in`) } };
    case 'trait': {
      const b = obj(body, f);
      onlyKeys(b, f, ['key', 'op', 'value']);
      if (typeof b.key !== 'string' || !/^[\w.$-]{1,100}$/u.test(b.key)) throw new Invalid(`${f}.key`, 'must be a trait name');
      if (typeof b.op !== 'string' || !TRAIT_OPS.includes(b.op as TraitOp)) throw new Invalid(`${f}.op`, `must be one of ${TRAIT_OPS.join(', ')}`);
      const op = b.op as TraitOp;
      if (op !== 'exists' && b.value === undefined) throw new Invalid(`${f}.value`, `required for ${op}`);
      if ((op === 'in' || op === 'not_in') && !Array.isArray(b.value)) throw new Invalid(`${f}.value`, `must be a list for ${op}`);
      return { trait: { key: b.key, op, ...(b.value !== undefined ? { value: b.value } : {}) } };
    }
    default:
      throw new Invalid(f, `unknown condition (expected one of ${CONDITION_KINDS.join(', ')})`);
  }
}

/** Parse, turning the first problem into a 400 that names the field. */
export function validated<T>(parse: () => T): T {
  try {
    return parse();
  } catch (err) {
    if (err instanceof Invalid) throw new AppError('validation_failed', `body.${err.message}`, { field: err.field });
    throw err;
  }
}

export function emptyReferences(): References {
  return { productIds: new Set(), categoryIds: new Set(), variantIds: new Set(), channelIds: new Set() };
}
