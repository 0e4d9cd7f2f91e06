/** What this customer can get now on a channel: applies or not, what is missing, the saving. */
import { useEffect, useMemo, useState } from 'react';
import { Badge, Group, Paper, Select, Stack, Text } from '@mantine/core';
import { IconCheck, IconX } from '@tabler/icons-react';
import { ChannelIcon } from '../../../components/channels';
import { ErrorBlock, Loading } from '../../../components/page';
import { useCart, useOffers, useSalesChannels } from '../../../hooks/api/customers';
import { useFormat } from '../../../lib/format';
import { useT } from '../../../lib/i18n';
import { useDescribeNeeds } from '../../../lib/promotion-needs';
import { customersMessages } from '../../../i18n/customers';
import { SectionCard } from './profile-cards';

export function OffersCard({ id }: { id: string }) {
  const t = useT(customersMessages);
  const f = useFormat();
  const say = useDescribeNeeds();
  const channels = useSalesChannels();
  const cart = useCart(id).data;
  const cartChannel = cart?.channelId ?? null;
  const active = useMemo(() => (channels.data?.data ?? []).filter((c) => !c.archivedAt), [channels.data]);
  const [channelId, setChannelId] = useState<string | null>(null);
  // Default: the channel of the customer's cart, else the website, else the first channel.
  useEffect(() => {
    if (channelId || active.length === 0) return;
    const preferred = (cartChannel && active.find((c) => c.id === cartChannel)) || active.find((c) => c.type === 'web') || active[0];
    if (preferred) setChannelId(preferred.id);
  }, [active, cartChannel, channelId]);
  const offers = useOffers(id, channelId, cart?.version);
  const typeOf = (cid: string) => active.find((c) => c.id === cid)?.type;

  return (
    <SectionCard title={t('tabOffers')} testId="profile-offers">
      <Stack gap="sm">
        <Text size="xs" c="dimmed">
          {t('offersHint')}
        </Text>
        <Select
          size="xs"
          aria-label={t('offersChannel')}
          placeholder={t('offersChannel')}
          data-testid="offers-channel"
          value={channelId}
          onChange={setChannelId}
          allowDeselect={false}
          data={active.map((c) => ({ value: c.id, label: c.name }))}
          leftSection={channelId ? <ChannelIcon type={typeOf(channelId)} size={18} /> : undefined}
          renderOption={({ option }) => (
            <Group gap="xs" wrap="nowrap">
              <ChannelIcon type={typeOf(option.value)} size={18} label={option.label} />
              <Text size="sm">{option.label}</Text>
            </Group>
          )}
        />
        {channels.isError ? (
          <ErrorBlock error={channels.error} />
        ) : !channelId ? (
          <Text size="sm" c="dimmed">
            {t('offersPick')}
          </Text>
        ) : offers.isPending ? (
          <Loading />
        ) : offers.isError ? (
          <ErrorBlock error={offers.error} />
        ) : offers.data.data.length === 0 ? (
          <Text size="sm" c="dimmed">
            {t('offersEmpty')}
          </Text>
        ) : (
          offers.data.data.map((o) => (
            <Paper key={o.promotionId} withBorder radius="sm" p="sm" data-testid="offer" data-eligible={o.eligible}>
              <Group justify="space-between" wrap="nowrap" align="flex-start" gap="sm">
                <Text size="sm" fw={600}>
                  {o.name}
                </Text>
                <Group gap={4} wrap="nowrap">
                  {o.requiresCode && (
                    <Badge size="xs" variant="outline" radius="sm" tt="none">
                      {t('needsCode')}
                    </Badge>
                  )}
                  <Badge size="xs" variant="light" color={o.eligible ? 'teal' : 'gray'} radius="sm" tt="none">
                    {o.eligible ? t('eligible') : t('notYet')}
                  </Badge>
                </Group>
              </Group>
              {(o.saving > 0 || o.potentialSaving > 0) && (
                <Text size="sm" c={o.eligible ? 'teal' : 'dimmed'} fw={600} mt={4}>
                  {o.saving > 0 ? t('saving', { money: f.money(o.saving, offers.data.currency) }) : t('potential', { money: f.money(o.potentialSaving, offers.data.currency) })}
                </Text>
              )}
              {say(o.met, o.conditionsMet).map((c, i) => (
                <Group key={`met-${i}`} gap={6} wrap="nowrap" mt={4} align="flex-start" data-testid="offer-met">
                  <IconCheck size={14} color="var(--mantine-color-teal-6)" style={{ flexShrink: 0, marginTop: 3 }} aria-label={t('met')} />
                  <Text size="xs">{c}</Text>
                </Group>
              ))}
              {say(o.needs, o.missing).map((m, i) => (
                <Group key={`missing-${i}`} gap={6} wrap="nowrap" mt={4} align="flex-start" data-testid="offer-need" data-code={o.needs[i]?.code}>
                  <IconX size={14} color="var(--mantine-color-orange-6)" style={{ flexShrink: 0, marginTop: 3 }} aria-label={t('missing')} />
                  <Text size="xs">{m}</Text>
                </Group>
              ))}
              {o.message && o.missing.length === 0 && o.conditionsMet.length === 0 && (
                <Text size="xs" c="dimmed" mt={4}>
                  {o.message}
                </Text>
              )}
            </Paper>
          ))
        )}
      </Stack>
    </SectionCard>
  );
}
