/**
 * One translator for promotion reasons: the server sends each reason in English words and as a
 * machine-readable need ({ code: 'tier', values: ['gold'] }); the console says the need in the
 * user's language. A code this console does not know falls back to the English words.
 */
import { useCallback, useMemo } from 'react';
import { channelLook } from '../components/channels';
import { useCategories, useChannels, useLocations } from '../hooks/api/catalog';
import type { PromotionNeed } from '../hooks/api/promotions';
import { promotionNeedsMessages } from '../i18n/promotion-needs';
import { useFormat, type Formatters } from './format';
import { useI18n, useT, type Vars } from './i18n';

type NeedKey = keyof (typeof promotionNeedsMessages)['vi'];
export type NeedT = (key: NeedKey, vars?: Vars) => string;

/** Names for ids, when the console knows them. */
export interface NeedNames {
  lang: 'vi' | 'en';
  channel?: (id: string) => string | undefined;
  category?: (id: string) => string | undefined;
  store?: (id: string) => string | undefined;
}

const TIERS = ['gold', 'silver', 'bronze', 'platinum', 'diamond', 'vip', 'member'] as const;
const TYPES = ['web', 'app', 'pos', 'marketplace', 'social', 'phone', 'chatbot', 'salesperson'] as const;
const OPS = ['eq', 'neq', 'in', 'not_in', 'gt', 'gte', 'lt', 'lte', 'contains'] as const;
const STATUSES = ['draft', 'scheduled', 'active', 'paused', 'ended'] as const;

function isOneOf<T extends string>(list: readonly T[], value: string | undefined): value is T {
  return value !== undefined && (list as readonly string[]).includes(value);
}

/** "a, b hoặc c". */
function joinOr(items: string[], t: NeedT): string {
  if (items.length <= 1) return items[0] ?? '';
  return `${items.slice(0, -1).join(', ')}${t('or')}${items[items.length - 1]}`;
}

/** A sentence used inside another: lower-case its first letter ("Chỉ …" → "chỉ …", not "TMĐT"). */
function inner(text: string): string {
  const [a, b] = [text.charAt(0), text.charAt(1)];
  return b && b === b.toLowerCase() && a !== a.toLowerCase() ? a.toLowerCase() + text.slice(1) : text;
}

function hour(h: number): string {
  return `${String(h).padStart(2, '0')}:00`;
}

function valueText(v: unknown): string {
  if (Array.isArray(v)) return v.map(valueText).join(', ');
  if (v === null || v === undefined) return '—';
  return typeof v === 'object' ? JSON.stringify(v) : String(v);
}

/**
 * The need in the user's language, or null when its code is unknown (then show the English
 * message the server sent next to it).
 */
