/**
 * The promotion form's state: what the operator types (money in major units, wall-clock times
 * in the workspace's zone, conditions as rows) and its conversion to and from the API's shape.
 * The server validates; its 400s name the field (`reward.percent`, `conditions.all[1]…`), which
 * `fieldOf` reads so the form can show them beside the input.
 */
import type { Condition, ItemSet, Promotion, PromotionInput, Reward, RewardType, Target, TraitOp } from '../../../hooks/api/promotions';
import { ApiError } from '../../../lib/api';
import { toMajor, toMinor } from '../../../lib/format';
import { isoToZoned, zonedToIso } from '../shared/zoned-time';

export type Num = number | '';

export interface TargetDraft {
  scope: 'order' | 'products' | 'categories';
  productIds: string[];
  categoryIds: string[];
}

export interface ItemSetDraft {
  scope: 'products' | 'categories' | 'variants';
  ids: string[];
}

export interface TierDraft {
  key: number;
  minSpend: Num;
  kind: 'amount' | 'percent';
  value: Num;
}

export interface RewardDraft {
  type: RewardType;
  percent: Num;
  maxDiscount: Num;
  amount: Num;
  target: TargetDraft;
  buy: ItemSetDraft;
  buyQuantity: Num;
  getSame: boolean;
  get: ItemSetDraft;
  getQuantity: Num;
  getPercent: Num;
  maxApplications: Num;
  tiers: TierDraft[];
  shippingMax: Num;
  giftVariantId: string | null;
  giftQuantity: Num;
}

export const LEAF_KINDS = [
  'channel',
  'channelType',
  'schedule',
  'tier',
  'firstOrder',
  'birthdayMonth',
  'boughtCategory',
  'totalSpent',
  'orderCount',
  'lastStore',
  'cartSubtotal',
  'trait',
] as const;
export type LeafKind = (typeof LEAF_KINDS)[number];

export interface ConditionRow {
  key: number;
  kind: LeafKind;
  negate: boolean;
  ids: string[];
  days: number[];
  fromHour: Num;
  toHour: Num;
  /** Major units for money kinds; a count for orderCount. */
  amount: Num;
  withinDays: Num;
  traitKey: string;
  op: TraitOp;
  text: string;
  list: string[];
}

export interface ConditionsDraft {
  mode: 'all' | 'any';
  rows: ConditionRow[];
  /** A tree the row builder cannot show (nested groups): edited as JSON. */
  json: string | null;
}

export interface FormState {
  name: string;
  description: string;
  requiresCode: boolean;
  stacking: 'exclusive' | 'combinable';
  priority: Num;
  startsAt: string | null;
  endsAt: string | null;
  usageLimit: Num;
  perCustomerLimit: Num;
  budget: Num;
  activate: boolean;
  reward: RewardDraft;
  conditions: ConditionsDraft;
}

let seq = 0;
export const nextKey = () => ++seq;

const emptyTarget = (): TargetDraft => ({ scope: 'order', productIds: [], categoryIds: [] });

export function emptyReward(type: RewardType = 'percentage'): RewardDraft {
  return {
    type,
    percent: 10,
    maxDiscount: '',
    amount: '',
    target: emptyTarget(),
    buy: { scope: 'products', ids: [] },
    buyQuantity: 1,
    getSame: true,
    get: { scope: 'products', ids: [] },
    getQuantity: 1,
    getPercent: 100,
    maxApplications: '',
    tiers: [
      { key: nextKey(), minSpend: '', kind: 'amount', value: '' },
      { key: nextKey(), minSpend: '', kind: 'amount', value: '' },
    ],
    shippingMax: '',
    giftVariantId: null,
    giftQuantity: 1,
  };
}

export function emptyRow(kind: LeafKind): ConditionRow {
  return { key: nextKey(), kind, negate: false, ids: [], days: [], fromHour: '', toHour: '', amount: '', withinDays: 30, traitKey: '', op: 'eq', text: '', list: [] };
}

