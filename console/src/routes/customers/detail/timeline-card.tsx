/** Everything the customer did, on every channel, newest first; filter by channel; load more. */
import { useMemo, useState } from 'react';
import { Badge, Button, Group, NativeSelect, Stack, Text } from '@mantine/core';
import { ChannelIcon } from '../../../components/channels';
import { ErrorBlock, Loading } from '../../../components/page';
import { useTimeline, type Profile, type TimelineEvent } from '../../../hooks/api/customers';
import { useFormat, type Formatters } from '../../../lib/format';
import { useT, type Vars } from '../../../lib/i18n';
import { customersMessages } from '../../../i18n/customers';
import { useChannelName } from '../customer-bits';
import { SectionCard } from './profile-cards';

type Msg = keyof (typeof customersMessages)['vi'];
type T = (key: Msg, vars?: Vars) => string;

/** Segment's e-commerce event names (and Omni's own) in the console's words. */
const EVENT_KEYS: Record<string, Msg> = {
  'Product Viewed': 'ev_Product_Viewed',
  'Product Added': 'ev_Product_Added',
  'Product Removed': 'ev_Product_Removed',
  'Cart Viewed': 'ev_Cart_Viewed',
  'Checkout Started': 'ev_Checkout_Started',
  'Checkout Step Completed': 'ev_Checkout_Step_Completed',
  'Checkout Cancelled': 'ev_Checkout_Cancelled',
  'Payment Info Entered': 'ev_Payment_Info_Entered',
  'Payment Failed': 'ev_Payment_Failed',
  'Order Completed': 'ev_Order_Completed',
  'Order Cancelled': 'ev_Order_Cancelled',
  'Order Refunded': 'ev_Order_Refunded',
  'Coupon Applied': 'ev_Coupon_Applied',
  'Coupon Denied': 'ev_Coupon_Denied',
  'Coupon Removed': 'ev_Coupon_Removed',
  'Chat Started': 'ev_Chat_Started',
  'Message Sent': 'ev_Message_Sent',
};

const str = (v: unknown): string | undefined => (typeof v === 'string' && v.trim() ? v.trim() : typeof v === 'number' ? String(v) : undefined);
const num = (v: unknown): number | undefined => (typeof v === 'number' && Number.isFinite(v) ? v : undefined);

function titleOf(e: TimelineEvent, t: T): string {
  switch (e.type) {
    case 'track':
      return e.event ? (EVENT_KEYS[e.event] ? t(EVENT_KEYS[e.event]!) : e.event) : t('pageEvent');
    case 'page':
      return e.name ? `${t('pageEvent')}: ${e.name}` : t('pageEvent');
    case 'screen':
      return e.name ? `${t('screenEvent')}: ${e.name}` : t('screenEvent');
    case 'identify':
      return t('identifyEvent');
    case 'group':
      return t('groupEvent');
    case 'alias':
      return t('aliasEvent');
    default:
      return e.event ?? e.name ?? e.type;
  }
}

/** The properties worth a glance: product, order id, total, item count, page, reason. */
function detailsOf(e: TimelineEvent, t: T, f: Formatters): string[] {
  const p = e.properties;
  const out: string[] = [];
  const products = Array.isArray(p.products) ? (p.products as Record<string, unknown>[]) : [];
  const product = str(p.name) ?? str(p.product_name) ?? str(p.title);
  if (e.type === 'track' && product) out.push(product);
  const sku = str(p.sku);
  if (sku && !product) out.push(sku);
  if (products.length > 0) {
    const names = products.map((x) => str(x.name) ?? str(x.title) ?? str(x.sku)).filter((x): x is string => !!x);
    out.push(names.slice(0, 2).join(', ') + (names.length > 2 ? ` +${names.length - 2}` : ''));
  }
  const orderId = str(p.external_id) ?? str(p.order_id);
  if (orderId) out.push(t('propOrder', { id: orderId }));
  const total = num(p.total) ?? num(p.revenue) ?? (e.type === 'track' && product ? num(p.price) : undefined);
  if (total !== undefined) out.push(t('propTotal', { money: f.money(total, str(p.currency) ?? f.currency) }));
  if (products.length > 0) {
    const n = products.reduce((s, x) => s + (num(x.quantity) ?? 1), 0);
    out.push(n === 1 ? t('propItems_one') : t('propItems', { n }));
  }
  if (e.type === 'page' || e.type === 'screen') {
    const page = str(p.path) ?? str(p.url) ?? str(p.title);
    if (page) out.push(t('propPage', { page }));
  }
  const reason = str(p.reason);
  if (reason) out.push(t('propReason', { reason }));
  if (e.type === 'identify') {
    const keys = Object.keys(e.traits);
    if (keys.length > 0) out.push(t('propTraits', { keys: keys.slice(0, 6).join(', ') }));
  }
  return out;
}

