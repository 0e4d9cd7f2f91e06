/** Small pieces both customer screens share: initials avatar, tier badge, channel names. */
import { Avatar, Badge } from '@mantine/core';
import { channelLook } from '../../components/channels';
import { useI18n, useT } from '../../lib/i18n';
import { customersMessages } from '../../i18n/customers';

/** First letter of the first and the last word: "Nguyễn Gia Phương" → "NP". */
export function initialsOf(name: string): string {
  const words = name.trim().split(/\s+/).filter(Boolean);
  if (words.length === 0) return '?';
  const first = words[0]!;
  const last = words[words.length - 1]!;
  const letters = words.length === 1 ? [...first].slice(0, 2).join('') : [...first][0]! + [...last][0]!;
  return letters.toLocaleUpperCase('vi-VN');
}

const AVATAR_COLORS = ['blue', 'teal', 'grape', 'orange', 'cyan', 'pink', 'indigo', 'lime', 'violet', 'green'];

export function CustomerAvatar({ name, id, size = 34 }: { name: string; id: string; size?: number | 'xl' | 'lg' }) {
  let h = 0;
  for (const c of id) h = (h * 31 + c.charCodeAt(0)) >>> 0;
  return (
    <Avatar size={size} radius="xl" color={AVATAR_COLORS[h % AVATAR_COLORS.length]} variant="light">
      {initialsOf(name)}
    </Avatar>
  );
}

const TIERS = {
  gold: { color: 'yellow', label: 'tier_gold' },
  silver: { color: 'gray', label: 'tier_silver' },
  bronze: { color: 'orange', label: 'tier_bronze' },
  platinum: { color: 'violet', label: 'tier_platinum' },
  diamond: { color: 'cyan', label: 'tier_diamond' },
  vip: { color: 'red', label: 'tier_vip' },
  member: { color: 'blue', label: 'tier_member' },
} as const;

export function TierBadge({ tier, size = 'sm' }: { tier: unknown; size?: 'xs' | 'sm' | 'md' | 'lg' }) {
  const t = useT(customersMessages);
  if (typeof tier !== 'string' || !tier.trim()) return null;
  const k = tier.trim().toLowerCase();
  const known = k in TIERS ? TIERS[k as keyof typeof TIERS] : undefined;
  return (
    <Badge size={size} variant="light" color={known?.color ?? 'gray'} radius="sm" tt="none">
      {known ? t(known.label) : tier}
    </Badge>
  );
}

/** A channel key's name in the current language ("pos" → "Cửa hàng"). */
export function useChannelName(): (type: string) => string {
  const { lang } = useI18n();
  const t = useT(customersMessages);
  const fallback = channelLook(null);
  return (type: string) => {
    const look = channelLook(type);
    if (look !== fallback) return look.label[lang];
    if (type === 'chat' || type === 'server' || type === 'other') return t(`ch_${type}`);
    return type;
  };
}

/** Whether a trait value is a string worth showing. */
export function traitText(v: unknown): string | undefined {
  return typeof v === 'string' && v.trim() ? v.trim() : undefined;
}
