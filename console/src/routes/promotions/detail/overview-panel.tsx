/** A promotion in plain words: reward, who qualifies, when, how it stacks, what is used of its limits. */
import type { ReactNode } from 'react';
import { Badge, Card, Grid, Group, List, Progress, Stack, Text, Title } from '@mantine/core';
import {
  usePickerCategories,
  usePickerChannels,
  usePickerLocations,
  usePickerProducts,
  type Condition,
  type ItemSet,
  type Promotion,
  type Reward,
  type Target,
} from '../../../hooks/api/promotions';
import { useWorkspace } from '../../../hooks/api/session';
import { channelLook } from '../../../components/channels';
import { useFormat, type Formatters } from '../../../lib/format';
import { useI18n, useT, type Lang } from '../../../lib/i18n';
import { promotionsMessages } from '../../../i18n/promotions';
import { rewardSummary, type PromotionsT } from '../shared/look';

interface Names {
  product: (id: string) => string;
  variant: (id: string) => string;
  category: (id: string) => string;
  channel: (id: string) => string;
  location: (id: string) => string;
}

function useNames(): Names {
  const products = usePickerProducts().data ?? [];
  const categories = usePickerCategories().data ?? [];
  const channels = usePickerChannels().data ?? [];
  const locations = usePickerLocations().data ?? [];
  const p = new Map(products.map((x) => [x.id, x.title]));
  const v = new Map(products.flatMap((x) => x.variants.map((vv) => [vv.id, `${x.title}${vv.title ? ` — ${vv.title}` : ''} (${vv.sku})`] as const)));
  const c = new Map(categories.map((x) => [x.id, x.name]));
  const ch = new Map(channels.map((x) => [x.id, x.name]));
  const l = new Map(locations.map((x) => [x.id, x.name]));
  return {
    product: (id) => p.get(id) ?? id,
    variant: (id) => v.get(id) ?? id,
    category: (id) => c.get(id) ?? id,
    channel: (id) => ch.get(id) ?? id,
    location: (id) => l.get(id) ?? id,
  };
}

const list = (ids: string[], name: (id: string) => string) => ids.map(name).join(', ');

function targetText(target: Target | undefined, t: PromotionsT, n: Names): string {
  if (!target || target.scope === 'order') return t('scope_order');
  if (target.scope === 'products') return `${t('scope_products')}: ${list(target.productIds, n.product)}`;
  return `${t('scope_categories')}: ${list(target.categoryIds, n.category)}`;
}

function itemsText(s: ItemSet, t: PromotionsT, n: Names): string {
  if (s.scope === 'products') return `${t('scope_products')}: ${list(s.productIds, n.product)}`;
  if (s.scope === 'categories') return `${t('scope_categories')}: ${list(s.categoryIds, n.category)}`;
  return `${t('scope_variants')}: ${list(s.variantIds, n.variant)}`;
}

function rewardLines(r: Reward, t: PromotionsT, f: Formatters, n: Names): string[] {
  switch (r.type) {
    case 'percentage':
      return [t('sum_percent', { percent: r.percent }), `${t('appliesTo')}: ${targetText(r.target, t, n)}`, ...(r.maxDiscount ? [`${t('maxDiscount')}: ${f.money(r.maxDiscount)}`] : [])];
    case 'fixed':
      return [t('sum_fixed', { amount: f.money(r.amount) }), `${t('appliesTo')}: ${targetText(r.target, t, n)}`];
    case 'buy_x_get_y':
      return [
        `${t('buyItems')} (${r.buy.quantity}): ${itemsText(r.buy.items, t, n)}`,
        `${t('getItems')} (${r.get.quantity}, −${r.get.percent}%): ${itemsText(r.get.items, t, n)}`,
        ...(r.maxApplications ? [`${t('maxApplications')}: ${r.maxApplications}`] : []),
      ];
    case 'tiered_spend':
      return [
        ...r.tiers.map((tier, i) =>
          t('tierLine', { n: i + 1, min: f.money(tier.minSpend), off: tier.percentOff !== undefined ? `${tier.percentOff}%` : f.money(tier.amountOff ?? 0) }),
        ),
        `${t('appliesTo')}: ${targetText(r.target, t, n)}`,
      ];
    case 'free_shipping':
      return [rewardSummary(r, t, f)];
    case 'gift':
      return [`${t('giftVariant')}: ${n.variant(r.variantId)} × ${r.quantity}`];
    default:
      return [];
  }
}

/** One condition in words; groups are described recursively. */
export function conditionText(c: Condition, t: PromotionsT, f: Formatters, n: Names, lang: Lang): string {
  if ('all' in c) return c.all.map((x) => conditionText(x, t, f, n, lang)).join(` ${t('and')} `);
  if ('any' in c) return `(${c.any.map((x) => conditionText(x, t, f, n, lang)).join(` ${t('or')} `)})`;
  if ('not' in c) return `${t('negate')}: ${conditionText(c.not, t, f, n, lang)}`;
  if ('channel' in c) return `${t('cond_channel')}: ${list(c.channel.in, n.channel)}`;
  if ('channelType' in c) return `${t('cond_channelType')}: ${c.channelType.in.map((x) => channelLook(x).label[lang]).join(', ')}`;
  if ('schedule' in c) {
    const s = c.schedule;
    const days = s.daysOfWeek?.length ? s.daysOfWeek.map((d) => t(`day_${d}` as 'day_0')).join(', ') : t('everyDay');
    const hours = s.fromHour !== undefined || s.toHour !== undefined ? ` ${s.fromHour ?? 0}:00–${s.toHour ?? 24}:00` : '';
    return `${t('cond_schedule')}: ${days}${hours}`;
  }
  if ('tier' in c) return `${t('cond_tier')}: ${c.tier.in.join(', ')}`;
  if ('firstOrder' in c) return t('cond_firstOrder');
  if ('birthdayMonth' in c) return t('cond_birthdayMonth');
  if ('boughtCategory' in c) return t('boughtCategoryText', { categories: list(c.boughtCategory.categoryIds, n.category), days: c.boughtCategory.withinDays });
  if ('totalSpent' in c) return `${t('cond_totalSpent')} ≥ ${f.money(c.totalSpent.gte)}`;
  if ('orderCount' in c) return `${t('cond_orderCount')} ≥ ${f.number(c.orderCount.gte)}`;
  if ('lastStore' in c) return `${t('cond_lastStore')}: ${list(c.lastStore.in, n.location)}`;
  if ('cartSubtotal' in c) return `${t('cond_cartSubtotal')} ≥ ${f.money(c.cartSubtotal.gte)}`;
  if ('trait' in c) {
    const v = c.trait.value;
    return `${c.trait.key} ${t(`op_${c.trait.op}`)}${v === undefined ? '' : ` ${Array.isArray(v) ? v.join(', ') : String(v)}`}`;
  }
  return JSON.stringify(c);
}