export function emptyForm(type: RewardType = 'percentage'): FormState {
  return {
    name: '',
    description: '',
    requiresCode: false,
    stacking: 'combinable',
    priority: 0,
    startsAt: null,
    endsAt: null,
    usageLimit: '',
    perCustomerLimit: '',
    budget: '',
    activate: false,
    reward: emptyReward(type),
    conditions: { mode: 'all', rows: [], json: null },
  };
}

// API → form

const major = (minor: number | null | undefined, currency: string): Num => (minor === null || minor === undefined ? '' : toMajor(minor, currency));
const orEmpty = (n: number | null | undefined): Num => (n === null || n === undefined ? '' : n);

function targetDraft(t: Target | undefined): TargetDraft {
  if (!t || t.scope === 'order') return emptyTarget();
  if (t.scope === 'products') return { scope: 'products', productIds: t.productIds, categoryIds: [] };
  return { scope: 'categories', productIds: [], categoryIds: t.categoryIds };
}

function itemSetDraft(s: ItemSet): ItemSetDraft {
  if (s.scope === 'products') return { scope: 'products', ids: s.productIds };
  if (s.scope === 'categories') return { scope: 'categories', ids: s.categoryIds };
  return { scope: 'variants', ids: s.variantIds };
}

function rewardDraft(r: Reward, currency: string): RewardDraft {
  const d = emptyReward(r.type);
  switch (r.type) {
    case 'percentage':
      return { ...d, percent: r.percent, maxDiscount: major(r.maxDiscount, currency), target: targetDraft(r.target) };
    case 'fixed':
      return { ...d, amount: major(r.amount, currency), target: targetDraft(r.target) };
    case 'buy_x_get_y': {
      const buy = itemSetDraft(r.buy.items);
      const get = itemSetDraft(r.get.items);
      const same = buy.scope === get.scope && buy.ids.length === get.ids.length && buy.ids.every((id) => get.ids.includes(id));
      return { ...d, buy, buyQuantity: r.buy.quantity, get, getSame: same, getQuantity: r.get.quantity, getPercent: r.get.percent, maxApplications: orEmpty(r.maxApplications) };
    }
    case 'tiered_spend':
      return {
        ...d,
        target: targetDraft(r.target),
        tiers: r.tiers.map((tier) => ({
          key: nextKey(),
          minSpend: major(tier.minSpend, currency),
          kind: tier.percentOff !== undefined ? 'percent' : 'amount',
          value: tier.percentOff !== undefined ? tier.percentOff : major(tier.amountOff, currency),
        })),
      };
    case 'free_shipping':
      return { ...d, shippingMax: major(r.maxAmount, currency) };
    case 'gift':
      return { ...d, giftVariantId: r.variantId, giftQuantity: r.quantity };
    default:
      return d;
  }
}

function leafRow(c: Condition, negate: boolean, currency: string): ConditionRow | null {
  if ('not' in c) return negate ? null : leafRow(c.not, true, currency);
  const r = (kind: LeafKind, extra: Partial<ConditionRow>): ConditionRow => ({ ...emptyRow(kind), negate, ...extra });
  if ('channel' in c) return r('channel', { ids: c.channel.in });
  if ('channelType' in c) return r('channelType', { ids: c.channelType.in });
  if ('schedule' in c) return r('schedule', { days: c.schedule.daysOfWeek ?? [], fromHour: orEmpty(c.schedule.fromHour), toHour: orEmpty(c.schedule.toHour) });
  if ('tier' in c) return r('tier', { list: c.tier.in });
  if ('firstOrder' in c) return r('firstOrder', {});
  if ('birthdayMonth' in c) return r('birthdayMonth', {});
  if ('boughtCategory' in c) return r('boughtCategory', { ids: c.boughtCategory.categoryIds, withinDays: c.boughtCategory.withinDays });
  if ('totalSpent' in c) return r('totalSpent', { amount: major(c.totalSpent.gte, currency) });
  if ('orderCount' in c) return r('orderCount', { amount: c.orderCount.gte });
  if ('lastStore' in c) return r('lastStore', { ids: c.lastStore.in });
  if ('cartSubtotal' in c) return r('cartSubtotal', { amount: major(c.cartSubtotal.gte, currency) });
  if ('trait' in c) {
    const v = c.trait.value;
    return r('trait', {
      traitKey: c.trait.key,
      op: c.trait.op,
      list: Array.isArray(v) ? v.map(String) : [],
      text: v === undefined || v === null || Array.isArray(v) ? '' : String(v),
    });
  }
  return null;
}

