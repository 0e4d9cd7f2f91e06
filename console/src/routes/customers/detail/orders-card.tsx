/** Orders from every channel: channel, status, total, date; a row opens to its lines. */
import { Fragment, useMemo, useState } from 'react';
import { ActionIcon, Badge, Button, Collapse, Group, Stack, Table, Text } from '@mantine/core';
import { IconChevronDown, IconChevronRight } from '@tabler/icons-react';
import { ChannelBadge } from '../../../components/channels';
import { OrderLinesTable } from '../../../components/order-lines';
import { ErrorBlock, Loading } from '../../../components/page';
import { useProfileCommerce, useProfileOrders, useSalesChannels, type Order, type OrderStatus } from '../../../hooks/api/customers';
import { useFormat } from '../../../lib/format';
import { useI18n, useT } from '../../../lib/i18n';
import { customersMessages } from '../../../i18n/customers';
import { STATUS_COLORS } from '../../orders/order-bits';
import { SectionCard } from './profile-cards';

export function StatusBadge({ status }: { status: OrderStatus }) {
  const t = useT(customersMessages);
  return (
    <Badge variant="light" color={STATUS_COLORS[status]} radius="sm" tt="none">
      {t(`status_${status}`)}
    </Badge>
  );
}

export function OrdersCard({ id }: { id: string }) {
  const t = useT(customersMessages);
  const f = useFormat();
  const { lang } = useI18n();
  const orders = useProfileOrders(id);
  const facts = useProfileCommerce(id);
  const channels = useSalesChannels();
  const byId = useMemo(() => new Map((channels.data?.data ?? []).map((c) => [c.id, c])), [channels.data]);
  const [open, setOpen] = useState<Set<string>>(new Set());
  const list = useMemo(() => orders.data?.pages.flatMap((p) => p.data) ?? [], [orders.data]);
  const toggle = (orderId: string) =>
    setOpen((s) => {
      const n = new Set(s);
      if (n.has(orderId)) n.delete(orderId);
      else n.add(orderId);
      return n;
    });

  const spend = Object.entries(facts.data?.byChannel ?? {}).sort((a, b) => b[1].spent - a[1].spent);

  return (
    <SectionCard title={t('tabOrders')} testId="profile-orders">
      {spend.length > 0 && (
        <Group gap="xs" mb="md" wrap="wrap">
          <Text size="xs" c="dimmed">
            {t('byChannelSpent')}:
          </Text>
          {spend.map(([channelId, s]) => {
            const ch = byId.get(channelId);
            return (
              <Group key={channelId} gap={4} wrap="nowrap">
                <ChannelBadge type={ch?.type} name={ch?.name} lang={lang} />
                <Text size="xs" fw={600} style={{ fontVariantNumeric: 'tabular-nums' }}>
                  {f.money(s.spent, facts.data?.currency)} · {s.orders}
                </Text>
              </Group>
            );
          })}
        </Group>
      )}
      {orders.isPending ? (
        <Loading />
      ) : orders.isError ? (
        <ErrorBlock error={orders.error} />
      ) : list.length === 0 ? (
        <Stack gap={4}>
          <Text size="sm" fw={500}>
            {t('ordersEmpty')}
          </Text>
          <Text size="xs" c="dimmed">
            {t('ordersEmptyBody')}
          </Text>
        </Stack>
      ) : (
        <>
          <Table.ScrollContainer minWidth={620}>
            <Table.ScrollContainer minWidth={620}>
            <Table verticalSpacing="xs" highlightOnHover>
              <Table.Thead>
                <Table.Tr>
                  <Table.Th w={36} />
                  <Table.Th>{t('colOrder')}</Table.Th>
                  <Table.Th>{t('colChannel')}</Table.Th>
                  <Table.Th>{t('colStatus')}</Table.Th>
                  <Table.Th ta="right">{t('colTotal')}</Table.Th>
                  <Table.Th>{t('colDate')}</Table.Th>
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {list.map((o) => {
                  const isOpen = open.has(o.id);
                  const ch = byId.get(o.channelId);
                  return (
                    <Fragment key={o.id}>
                      <Table.Tr data-testid="order-row" data-order-id={o.id} style={{ cursor: 'pointer' }} onClick={() => toggle(o.id)}>
                        <Table.Td>
                          <ActionIcon variant="subtle" color="gray" size="sm" aria-label={isOpen ? t('hideLines') : t('showLines')} aria-expanded={isOpen}>
                            {isOpen ? <IconChevronDown size={16} /> : <IconChevronRight size={16} />}
                          </ActionIcon>
                        </Table.Td>
                        <Table.Td>
                          <Text size="sm" fw={600} ff="monospace">
                            {o.externalId ?? o.id.slice(-10)}
                          </Text>
                        </Table.Td>
                        <Table.Td style={{ whiteSpace: 'nowrap' }}>
                          <ChannelBadge type={o.channelType} name={ch?.name} lang={lang} />
                        </Table.Td>
                        <Table.Td style={{ whiteSpace: 'nowrap' }}>
                          <StatusBadge status={o.status} />
                        </Table.Td>
                        <Table.Td ta="right" fw={600} style={{ fontVariantNumeric: 'tabular-nums', whiteSpace: 'nowrap' }}>
                          {f.money(o.total, o.currency)}
                        </Table.Td>
                        <Table.Td>
                          <Text size="sm" style={{ whiteSpace: 'nowrap' }}>
                            {f.dateTime(o.placedAt)}
                          </Text>
                        </Table.Td>
                      </Table.Tr>
                      <Table.Tr style={{ display: isOpen ? undefined : 'none' }}>
                        <Table.Td colSpan={6} p={0} bg="var(--mantine-color-gray-0)">
                          <Collapse expanded={isOpen}>
                            <OrderLines order={o} />
                          </Collapse>
                        </Table.Td>
                      </Table.Tr>
                    </Fragment>
                  );
                })}
              </Table.Tbody>
            </Table>
            </Table.ScrollContainer>
          </Table.ScrollContainer>
          {orders.hasNextPage && (
            <Button variant="default" size="xs" mt="sm" onClick={() => void orders.fetchNextPage()} loading={orders.isFetchingNextPage}>
              {t('loadMoreOrders')}
            </Button>
          )}
        </>
      )}
    </SectionCard>
  );
}

function OrderLines({ order }: { order: Order }) {
  const t = useT(customersMessages);
  const f = useFormat();
  const c = order.currency;
  const money = (n: number) => f.money(n, c);
  return (
    <Stack gap="xs" p="md" data-testid="order-lines">
      <OrderLinesTable lines={order.lines} currency={order.currency} nested />
      <Stack gap={2} align="flex-end" pr="xs">
        <Totals label={t('subtotal')} value={money(order.subtotal)} />
        {order.discountTotal > 0 && <Totals label={t('discount')} value={`−${money(order.discountTotal)}`} />}
        {order.shippingTotal > 0 && <Totals label={t('shipping')} value={money(order.shippingTotal)} />}
        <Totals label={t('total')} value={money(order.total)} strong />
      </Stack>
    </Stack>
  );
}

export function Totals({ label, value, strong }: { label: string; value: string; strong?: boolean }) {
  return (
    <Group gap="lg" justify="space-between" miw={260}>
      <Text size="sm" c={strong ? undefined : 'dimmed'} fw={strong ? 700 : 400}>
        {label}
      </Text>
      <Text size="sm" fw={strong ? 700 : 500} style={{ fontVariantNumeric: 'tabular-nums' }}>
        {value}
      </Text>
    </Group>
  );
}
