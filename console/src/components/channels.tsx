/**
 * One look per channel across the console: icon and colour by channel type (web, app, pos,
 * marketplace, facebook, zalo, email, sms, phone, chatbot, salesperson…).
 */
import { Badge, Group, Text, ThemeIcon, Tooltip } from '@mantine/core';
import {
  IconBrandFacebook,
  IconBrandMessenger,
  IconBuildingStore,
  IconDeviceMobile,
  IconMail,
  IconMessageChatbot,
  IconMessage,
  IconPhone,
  IconShoppingBag,
  IconUser,
  IconWorld,
  IconCircleDot,
  IconShare,
  IconServer,
  type Icon,
} from '@tabler/icons-react';

interface ChannelLook {
  icon: Icon;
  color: string;
  label: { vi: string; en: string };
}

const LOOKS: Record<string, ChannelLook> = {
  web: { icon: IconWorld, color: 'blue', label: { vi: 'Website', en: 'Website' } },
  app: { icon: IconDeviceMobile, color: 'violet', label: { vi: 'Ứng dụng', en: 'App' } },
  pos: { icon: IconBuildingStore, color: 'orange', label: { vi: 'Cửa hàng', en: 'Store' } },
  marketplace: { icon: IconShoppingBag, color: 'red', label: { vi: 'Sàn TMĐT', en: 'Marketplace' } },
  social: { icon: IconShare, color: 'pink', label: { vi: 'Mạng xã hội', en: 'Social' } },
  shopee: { icon: IconShoppingBag, color: 'orange', label: { vi: 'Shopee', en: 'Shopee' } },
  facebook: { icon: IconBrandFacebook, color: 'indigo', label: { vi: 'Facebook', en: 'Facebook' } },
  messenger: { icon: IconBrandMessenger, color: 'indigo', label: { vi: 'Messenger', en: 'Messenger' } },
  zalo: { icon: IconMessage, color: 'cyan', label: { vi: 'Zalo', en: 'Zalo' } },
  email: { icon: IconMail, color: 'grape', label: { vi: 'Email', en: 'Email' } },
  sms: { icon: IconMessage, color: 'teal', label: { vi: 'SMS', en: 'SMS' } },
  phone: { icon: IconPhone, color: 'green', label: { vi: 'Điện thoại', en: 'Phone' } },
  chatbot: { icon: IconMessageChatbot, color: 'lime', label: { vi: 'Chatbot', en: 'Chatbot' } },
  salesperson: { icon: IconUser, color: 'yellow', label: { vi: 'Nhân viên bán', en: 'Salesperson' } },
  chat: { icon: IconMessage, color: 'lime', label: { vi: 'Chat', en: 'Chat' } },
  server: { icon: IconServer, color: 'gray', label: { vi: 'Hệ thống', en: 'Back office' } },
};

const FALLBACK: ChannelLook = { icon: IconCircleDot, color: 'gray', label: { vi: 'Khác', en: 'Other' } };

/** The look of a channel type or key; unknown ones get a neutral dot and their own name. */
export function channelLook(typeOrKey: string | null | undefined): ChannelLook {
  if (!typeOrKey) return FALLBACK;
  const k = typeOrKey.toLowerCase();
  return LOOKS[k] ?? Object.entries(LOOKS).find(([key]) => k.includes(key))?.[1] ?? FALLBACK;
}

export const CHANNEL_TYPES = Object.keys(LOOKS);

export function ChannelIcon({ type, size = 26, label }: { type: string | null | undefined; size?: number; label?: string }) {
  const look = channelLook(type);
  const I = look.icon;
  return (
    <Tooltip label={label ?? type ?? '—'} withArrow>
      <ThemeIcon size={size} radius="xl" variant="light" color={look.color} aria-label={label ?? type ?? 'channel'}>
        <I size={size * 0.6} stroke={1.8} />
      </ThemeIcon>
    </Tooltip>
  );
}

/** Icon + name, e.g. in tables. `name` is the channel's own name (e.g. "POS Quận 1"). */
export function ChannelBadge({ type, name, lang }: { type: string | null | undefined; name?: string; lang: 'vi' | 'en' }) {
  const look = channelLook(type);
  const I = look.icon;
  return (
    <Badge variant="light" color={look.color} leftSection={<I size={12} />} radius="sm" tt="none" fw={500}>
      {name ?? look.label[lang] ?? type}
    </Badge>
  );
}

export function ChannelList({ types, lang }: { types: string[]; lang: 'vi' | 'en' }) {
  if (types.length === 0) return <Text c="dimmed" size="sm">—</Text>;
  return (
    <Group gap={4} wrap="nowrap">
      {types.map((t) => (
        <ChannelIcon key={t} type={t} size={22} label={channelLook(t).label[lang] === FALLBACK.label[lang] ? t : channelLook(t).label[lang]} />
      ))}
    </Group>
  );
}
