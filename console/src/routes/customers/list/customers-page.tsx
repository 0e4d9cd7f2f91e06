/**
 * Customers: search (accents optional), filter by channel used and by orders, a table of
 * profiles with their channels and spend, "load more" pages. The search and filters live in
 * the URL (?q=&channel=&orders=yes|no) so a view can be shared and survives reload.
 */
import { useMemo } from 'react';
import { Anchor, Button, Card, Group, SegmentedControl, Select, Stack, Table, Text } from '@mantine/core';
import { IconSearch, IconUsers } from '@tabler/icons-react';
import { Link, useNavigate } from 'react-router-dom';
import { SearchInput } from '../../../components/list-tools';
import { CodeSnippet, EmptyState, ErrorBlock, Loading, PageHeader } from '../../../components/page';
import { ChannelIcon, ChannelList } from '../../../components/channels';
import { displayName, PROFILE_CHANNELS, useCustomers, type CustomerFilters, type CustomerRow } from '../../../hooks/api/customers';
import { useI18n, useT } from '../../../lib/i18n';
import { useWorkspace } from '../../../hooks/api/session';
import { useSearchText, useUrlFilters } from '../../../hooks/url-filters';
import { useFormat } from '../../../lib/format';
import { customersMessages } from '../../../i18n/customers';
import { CustomerAvatar, TierBadge, traitText, useChannelName } from '../customer-bits';

type OrdersFilter = 'all' | 'yes' | 'no';

function sdkSnippet(origin: string): string {
  return [
    `<script src="${origin}/sdk/omni.js"></script>`,
    '<script>',
    `  const omni = Omni.init({ host: '${origin}', writeKey: 'YOUR_WRITE_KEY' });`,
    `  omni.identify('user-1', { name: 'Nguyễn Văn A', phone: '0912345678' });`,
    '</script>',
  ].join('\n');
}

export function CustomersPage() {
  const t = useT(customersMessages);
  const { params, setParam, clearParams } = useUrlFilters();
  const q = params.get('q') ?? '';
  const channel = params.get('channel') ?? '';
  const orders: OrdersFilter = params.get('orders') === 'yes' ? 'yes' : params.get('orders') === 'no' ? 'no' : 'all';

  // The box updates at once; the URL (and the request) after a short pause.
  const [text, setText] = useSearchText(q, (v) => setParam('q', v));

  const filters: CustomerFilters = useMemo(
    () => ({ ...(q ? { q } : {}), ...(channel ? { channel } : {}), ...(orders !== 'all' ? { hasOrders: orders === 'yes' } : {}) }),
    [q, channel, orders],
  );
  const filtered = Object.keys(filters).length > 0;
  const list = useCustomers(filters);
  const rows = useMemo(() => list.data?.pages.flatMap((p) => p.data) ?? [], [list.data]);
  const channelName = useChannelName();

  const clear = () => {
    setText('');
    clearParams();
  };

  // Nothing at all without filters: the workspace has no customers yet.
  const firstRun = !filtered && list.isSuccess && !list.isPlaceholderData && rows.length === 0 && !list.hasNextPage;

  return (
    <>
      <PageHeader title={t('title')} description={t('subtitle')} />
      {firstRun ? (
        <FirstRun />
      ) : (
        <Stack gap="md">
          <Group gap="sm" align="flex-end" wrap="wrap">
            <SearchInput
              data-testid="customer-search"
              aria-label={t('searchLabel')}
              placeholder={t('searchPlaceholder')}
              clearLabel={t('clearFilters')}
              value={text}
              onChange={setText}
              style={{ flex: '1 1 320px' }}
              maw={520}
            />
            <Select
              data-testid="customer-channel-filter"
              aria-label={t('filterChannel')}
              placeholder={t('filterChannelAll')}
              clearable
              w={200}
              value={channel || null}
              onChange={(v) => setParam('channel', v ?? '')}
              data={PROFILE_CHANNELS.map((c) => ({ value: c, label: channelName(c) }))}
              renderOption={({ option }) => (
                <Group gap="xs" wrap="nowrap">
                  <ChannelIcon type={option.value} size={20} label={option.label} />
                  <Text size="sm">{option.label}</Text>
                </Group>
              )}
            />
            <SegmentedControl
              data-testid="customer-orders-filter"
              value={orders}
              onChange={(v) => setParam('orders', v === 'all' ? '' : v)}
              data={[
                { value: 'all', label: t('ordersAll') },
                { value: 'yes', label: t('ordersYes') },
                { value: 'no', label: t('ordersNo') },
              ]}
            />
            {filtered && (
              <Button variant="subtle" color="gray" onClick={clear}>
                {t('clearFilters')}
              </Button>
            )}
          </Group>

          {list.isError ? (
            <ErrorBlock error={list.error} />
          ) : list.isPending ? (
            <Loading />
          ) : rows.length === 0 && !list.hasNextPage ? (
            <EmptyState
              icon={<IconSearch size={24} />}
              title={t('noMatchTitle')}
              description={t('noMatchBody')}
              action={
                filtered ? (
                  <Button variant="light" onClick={clear}>
                    {t('clearFilters')}
                  </Button>
                ) : undefined
              }
            />
          ) : (
            <CustomerTable rows={rows} />
          )}

          {!list.isPending && !list.isError && (rows.length > 0 || list.hasNextPage) && (
            <Group justify="space-between">
              <Text size="sm" c="dimmed">
                {list.hasNextPage ? t('shownMore', { n: rows.length }) : rows.length === 1 ? t('shown_one') : t('shown', { n: rows.length })}
              </Text>
              {list.hasNextPage && (
                <Button variant="default" onClick={() => void list.fetchNextPage()} loading={list.isFetchingNextPage} data-testid="customers-load-more">
                  {t('loadMore')}
                </Button>
              )}
            </Group>
          )}
          {list.hasNextPage && rows.length === 0 && (
            <Text size="sm" c="dimmed">
              {t('scanNote')}
            </Text>
          )}
        </Stack>
      )}
    </>
  );
}

