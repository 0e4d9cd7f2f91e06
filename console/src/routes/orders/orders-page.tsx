/**
 * Orders from every channel: filter by channel and status (in the URL), newest first, "load
 * more" pages; /orders/:id opens the order in a drawer over the list.
 *
 * Test ids: `orders-table`, `order-row` (data-order-id, data-status), `orders-channel-filter`,
 * `orders-status-filter`, `order-drawer`, `order-transition-<status>`.
 */
import { Button, Card, Group, Select, Stack, Table, Text } from '@mantine/core';
import { DatePickerInput } from '@mantine/dates';
import { IconCalendar, IconFilterOff, IconReceipt } from '@tabler/icons-react';
import { Route, Routes, useLocation, useNavigate } from 'react-router-dom';
import { LoadMore } from '../../components/list-tools';
import { EmptyState, ErrorBlock, Loading, PageHeader } from '../../components/page';
import { useChannels } from '../../hooks/api/catalog';
import { ORDER_STATUSES, useOrders, type OrderStatus } from '../../hooks/api/orders';
import { useUrlFilters } from '../../hooks/url-filters';
import { ordersMessages } from '../../i18n/orders';
import { useFormat } from '../../lib/format';
import { useI18n, useT } from '../../lib/i18n';
import { CustomerLink, OrderChannel, StatusBadge } from './order-bits';
import { useCustomerNames } from '../../hooks/api/customers';
import { OrderDrawer } from './order-drawer';

const isDay = (s: string | null): s is string => !!s && /^\d{4}-\d{2}-\d{2}$/.test(s);
const isStatus = (s: string | null): s is OrderStatus => !!s && (ORDER_STATUSES as string[]).includes(s);