function Section({ title, children }: { title: string; children: ReactNode }) {
  return (
    <Card withBorder radius="md" padding="lg" h="100%">
      <Title order={5} mb="sm">
        {title}
      </Title>
      {children}
    </Card>
  );
}

function Usage({ label, used, limit, money }: { label: string; used: number; limit: number | null; money?: boolean }) {
  const t = useT(promotionsMessages);
  const f = useFormat();
  const fmt = (v: number) => (money ? f.money(v) : f.number(v));
  return (
    <Stack gap={4}>
      <Group justify="space-between">
        <Text size="sm">{label}</Text>
        <Text size="sm" style={{ fontVariantNumeric: 'tabular-nums', whiteSpace: 'nowrap' }}>
          {fmt(used)} / {limit === null ? t('unlimited') : fmt(limit)}
        </Text>
      </Group>
      {limit !== null && <Progress value={Math.min((used / Math.max(limit, 1)) * 100, 100)} color={used >= limit ? 'red' : 'blue'} size="sm" />}
    </Stack>
  );
}

export function OverviewPanel({ p }: { p: Promotion }) {
  const t = useT(promotionsMessages);
  const f = useFormat();
  const { lang } = useI18n();
  const names = useNames();
  const tz = useWorkspace().data?.timeZone ?? 'Asia/Ho_Chi_Minh';
  const conds = p.conditions ? ('all' in p.conditions ? p.conditions.all : 'any' in p.conditions ? p.conditions.any : [p.conditions]) : [];
  const mode = p.conditions && 'any' in p.conditions ? 'any' : 'all';
  return (
    <Grid gap="lg">
      <Grid.Col span={{ base: 12, md: 6 }}>
        <Section title={t('rewardSection')}>
          <Stack gap={6}>
            <Badge variant="light" w="fit-content">
              {t(`kind_${p.reward.type}`)}
            </Badge>
            <List size="sm" spacing={4}>
              {rewardLines(p.reward, t, f, names).map((line, i) => (
                <List.Item key={i}>{line}</List.Item>
              ))}
            </List>
          </Stack>
        </Section>
      </Grid.Col>
      <Grid.Col span={{ base: 12, md: 6 }}>
        <Section title={t('conditionsSection')}>
          {conds.length === 0 ? (
            <Text size="sm" c="dimmed">
              {t('everyone')}
            </Text>
          ) : (
            <Stack gap={6}>
              {conds.length > 1 && (
                <Text size="xs" c="dimmed">
                  {mode === 'all' ? t('matchAllText') : t('matchAnyText')}
                </Text>
              )}
              <List size="sm" spacing={4}>
                {conds.map((c, i) => (
                  <List.Item key={i}>{conditionText(c, t, f, names, lang)}</List.Item>
                ))}
              </List>
            </Stack>
          )}
        </Section>
      </Grid.Col>
      <Grid.Col span={{ base: 12, md: 4 }}>
        <Section title={t('howSection')}>
          <Stack gap={6}>
            <Text size="sm">
              {t('redemption')}: <b>{p.requiresCode ? t('withCode') : t('automatic')}</b>
            </Text>
            <Text size="sm">
              {t('stacking')}: <b>{p.stacking === 'exclusive' ? t('exclusive') : t('combinable')}</b>
            </Text>
            <Text size="sm">
              {t('priority')}: <b>{p.priority}</b>
            </Text>
          </Stack>
        </Section>
      </Grid.Col>
      <Grid.Col span={{ base: 12, md: 4 }}>
        <Section title={t('windowSection')}>
          <Stack gap={6}>
            <Text size="sm">
              {t('startsAt')}: <b>{p.startsAt ? f.dateTime(p.startsAt) : t('startsNow')}</b>
            </Text>
            <Text size="sm">
              {t('endsAt')}: <b>{p.endsAt ? f.dateTime(p.endsAt) : t('noEnd')}</b>
            </Text>
            <Text size="xs" c="dimmed">
              {t('timesIn', { tz })}
            </Text>
          </Stack>
        </Section>
      </Grid.Col>
      <Grid.Col span={{ base: 12, md: 4 }}>
        <Section title={t('limitsSection')}>
          <Stack gap="sm">
            <Usage label={t('usageLimit')} used={p.uses} limit={p.usageLimit} />
            <Usage label={t('budget')} used={p.discountGiven} limit={p.budget} money />
            <Text size="sm">
              {t('perCustomerLimit')}: <b>{p.perCustomerLimit ?? t('unlimited')}</b>
            </Text>
          </Stack>
        </Section>
      </Grid.Col>
    </Grid>
  );
}