export function describeNeed(need: PromotionNeed, t: NeedT, f: Formatters, names: NeedNames): string | null {
  const not = need.negate === true;
  const neg = <K extends NeedKey>(key: K): NeedKey => (not ? (`${key}_not` as NeedKey) : key);
  const money = (n: number | undefined) => f.money(n ?? 0);
  const values = need.values ?? [];
  switch (need.code) {
    case 'channel':
      return t(neg('channel'), { list: joinOr(values.map((id) => names.channel?.(id) ?? id), t) });
    case 'channel_type':
      return t(neg('channel_type'), {
        list: joinOr(
          values.map((type) => (isOneOf(TYPES, type) ? t(`type_${type}`) : (channelLook(type).label[names.lang] ?? type))),
          t,
        ),
      });
    case 'schedule': {
      const parts: string[] = [];
      if (need.daysOfWeek && need.daysOfWeek.length > 0) {
        parts.push(t('scheduleDays', { days: need.daysOfWeek.map((d) => (d >= 0 && d <= 6 ? t(`day_${d}` as NeedKey) : String(d))).join(', ') }));
      }
      if (need.fromHour !== undefined || need.toHour !== undefined) parts.push(t('scheduleHours', { from: hour(need.fromHour ?? 0), to: hour(need.toHour ?? 24) }));
      return t(neg('schedule'), { when: parts.length > 0 ? parts.join(', ') : t('scheduleAny') });
    }
    case 'tier':
      return t(neg('tier'), { list: joinOr(values.map((v) => (isOneOf(TIERS, v.toLowerCase()) ? t(`tier_${v.toLowerCase() as (typeof TIERS)[number]}`) : v)), t) });
    case 'first_order':
      return t(neg('first_order'));
    case 'birthday_month':
      return t(neg('birthday_month'));
    case 'birthday_missing':
      return t('birthday_missing');
    case 'self_reported':
      return t('self_reported', { key: need.key ?? '', value: valueText(need.value) });
    case 'bought_category': {
      const ids = need.categoryIds ?? [];
      const known = ids.map((id) => names.category?.(id));
      const list = known.every((n): n is string => n !== undefined) ? joinOr(known, t) : t('someCategories', { count: ids.length });
      return t(neg('bought_category'), { list, days: need.withinDays ?? 0 });
    }
    case 'total_spent':
      return t(neg('total_spent'), { money: money(need.amount) });
    case 'order_count':
      return t(neg('order_count'), { count: need.count ?? 0 });
    case 'last_store': {
      const known = values.map((id) => names.store?.(id));
      const list = known.every((n): n is string => n !== undefined) ? joinOr(known, t) : t('someStores', { count: values.length });
      return t(neg('last_store'), { list });
    }
    case 'cart_subtotal':
      return t(neg('cart_subtotal'), { money: money(need.amount) });
    case 'trait': {
      const key = need.key ?? '';
      const text = need.op === 'exists' ? t('trait_exists', { key }) : t('trait', { key, op: isOneOf(OPS, need.op) ? t(`op_${need.op}`) : (need.op ?? ''), value: valueText(need.value) });
      return not ? t('trait_not', { text: inner(text) }) : text;
    }
    case 'all_of':
    case 'any_of': {
      const items = need.items ?? [];
      if (need.code === 'any_of' && items.length === 0) return t('any_of_empty');
      const parts = items.map((n) => describeNeed(n, t, f, names));
      if (parts.some((p) => p === null)) return null;
      const said = parts as string[];
      const glue = need.code === 'all_of' ? t('and') : t('or');
      const text = said.map(inner).join(glue);
      if (not) return t(need.code === 'all_of' ? 'all_of_not' : 'any_of_not', { text });
      if (need.code === 'any_of') return t('any_of', { text });
      return said.map((p, i) => (i === 0 ? p : inner(p))).join(glue);
    }
    case 'spend_more':
      return need.saving !== undefined && need.saving > 0 ? t('spend_more', { money: money(need.amount), saving: money(need.saving) }) : t('spend_more_qualify', { money: money(need.amount) });
    case 'items_more': {
      const count = need.count ?? 0;
      const one = count === 1 ? '_1' : '';
      if (need.free !== undefined) return t(`items_more_free${one}` as NeedKey, { count, free: need.free });
      if (need.discounted !== undefined) return t(`items_more_discounted${one}` as NeedKey, { count, discounted: need.discounted, percent: need.percent ?? 0 });
      return t(`items_more${one}` as NeedKey, { count });
    }
    case 'empty_cart':
      return t('empty_cart');
    case 'add_items':
      return need.scope === 'products' ? t('add_items_products') : need.scope === 'categories' ? t('add_items_categories') : t('add_items_eligible');
    case 'nothing_to_discount': {
      const text = need.scope === 'products' ? t('nothing_products') : need.scope === 'categories' ? t('nothing_categories') : t('nothing_order');
      return need.afterOthers ? t('nothing_after', { text }) : text;
    }
    case 'rounds_to_nothing':
      return t('rounds_to_nothing', { percent: need.percent ?? 0, money: money(need.amount) });
    case 'reward_empty':
    case 'already_free':
    case 'no_shipping_fee':
    case 'code_required':
    case 'usage_limit':
    case 'customer_limit':
    case 'budget_exhausted':
    case 'code_unknown':
    case 'code_used_up':
      return t(need.code);
    case 'not_active':
      return t('not_active', { status: isOneOf(STATUSES, need.status) ? t(`status_${need.status}`) : (need.status ?? '') });
    case 'not_started':
      return t('not_started', { date: f.dateTime(need.at) });
    case 'ended':
      return t('ended', { date: f.dateTime(need.at) });
    case 'lost_to': {
      const vars = { winner: need.winner ?? '', winnerSaving: money(need.winnerSaving), saving: money(need.saving) };
      if (need.winner === null || need.winner === undefined) return t(need.tie ? 'lost_to_combined_tie' : 'lost_to_combined', vars);
      return t(need.tie ? 'lost_to_tie' : 'lost_to', vars);
    }
    default:
      return null;
  }
}

/**
 * `say(needs, english)`: the reasons in the user's language, one per need; the English words
 * (`english`, entry for entry or one message) where a need is unknown or missing.
 */
export function useDescribeNeeds(): (needs: PromotionNeed[] | undefined, english: string[] | string | null | undefined) => string[] {
  const t = useT(promotionNeedsMessages);
  const f = useFormat();
  const { lang } = useI18n();
  const channels = useChannels().data;
  const categories = useCategories().data;
  const locations = useLocations().data;
  const names = useMemo<NeedNames>(() => {
    const byId = <T extends { id: string; name: string }>(list: T[] | undefined) => {
      const map = new Map((list ?? []).map((x) => [x.id, x.name]));
      return (id: string) => map.get(id);
    };
    return { lang, channel: byId(channels), category: byId(categories), store: byId(locations) };
  }, [lang, channels, categories, locations]);
  return useCallback(
    (needs, english) => {
      const words = Array.isArray(english) ? english : english ? [english] : [];
      if (!needs || needs.length === 0) return words;
      const said = needs.map((n) => describeNeed(n, t, f, names));
      // Entry for entry with the words; one message for several needs: all must be known.
      if (words.length === needs.length) return said.map((s, i) => s ?? words[i] ?? '');
      return said.every((s): s is string => s !== null) ? said : words;
    },
    [t, f, names],
  );
}