export function OrdersPage() {
  const t = useT(ordersMessages);
  const f = useFormat();
  const navigate = useNavigate();
  const { search } = useLocation();
  const { params, setParam, setParamsOf, clearParams } = useUrlFilters();
  const { lang } = useI18n();
  const channelId = params.get('channel');
  const from = isDay(params.get('from')) ? params.get('from') : null;
  const to = isDay(params.get('to')) ? params.get('to') : null;
  const statusParam = params.get('status');
  const status = isStatus(statusParam) ? statusParam : null;
  const channels = useChannels();
  const orders = useOrders({ channelId, status, from, to });
  const rows = orders.data?.pages.flatMap((p) => p.data) ?? [];
  const names = useCustomerNames(rows.map((o) => o.profileId)).data;
  const filtered = !!channelId || !!status || !!from || !!to;

  return (
    <>
      <PageHeader title={t('title')} description={t('description')} />
      <Stack gap="md">
        <Group justify="space-between" wrap="wrap">
          <Group gap="sm">
            <Select
              data-testid="orders-channel-filter"
              w={240}
              placeholder={t('allChannels')}
              clearable
              searchable
              data={(channels.data ?? []).map((c) => ({ value: c.id, label: c.name }))}
              value={channelId}
              onChange={(v) => setParam('channel', v)}
            />
            <Select
              data-testid="orders-status-filter"
              w={200}
              placeholder={t('allStatuses')}
              clearable
              data={ORDER_STATUSES.map((s) => ({ value: s, label: t(`status_${s}`) }))}
              value={status}
              onChange={(v) => setParam('status', v)}
            />
            <DatePickerInput
              data-testid="orders-date-filter"
              type="range"
              w={260}
              clearable
              allowSingleDateInRange
              locale={lang}
              valueFormat={lang === 'vi' ? 'DD/MM/YYYY' : 'MM/DD/YYYY'}
              placeholder={t('anyDay')}
              aria-label={t('anyDay')}
              leftSection={<IconCalendar size={16} />}
              value={[from, to]}
              onChange={([a, b]) => {
                if (a && b) setParamsOf({ from: a, to: b });
                else if (!a && !b) setParamsOf({ from: null, to: null });
              }}
            />
          </Group>
          {rows.length > 0 && (
            <Text size="sm" c="dimmed">
              {t('shownN', { n: f.number(rows.length) })}
            </Text>
          )}
        </Group>

        {orders.isPending ? (
          <Loading />
        ) : orders.isError ? (
          <ErrorBlock error={orders.error} />
        ) : rows.length === 0 ? (
          filtered ? (
            <EmptyState
              icon={<IconFilterOff size={26} />}
              title={t('noMatchTitle')}
              description={t('noMatchText')}
              action={
                <Button variant="light" onClick={clearParams}>
                  {t('clearFilters')}
                </Button>
              }
            />
          ) : (
            <EmptyState icon={<IconReceipt size={26} />} title={t('noOrdersTitle')} description={t('noOrdersText')} />
          )
        ) : (
          <Card withBorder padding={0} radius="md">
            <Table.ScrollContainer minWidth={980}>
              <Table data-testid="orders-table" verticalSpacing="sm" highlightOnHover>
                <Table.Thead>
                  <Table.Tr>
                    <Table.Th>{t('colOrder')}</Table.Th>
                    <Table.Th>{t('colCustomer')}</Table.Th>
                    <Table.Th>{t('colChannel')}</Table.Th>
                    <Table.Th>{t('colStatus')}</Table.Th>
                    <Table.Th ta="right">{t('colItems')}</Table.Th>
                    <Table.Th ta="right">{t('colDiscount')}</Table.Th>
                    <Table.Th ta="right">{t('colTotal')}</Table.Th>
                    <Table.Th>{t('colDate')}</Table.Th>
                  </Table.Tr>
                </Table.Thead>
                <Table.Tbody>
                  {rows.map((o) => (
                    <Table.Tr
                      key={o.id}
                      data-testid="order-row"
                      data-order-id={o.id}
                      data-status={o.status}
                      style={{ cursor: 'pointer' }}
                      onClick={() => navigate({ pathname: `/orders/${o.id}`, search })}
                    >
                      <Table.Td>
                        <Text size="sm" fw={500} ff="monospace">
                          {o.externalId ?? o.id.slice(0, 14)}
                        </Text>
                        {o.externalId && (
                          <Text size="xs" c="dimmed" ff="monospace">
                            {o.id.slice(0, 14)}…
                          </Text>
                        )}
                      </Table.Td>
                      <Table.Td maw={220}>
                        <CustomerLink profileId={o.profileId} name={o.profileId ? (names?.get(o.profileId) ?? '…') : undefined} />
                      </Table.Td>
                      <Table.Td>
                        <OrderChannel channelId={o.channelId} channelType={o.channelType} />
                      </Table.Td>
                      <Table.Td>
                        <StatusBadge status={o.status} />
                      </Table.Td>
                      <Table.Td ta="right">{f.number(o.lines.reduce((n, l) => n + l.quantity, 0))}</Table.Td>
                      <Table.Td ta="right">
                        <Text size="sm" c={o.discountTotal > 0 ? 'red' : 'dimmed'}>
                          {o.discountTotal > 0 ? `−${f.money(o.discountTotal, o.currency)}` : '—'}
                        </Text>
                      </Table.Td>
                      <Table.Td ta="right">
                        <Text size="sm" fw={600}>
                          {f.money(o.total, o.currency)}
                        </Text>
                      </Table.Td>
                      <Table.Td>
                        <Text size="sm">{f.dateTime(o.placedAt)}</Text>
                        <Text size="xs" c="dimmed">
                          {f.relative(o.placedAt)}
                        </Text>
                      </Table.Td>
                    </Table.Tr>
                  ))}
                </Table.Tbody>
              </Table>
            </Table.ScrollContainer>
            <LoadMore query={orders} label={t('loadMore')} />
          </Card>
        )}
      </Stack>
      <Routes>
        <Route path=":id" element={<OrderDrawer onClose={() => navigate({ pathname: '/orders', search })} />} />
      </Routes>
    </>
  );
}
