/** How promotions look everywhere in the console: status badges, kind icons, one-line summaries. */
import { Badge, ThemeIcon } from '@mantine/core';
import { IconDiscount2, IconGift, IconPercentage, IconReceipt2, IconStairsUp, IconTruckDelivery, IconCash, type Icon } from '@tabler/icons-react';
import type { PromotionStatus, Reward, RewardType, Target } from '../../../hooks/api/promotions';
import { useT } from '../../../lib/i18n';
import type { Formatters } from '../../../lib/format';
import { promotionsMessages } from '../../../i18n/promotions';

export type PromotionsT = ReturnType<typeof useT<keyof (typeof promotionsMessages)['vi']>>;

export const STATUS_COLOR: Record<PromotionStatus, string> = {
  draft: 'gray',
  scheduled: 'blue',
  active: 'green',
  paused: 'yellow',
  ended: 'dark',
};

export function StatusBadge({ status }: { status: PromotionStatus }) {
  const t = useT(promotionsMessages);
  return (
    <Badge color={STATUS_COLOR[status]} variant={status === 'active' ? 'filled' : 'light'} radius="sm" tt="none" style={{ minWidth: 'max-content' }} data-status={status}>
      {t(`status_${status}`)}
    </Badge>
  );
}

export const KIND_ICON: Record<RewardType, Icon> = {
  percentage: IconPercentage,
  fixed: IconCash,
  buy_x_get_y: IconDiscount2,
  tiered_spend: IconStairsUp,
  free_shipping: IconTruckDelivery,
  gift: IconGift,
};

export const KIND_COLOR: Record<RewardType, string> = {
  percentage: 'blue',
  fixed: 'teal',
  buy_x_get_y: 'grape',
  tiered_spend: 'indigo',
  free_shipping: 'cyan',
  gift: 'pink',
};

export function KindIcon({ type, size = 28 }: { type: RewardType; size?: number }) {
  const I = KIND_ICON[type] ?? IconReceipt2;
  return (
    <ThemeIcon size={size} radius="md" variant="light" color={KIND_COLOR[type] ?? 'gray'}>
      <I size={size * 0.6} />
    </ThemeIcon>
  );
}

/** One line, e.g. "Giảm 10% · tối đa 50.000 ₫" or "Mua 2 tặng 1". */
export function rewardSummary(r: Reward, t: PromotionsT, f: Formatters): string {
  switch (r.type) {
    case 'percentage':
      return [t('sum_percent', { percent: r.percent }), targetSummary(r.target, t), r.maxDiscount ? t('sum_upTo', { amount: f.money(r.maxDiscount) }) : ''].filter(Boolean).join(' · ');
    case 'fixed':
      return [t('sum_fixed', { amount: f.money(r.amount) }), targetSummary(r.target, t)].filter(Boolean).join(' · ');
    case 'buy_x_get_y':
      return r.get.percent >= 100 ? t('sum_bxgyFree', { buy: r.buy.quantity, get: r.get.quantity }) : t('sum_bxgyPercent', { buy: r.buy.quantity, get: r.get.quantity, percent: r.get.percent });
    case 'tiered_spend': {
      const first = r.tiers[0];
      return first ? t('sum_tiers', { n: r.tiers.length, from: f.money(first.minSpend) }) : t('kind_tiered_spend');
    }
    case 'free_shipping':
      return r.maxAmount ? t('sum_shippingUpTo', { amount: f.money(r.maxAmount) }) : t('sum_shippingFree');
    case 'gift':
      return t('sum_gift', { quantity: r.quantity });
    default:
      return '';
  }
}

function targetSummary(target: Target | undefined, t: PromotionsT): string {
  if (!target || target.scope === 'order') return t('sum_wholeOrder');
  if (target.scope === 'products') return t('sum_nProducts', { n: target.productIds.length });
  return t('sum_nCategories', { n: target.categoryIds.length });
}
