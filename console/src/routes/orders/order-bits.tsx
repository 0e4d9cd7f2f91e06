/** Shared pieces of the orders screens: status badge, customer name, channel lookup. */
import { Anchor, Badge, Group, Text } from '@mantine/core';
import { IconUser } from '@tabler/icons-react';
import { Link } from 'react-router-dom';
import { ChannelBadge, channelLook } from '../../components/channels';
import { displayName, useProfile } from '../../hooks/api/customers';
import { useChannels, type SalesChannel } from '../../hooks/api/catalog';
import type { OrderStatus } from '../../hooks/api/orders';
import { ordersMessages } from '../../i18n/orders';
import { useI18n, useT } from '../../lib/i18n';

export const STATUS_COLORS: Record<OrderStatus, string> = { placed: 'blue', paid: 'teal', fulfilled: 'green', cancelled: 'gray', returned: 'orange' };

export function StatusBadge({ status }: { status: OrderStatus }) {
  const t = useT(ordersMessages);
  return (
    <Badge variant="light" color={STATUS_COLORS[status]} radius="sm" tt="none" data-status={status}>
      {t(`status_${status}`)}
    </Badge>
  );
}

/** The look key of a channel: its name when it names a known platform (Shopee, Zalo…), else its type. */
function lookKey(c: Pick<SalesChannel, 'name' | 'type' | 'platform'>): string {
  if (c.platform && channelLook(c.platform) !== channelLook(null)) return c.platform;
  return channelLook(c.name) !== channelLook(null) ? c.name : c.type;
}

export function OrderChannel({ channelId, channelType }: { channelId: string; channelType: string }) {
  const { lang } = useI18n();
  const c = useChannels().data?.find((x) => x.id === channelId);
  return <ChannelBadge type={c ? lookKey(c) : channelType} name={c?.name} lang={lang} />;
}

/** The customer's name, linking to their profile; a walk-in sale has none. Pass `name` when a list already knows it. */
export function CustomerLink({ profileId, name }: { profileId: string | null; name?: string }) {
  const t = useT(ordersMessages);
  if (!profileId) {
    return (
      <Text size="sm" c="dimmed">
        {t('guest')}
      </Text>
    );
  }
  return name === undefined ? <FetchedName profileId={profileId} /> : <NameLink profileId={profileId} name={name} />;
}

function FetchedName({ profileId }: { profileId: string }) {
  const profile = useProfile(profileId);
  return <NameLink profileId={profileId} name={profile.data ? displayName(profile.data) : `${profileId.slice(0, 12)}…`} />;
}

function NameLink({ profileId, name }: { profileId: string; name: string }) {
  return (
    <Anchor component={Link} to={`/customers/${profileId}`} size="sm" onClick={(e) => e.stopPropagation()}>
      <Group gap={4} wrap="nowrap">
        <IconUser size={14} />
        <Text span size="sm" lineClamp={1}>
          {name}
        </Text>
      </Group>
    </Anchor>
  );
}