export function TimelineCard({ profile }: { profile: Profile }) {
  const t = useT(customersMessages);
  const f = useFormat();
  const channelName = useChannelName();
  const [channel, setChannel] = useState('');
  const timeline = useTimeline(profile.id, channel || undefined);
  const events = useMemo(() => timeline.data?.pages.flatMap((p) => p.data) ?? [], [timeline.data]);
  const channels = Object.keys(profile.channels);

  return (
    <SectionCard
      title={t('tabTimeline')}
      testId="profile-timeline"
      right={
        <NativeSelect
          size="xs"
          w={190}
          aria-label={t('timelineFilter')}
          data-testid="timeline-channel-filter"
          value={channel}
          onChange={(e) => setChannel(e.currentTarget.value)}
          data={[{ value: '', label: t('allChannels') }, ...channels.map((c) => ({ value: c, label: channelName(c) }))]}
        />
      }
    >
      {timeline.isPending ? (
        <Loading />
      ) : timeline.isError ? (
        <ErrorBlock error={timeline.error} />
      ) : events.length === 0 ? (
        <Text size="sm" c="dimmed">
          {channel ? t('timelineEmptyChannel') : t('timelineEmpty')}
        </Text>
      ) : (
        <Stack gap={0} style={{ opacity: timeline.isPlaceholderData ? 0.6 : 1 }}>
          {events.map((e, i) => {
            const details = detailsOf(e, t, f);
            const isOrder = e.event === 'Order Completed';
            const isFailure = e.event === 'Payment Failed' || e.event === 'Coupon Denied';
            return (
              <Group key={e.id} gap="md" wrap="nowrap" align="flex-start" data-testid="timeline-event" data-channel={e.channel} py="xs" style={{ position: 'relative' }}>
                <div style={{ position: 'relative', flexShrink: 0 }}>
                  <ChannelIcon type={e.channel} size={30} label={channelName(e.channel)} />
                  {i < events.length - 1 && (
                    <div style={{ position: 'absolute', left: 14, top: 34, bottom: -18, width: 2, background: 'var(--mantine-color-gray-2)' }} />
                  )}
                </div>
                <div style={{ flex: 1, minWidth: 0 }}>
                  <Group justify="space-between" gap="xs" wrap="nowrap" align="flex-start">
                    <Group gap={6} wrap="wrap">
                      <Text size="sm" fw={600} c={isFailure ? 'red' : undefined}>
                        {titleOf(e, t)}
                      </Text>
                      {isOrder && (
                        <Badge size="xs" color="teal" variant="light" radius="sm" tt="none">
                          {channelName(e.channel)}
                        </Badge>
                      )}
                    </Group>
                    <Text size="xs" c="dimmed" style={{ whiteSpace: 'nowrap' }} title={f.dateTime(e.timestamp)}>
                      {f.dateTime(e.timestamp)}
                    </Text>
                  </Group>
                  {details.length > 0 && (
                    <Text size="xs" c="dimmed" mt={2}>
                      {details.join(' · ')}
                    </Text>
                  )}
                </div>
              </Group>
            );
          })}
          {timeline.hasNextPage && (
            <Button variant="default" size="xs" mt="sm" w="fit-content" onClick={() => void timeline.fetchNextPage()} loading={timeline.isFetchingNextPage} data-testid="timeline-load-more">
              {t('loadMoreEvents')}
            </Button>
          )}
        </Stack>
      )}
    </SectionCard>
  );
}