export function conditionsDraft(c: Condition | null, currency: string): ConditionsDraft {
  if (!c) return { mode: 'all', rows: [], json: null };
  const group = 'all' in c ? { mode: 'all' as const, list: c.all } : 'any' in c ? { mode: 'any' as const, list: c.any } : { mode: 'all' as const, list: [c] };
  const rows = group.list.map((x) => leafRow(x, false, currency));
  if (rows.some((x) => x === null)) return { mode: group.mode, rows: [], json: JSON.stringify(c, null, 2) };
  return { mode: group.mode, rows: rows as ConditionRow[], json: null };
}

export function formFromPromotion(p: Promotion, currency: string, timeZone: string): FormState {
  return {
    name: p.name,
    description: p.description ?? '',
    requiresCode: p.requiresCode,
    stacking: p.stacking,
    priority: p.priority,
    startsAt: p.startsAt ? isoToZoned(p.startsAt, timeZone) : null,
    endsAt: p.endsAt ? isoToZoned(p.endsAt, timeZone) : null,
    usageLimit: orEmpty(p.usageLimit),
    perCustomerLimit: orEmpty(p.perCustomerLimit),
    budget: major(p.budget, currency),
    activate: false,
    reward: rewardDraft(p.reward, currency),
    conditions: conditionsDraft(p.conditions, currency),
  };
}

// form → API. Blank required numbers are sent as absent, so the server names the field.

const num = (v: Num): number | undefined => (v === '' ? undefined : v);
const minor = (v: Num, currency: string): number | undefined => (v === '' ? undefined : toMinor(v, currency));

function targetOf(t: TargetDraft): Target {
  if (t.scope === 'products') return { scope: 'products', productIds: t.productIds };
  if (t.scope === 'categories') return { scope: 'categories', categoryIds: t.categoryIds };
  return { scope: 'order' };
}

function itemSetOf(s: ItemSetDraft): ItemSet {
  if (s.scope === 'products') return { scope: 'products', productIds: s.ids };
  if (s.scope === 'categories') return { scope: 'categories', categoryIds: s.ids };
  return { scope: 'variants', variantIds: s.ids };
}

/** Optional fields are left out when blank; required ones are sent as they are for the server to judge. */
function compact<T extends object>(o: T): T {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as T;
}

export function rewardOf(d: RewardDraft, currency: string): Reward {
  switch (d.type) {
    case 'percentage':
      return compact({ type: 'percentage', percent: num(d.percent) as number, target: targetOf(d.target), maxDiscount: minor(d.maxDiscount, currency) });
    case 'fixed':
      return compact({ type: 'fixed', amount: minor(d.amount, currency) as number, target: targetOf(d.target) });
    case 'buy_x_get_y':
      return compact({
        type: 'buy_x_get_y',
        buy: compact({ items: itemSetOf(d.buy), quantity: num(d.buyQuantity) as number }),
        get: compact({ items: itemSetOf(d.getSame ? d.buy : d.get), quantity: num(d.getQuantity) as number, percent: num(d.getPercent) as number }),
        maxApplications: num(d.maxApplications),
      });
    case 'tiered_spend':
      return compact({
        type: 'tiered_spend',
        tiers: d.tiers.map((tier) =>
          compact({
            minSpend: minor(tier.minSpend, currency) as number,
            ...(tier.kind === 'percent' ? { percentOff: num(tier.value) } : { amountOff: minor(tier.value, currency) }),
          }),
        ),
        target: d.target.scope === 'order' ? undefined : targetOf(d.target),
      });
    case 'free_shipping':
      return compact({ type: 'free_shipping', maxAmount: minor(d.shippingMax, currency) });
    case 'gift':
      return compact({ type: 'gift', variantId: d.giftVariantId ?? '', quantity: num(d.giftQuantity) as number });
    default:
      return d.type satisfies never;
  }
}