function CustomerTable({ rows }: { rows: CustomerRow[] }) {
  const t = useT(customersMessages);
  const f = useFormat();
  const { lang } = useI18n();
  const navigate = useNavigate();
  return (
    <Card withBorder radius="md" p={0}>
      <Table.ScrollContainer minWidth={900}>
        <Table highlightOnHover verticalSpacing="sm" horizontalSpacing="md">
          <Table.Thead>
            <Table.Tr>
              <Table.Th>{t('colCustomer')}</Table.Th>
              <Table.Th>{t('colContact')}</Table.Th>
              <Table.Th>{t('colChannels')}</Table.Th>
              <Table.Th ta="right">{t('colOrders')}</Table.Th>
              <Table.Th ta="right">{t('colSpent')}</Table.Th>
              <Table.Th>{t('colTier')}</Table.Th>
              <Table.Th>{t('colLastSeen')}</Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {rows.map((r) => {
              const name = displayName(r);
              const email = traitText(r.traits.email) ?? r.identifiers.find((i) => i.type === 'email')?.value;
              const phone = traitText(r.traits.phone) ?? r.identifiers.find((i) => i.type === 'phone')?.value;
              const channels = Object.entries(r.channels)
                .sort((a, b) => b[1].count - a[1].count)
                .map(([c]) => c);
              return (
                <Table.Tr key={r.id} data-testid="customer-row" style={{ cursor: 'pointer' }} onClick={() => navigate(`/customers/${r.id}`)}>
                  <Table.Td>
                    <Group gap="sm" wrap="nowrap">
                      <CustomerAvatar name={name} id={r.id} />
                      <Anchor component={Link} to={`/customers/${r.id}`} fw={600} c="inherit" size="sm" onClick={(e) => e.stopPropagation()}>
                        {name}
                      </Anchor>
                    </Group>
                  </Table.Td>
                  <Table.Td>
                    <Text size="sm">{email ?? phone ?? '—'}</Text>
                    {email && phone && (
                      <Text size="xs" c="dimmed">
                        {phone}
                      </Text>
                    )}
                  </Table.Td>
                  <Table.Td>
                    <ChannelList types={channels} lang={lang} />
                  </Table.Td>
                  <Table.Td ta="right" style={{ fontVariantNumeric: 'tabular-nums' }}>
                    {r.commerce.orderCount > 0 ? f.number(r.commerce.orderCount) : <Text span size="sm" c="dimmed">0</Text>}
                  </Table.Td>
                  <Table.Td ta="right" style={{ fontVariantNumeric: 'tabular-nums', whiteSpace: 'nowrap' }}>
                    {r.commerce.orderCount > 0 ? f.money(r.commerce.totalSpent, r.commerce.currency) : <Text span size="sm" c="dimmed">—</Text>}
                  </Table.Td>
                  <Table.Td>
                    <TierBadge tier={r.traits.tier} />
                  </Table.Td>
                  <Table.Td>
                    <Text size="sm" title={f.dateTime(r.lastSeenAt)} style={{ whiteSpace: 'nowrap' }}>
                      {f.relative(r.lastSeenAt)}
                    </Text>
                  </Table.Td>
                </Table.Tr>
              );
            })}
          </Table.Tbody>
        </Table>
      </Table.ScrollContainer>
    </Card>
  );
}

function FirstRun() {
  const t = useT(customersMessages);
  const ws = useWorkspace().data;
  const origin = typeof window === 'undefined' ? '' : window.location.origin;
  return (
    <EmptyState
      icon={<IconUsers size={26} />}
      title={t('emptyTitle')}
      description={t('emptyBody')}
      action={
        <Stack gap="md" w="100%" align="center">
          <CodeSnippet code={sdkSnippet(origin)} copyLabel={t('copy')} copiedLabel={t('copied')} />
          <Text size="sm" c="dimmed" mt="xs">
            {t('emptyCsv')}
          </Text>
          <CodeSnippet code={`npm run omni -- import profiles khach-hang.csv --workspace ${ws?.id ?? '<workspace-id>'}`} copyLabel={t('copy')} copiedLabel={t('copied')} />
          <Button component={Link} to="/settings/sources" variant="light">
            {t('emptyAction')}
          </Button>
        </Stack>
      }
    />
  );
}
