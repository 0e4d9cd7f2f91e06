/** One SKU: what each channel may sell now, and the audit trail of its stock (newest first). */
import { Anchor, Badge, Button, Card, Drawer, Group, SimpleGrid, Stack, Table, Text } from '@mantine/core';
import { IconAdjustmentsHorizontal } from '@tabler/icons-react';
import { Link } from 'react-router-dom';
import { ChannelIcon } from '../../../components/channels';
import { ErrorBlock, Loading } from '../../../components/page';
import { useAdjustments, useAvailability, type StockRow } from '../../../hooks/api/inventory';
import { catalogMessages } from '../../../i18n/catalog';
import { useFormat } from '../../../lib/format';
import { useT } from '../../../lib/i18n';
import { channelKey } from './stock-page';

const REASON_COLORS: Record<string, string> = {
  sale: 'blue',
  received: 'teal',
  stock_take: 'cyan',
  return: 'teal',
  cancellation: 'grape',
  damaged: 'red',
  lost: 'red',
  reservation: 'gray',
  release: 'gray',
  expiry: 'gray',
};

const KNOWN_REASONS = ['received', 'stock_take', 'correction', 'damaged', 'lost', 'return', 'transfer', 'sale', 'reservation', 'release', 'expiry', 'cancellation'] as const;
type KnownReason = (typeof KNOWN_REASONS)[number];
const isKnown = (r: string): r is KnownReason => (KNOWN_REASONS as readonly string[]).includes(r);

function Delta({ n }: { n: number }) {
  const f = useFormat();
  if (n === 0) return <Text size="sm" c="dimmed" span>0</Text>;
  return (
    <Text size="sm" c={n > 0 ? 'teal' : 'red'} fw={500} span>
      {n > 0 ? '+' : '−'}
      {f.number(Math.abs(n))}
    </Text>
  );
}

export function HistoryDrawer({ row, locations, onClose, onAdjust }: { row: StockRow | null; locations: { id: string; name: string }[]; onClose: () => void; onAdjust?: (sku: string) => void }) {
  const t = useT(catalogMessages);
  const f = useFormat();
  const sku = row?.sku;
  const availability = useAvailability(sku);
  const history = useAdjustments(sku);
  const locationName = (id: string) => locations.find((l) => l.id === id)?.name ?? id;
  const actor = (a: string) => {
    const [kind] = a.split(':');
    return kind === 'system' ? t('actorSystem') : kind === 'user' ? t('actorUser') : kind === 'token' ? t('actorToken') : kind === 'channel' ? t('actorChannel') : a;
  };
  const entries = history.data?.pages.flatMap((p) => p.data) ?? [];

  return (
    <Drawer opened={!!row} onClose={onClose} position="right" size="xl" title={<Text fw={700} size="lg">{t('historyTitle', { sku: sku ?? '' })}</Text>}>
      {row && (
        <Stack gap="md">
          <Group justify="space-between" align="flex-start">
            <div>
              <Text fw={600}>{row.productTitle}</Text>
              <Text size="sm" c="dimmed">
                {row.title} · <Text span ff="monospace" size="sm">{row.sku}</Text>
              </Text>
            </div>
            {onAdjust && (
              <Button size="xs" variant="light" leftSection={<IconAdjustmentsHorizontal size={14} />} onClick={() => onAdjust(row.sku)}>
                {t('adjust')}
              </Button>
            )}
          </Group>

          <Text size="sm" fw={600}>
            {t('availabilityNow')}
          </Text>
          {availability.isPending ? (
            <Loading />
          ) : availability.isError ? (
            <ErrorBlock error={availability.error} />
          ) : (
            <SimpleGrid cols={{ base: 2, sm: 4 }} spacing="xs">
              {availability.data.channels.map((c) => (
                <Card key={c.channelId} withBorder padding="xs" radius="md">
                  <Group gap={6} wrap="nowrap">
                    <ChannelIcon type={channelKey(c)} size={20} label={c.name} />
                    <Text size="xs" c="dimmed" lineClamp={1}>
                      {c.name}
                    </Text>
                  </Group>
                  <Text fw={650} size="lg" c={c.available <= 0 ? 'red' : undefined}>
                    {f.number(c.available)}
                  </Text>
                </Card>
              ))}
            </SimpleGrid>
          )}

          {history.isPending ? (
            <Loading />
          ) : history.isError ? (
            <ErrorBlock error={history.error} />
          ) : entries.length === 0 ? (
            <Text c="dimmed" size="sm">
              {t('noHistory')}
            </Text>
          ) : (
            <Table.ScrollContainer minWidth={640}>
              <Table verticalSpacing="xs" fz="sm" striped>
                <Table.Thead>
                  <Table.Tr>
                    <Table.Th>{t('colWhen')}</Table.Th>
                    <Table.Th>{t('colLocation')}</Table.Th>
                    <Table.Th>{t('colReason')}</Table.Th>
                    <Table.Th ta="right" style={{ whiteSpace: 'nowrap' }}>
                      {t('colOnHand')}
                    </Table.Th>
                    <Table.Th ta="right" style={{ whiteSpace: 'nowrap' }}>
                      {t('colReserved')}
                    </Table.Th>
                    <Table.Th>{t('colBy')}</Table.Th>
                  </Table.Tr>
                </Table.Thead>
                <Table.Tbody>
                  {entries.map((a) => (
                    <Table.Tr key={a.id}>
                      <Table.Td>
                        <Text size="sm" style={{ whiteSpace: 'nowrap' }}>
                          {f.dateTime(a.createdAt)}
                        </Text>
                        <Text size="xs" c="dimmed">
                          {f.relative(a.createdAt)}
                        </Text>
                      </Table.Td>
                      <Table.Td>{locationName(a.locationId)}</Table.Td>
                      <Table.Td>
                        <Badge variant="light" color={REASON_COLORS[a.reason] ?? 'gray'} radius="sm" tt="none">
                          {isKnown(a.reason) ? t(`reason_${a.reason}`) : a.reason}
                        </Badge>
                        {a.ref?.startsWith('ord_') && (
                          <Anchor component={Link} to={`/orders/${a.ref}`} size="xs" display="block" ff="monospace">
                            {a.ref}
                          </Anchor>
                        )}
                        {a.note && (
                          <Text size="xs" c="dimmed">
                            {a.note}
                          </Text>
                        )}
                      </Table.Td>
                      <Table.Td ta="right">
                        <Delta n={a.onHandDelta} />
                        <Text size="xs" c="dimmed">
                          → {f.number(a.onHandAfter)}
                        </Text>
                      </Table.Td>
                      <Table.Td ta="right">
                        <Delta n={a.reservedDelta} />
                        <Text size="xs" c="dimmed">
                          → {f.number(a.reservedAfter)}
                        </Text>
                      </Table.Td>
                      <Table.Td>
                        <Text size="sm">{actor(a.actor)}</Text>
                      </Table.Td>
                    </Table.Tr>
                  ))}
                </Table.Tbody>
              </Table>
            </Table.ScrollContainer>
          )}
          {history.hasNextPage && (
            <Button variant="subtle" loading={history.isFetchingNextPage} onClick={() => void history.fetchNextPage()}>
              {t('loadMore')}
            </Button>
          )}
        </Stack>
      )}
    </Drawer>
  );
}