function traitValue(r: ConditionRow): unknown {
  if (r.op === 'exists') return undefined;
  if (r.op === 'in' || r.op === 'not_in') return r.list;
  const s = r.text.trim();
  return s === '' ? undefined : s;
}

function leafOf(r: ConditionRow, currency: string): Condition {
  switch (r.kind) {
    case 'channel':
      return { channel: { in: r.ids } };
    case 'channelType':
      return { channelType: { in: r.ids } };
    case 'schedule':
      return { schedule: compact({ daysOfWeek: r.days.length ? [...r.days].sort() : undefined, fromHour: num(r.fromHour), toHour: num(r.toHour) }) };
    case 'tier':
      return { tier: { in: r.list } };
    case 'firstOrder':
      return { firstOrder: true };
    case 'birthdayMonth':
      return { birthdayMonth: true };
    case 'boughtCategory':
      return { boughtCategory: compact({ categoryIds: r.ids, withinDays: num(r.withinDays) as number }) };
    case 'totalSpent':
      return { totalSpent: compact({ gte: minor(r.amount, currency) as number }) };
    case 'orderCount':
      return { orderCount: compact({ gte: num(r.amount) as number }) };
    case 'lastStore':
      return { lastStore: { in: r.ids } };
    case 'cartSubtotal':
      return { cartSubtotal: compact({ gte: minor(r.amount, currency) as number }) };
    case 'trait':
      return { trait: compact({ key: r.traitKey.trim(), op: r.op, value: traitValue(r) }) };
    default:
      return r.kind satisfies never;
  }
}

export class JsonConditionsError extends Error {}

export function conditionsOf(d: ConditionsDraft, currency: string): Condition | null {
  if (d.json !== null) {
    const s = d.json.trim();
    if (!s) return null;
    try {
      return JSON.parse(s) as Condition;
    } catch (e) {
      throw new JsonConditionsError(e instanceof Error ? e.message : String(e));
    }
  }
  if (d.rows.length === 0) return null;
  const list = d.rows.map((r) => {
    const leaf = leafOf(r, currency);
    return r.negate ? { not: leaf } : leaf;
  });
  return d.mode === 'all' ? { all: list } : { any: list };
}

export function inputOf(s: FormState, currency: string, timeZone: string, creating: boolean): PromotionInput {
  return {
    name: s.name.trim(),
    description: s.description.trim() || null,
    ...(creating ? { status: s.activate ? ('active' as const) : ('draft' as const) } : {}),
    priority: s.priority === '' ? 0 : s.priority,
    stacking: s.stacking,
    requiresCode: s.requiresCode,
    reward: rewardOf(s.reward, currency),
    conditions: conditionsOf(s.conditions, currency),
    startsAt: s.startsAt ? zonedToIso(s.startsAt, timeZone) : null,
    endsAt: s.endsAt ? zonedToIso(s.endsAt, timeZone) : null,
    usageLimit: s.usageLimit === '' ? null : s.usageLimit,
    perCustomerLimit: s.perCustomerLimit === '' ? null : s.perCustomerLimit,
    budget: s.budget === '' ? null : toMinor(s.budget, currency),
  };
}

/** The field a server 400 names, without the `body.` prefix: `reward.tiers[1].minSpend`. */
export function fieldOf(error: unknown): string | undefined {
  if (!(error instanceof ApiError)) return undefined;
  const fromMessage = /^body\.([^:\s]+):/.exec(error.message)?.[1];
  if (fromMessage) return fromMessage;
  const field = error.details.field;
  return typeof field === 'string' ? field.replace(/^body\./, '') : undefined;
}

/** The server's words without the field path it starts with ("must be 1..100"). */
export function reasonOf(error: unknown): string {
  const msg = error instanceof Error ? error.message : String(error);
  return msg.replace(/^body(\.[^:\s]+)?:\s*/, '');
}

const VI_REASONS: [RegExp, string][] = [
  [/^must be a whole number ≥ (\d+)$/, 'phải là số nguyên ≥ $1'],
  [/^must be a whole number from (\d+) to (\d+)$/, 'phải là số nguyên từ $1 đến $2'],
  [/^must be a non-empty list of (ids|strings|conditions)$/, 'hãy chọn hoặc nhập ít nhất một mục'],
  [/^must be an id$/, 'không phải mã hợp lệ'],
  [/^must be a variant id$/, 'hãy chọn sản phẩm tặng'],
  [/^must list at least one tier$/, 'cần ít nhất một bậc'],
  [/^at most 20 tiers$/, 'tối đa 20 bậc'],
  [/^give exactly one of amountOff and percentOff$/, 'chọn giảm tiền hoặc giảm %'],
  [/^tiers must be in increasing minSpend order$/, 'các bậc phải có mức chi tiêu tăng dần'],
  [/^cannot exceed the tier’s minSpend$/, 'không được lớn hơn mức chi tiêu của bậc'],
  [/^must list days 0 \(Sunday\) to 6$/, 'hãy chọn ngày trong tuần'],
  [/^must be after fromHour$/, 'phải sau giờ bắt đầu'],
  [/^must be after startsAt$/, 'phải sau thời điểm bắt đầu'],
  [/^must be a trait name$/, 'hãy nhập tên thuộc tính (chữ, số, . _ - $)'],
  [/^required for (\w+)$/, 'cần nhập giá trị'],
  [/^must be a list for (\w+)$/, 'cần danh sách giá trị'],
  [/^required$/, 'bắt buộc'],
  [/^3–40 letters, digits, - or _$/, '3–40 ký tự: chữ, số, - hoặc _'],
  [/^Code (\S+) already exists$/, 'Mã $1 đã tồn tại'],
  [/^must NOT have fewer than 1 characters$/, 'bắt buộc'],
  [/^Unknown (\w+) (\S+)$/, 'không tìm thấy $1 $2 (có thể đã bị xoá)'],
];

/** The server's reason in the operator's language when it is one of the promotion checks' own words. */
export function localizedReason(error: unknown, lang: 'vi' | 'en'): string {
  const reason = reasonOf(error);
  if (lang !== 'vi') return reason;
  for (const [re, vi] of VI_REASONS) if (re.test(reason)) return reason.replace(re, vi);
  return reason;
}

function stable(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(stable).join(',')}]`;
  if (v && typeof v === 'object') {
    return `{${Object.keys(v)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${stable((v as Record<string, unknown>)[k])}`)
      .join(',')}}`;
  }
  return JSON.stringify(v ?? null);
}

const sameSecond = (a: string | null | undefined, b: string | null | undefined) =>
  (a ? Math.floor(Date.parse(a) / 1000) : null) === (b ? Math.floor(Date.parse(b) / 1000) : null);

/** Only what the operator changed, so the audit trail shows real changes. */
export function changedFields(body: PromotionInput, before: Promotion): Partial<PromotionInput> {
  const out: Partial<PromotionInput> = {};
  for (const key of Object.keys(body) as (keyof PromotionInput)[]) {
    const now = body[key];
    const was = before[key as keyof Promotion];
    const same =
      key === 'startsAt' || key === 'endsAt'
        ? sameSecond(now as string | null, was as string | null)
        : key === 'description'
          ? (now ?? '') === (was ?? '')
          : stable(now) === stable(was);
    if (!same) (out as Record<string, unknown>)[key] = now;
  }
  return out;
}
