/**
 * Stock: every SKU with what is available per warehouse/store and what each sales channel may
 * sell now (after its allocation rule, e.g. Shopee keeps 2 back). Changes from any channel
 * arrive live (server-sent events; polling every 3 s while the stream is down). Low stock rows
 * are tinted (orange: at or below the threshold, red: nothing left). Filters live in the URL.
 *
 * Test ids: `stock-table`; `stock-row` (data-sku) holding `stock-location-<locationId>` and
 * `stock-sellable-<channelId>` cells (also data-channel-name, data-value = the raw number).
 */
import { useMemo, useState } from 'react';
import { ActionIcon, Badge, Button, Card, Group, Indicator, Select, Stack, Switch, Table, Text, Tooltip } from '@mantine/core';
import { IconAdjustmentsHorizontal, IconHistory, IconPackageOff, IconSearch } from '@tabler/icons-react';
import { ChannelIcon, channelLook } from '../../../components/channels';
import { LoadMore, SearchInput } from '../../../components/list-tools';
import { EmptyState, ErrorBlock, Loading } from '../../../components/page';
import { useCan } from '../../../hooks/api/session';
import { useSearchText, useUrlFilters } from '../../../hooks/url-filters';
import { useLiveStock, useStockList, type LiveState, type StockFilter, type StockList, type StockRow } from '../../../hooks/api/inventory';
import { catalogMessages } from '../../../i18n/catalog';
import { useFormat } from '../../../lib/format';
import { useT } from '../../../lib/i18n';
import { AdjustStockModal } from './adjust-modal';
import { HistoryDrawer } from './history-drawer';

const DEFAULT_THRESHOLD = 5;

/** The look key of a channel: its name when it names a known platform (Shopee, Zalo…), else its type. */
export function channelKey(c: { name: string; type: string }): string {
  return channelLook(c.name) !== channelLook(null) ? c.name : c.type;
}

function LiveBadge({ state }: { state: LiveState }) {
  const t = useT(catalogMessages);
  const look = { live: { color: 'teal', label: t('liveOn') }, connecting: { color: 'gray', label: t('liveConnecting') }, offline: { color: 'orange', label: t('liveOff') } }[state];
  return (
    <Badge variant="light" color={look.color} radius="sm" tt="none" fw={500} leftSection={<Indicator color={look.color} processing={state === 'live'} size={7} position="middle-center" inline />}>
      <Text span size="xs" ml={6}>
        {look.label}
      </Text>
    </Badge>
  );
}

export function StockPage() {
  const t = useT(catalogMessages);
  const f = useFormat();
  const can = useCan();
  const live = useLiveStock();
  const { params, setParam, clearParams } = useUrlFilters();
  const q = params.get('q') ?? '';
  const locationId = params.get('location') ?? null;
  const lowStock = params.get('low') === '1';
  const [text, setText] = useSearchText(q, (v) => setParam('q', v));

  const filter: StockFilter = useMemo(() => ({ q: q || undefined, locationId, lowStock, threshold: DEFAULT_THRESHOLD }), [q, locationId, lowStock]);
  const list = useStockList(filter, live);
  const [adjusting, setAdjusting] = useState<{ sku: string; locationId?: string } | null>(null);
  const [historyOf, setHistoryOf] = useState<StockRow | null>(null);

  const first: StockList | undefined = list.data?.pages[0];
  const rows = list.data?.pages.flatMap((p) => p.data) ?? [];
  const locations = (first?.locations ?? []).filter((l) => !locationId || l.id === locationId);
  const channels = first?.channels ?? [];
  const filtered = !!q || !!locationId || lowStock;

  const allocationText = (a: { mode: string; value: number }) =>
    a.mode === 'safety_stock' ? t('safetyStock', { n: a.value }) : a.mode === 'percentage' ? t('percentage', { n: a.value }) : t('noAllocation');

  const tone = (n: number, low: boolean) => (n <= 0 ? 'red' : low ? 'orange' : undefined);

  return (
    <Stack gap="md">
      <Group justify="space-between" wrap="wrap" gap="sm">
        <Group gap="sm" wrap="wrap">
          <SearchInput w={300} placeholder={t('searchStock')} value={text} onChange={setText} clearLabel={t('clearFilters')} />
          <Select
            w={240}
            placeholder={t('allLocations')}
            clearable
            data={(first?.locations ?? []).map((l) => ({ value: l.id, label: l.name }))}
            value={locationId}
            onChange={(v) => setParam('location', v)}
          />
          <Tooltip label={t('lowStockHint', { n: DEFAULT_THRESHOLD })} withArrow>
            <Switch data-testid="low-stock-filter" color="orange" label={t('lowStockOnly')} checked={lowStock} onChange={(e) => setParam('low', e.currentTarget.checked ? '1' : null)} />
          </Tooltip>
        </Group>
        <LiveBadge state={live} />
      </Group>

      {list.isPending ? (
        <Loading />
      ) : list.isError ? (
        <ErrorBlock error={list.error} />
      ) : rows.length === 0 ? (
        lowStock && !q ? (
          <EmptyState title={t('noLowTitle')} description={t('noLowText')} action={<Button variant="light" onClick={clearParams}>{t('clearFilters')}</Button>} />
        ) : filtered ? (
          <EmptyState icon={<IconSearch size={26} />} title={t('noMatchTitle')} description={t('noMatchText')} action={<Button variant="light" onClick={clearParams}>{t('clearFilters')}</Button>} />
        ) : (
          <EmptyState icon={<IconPackageOff size={26} />} title={t('noStockTitle')} description={t('noStockText')} />
        )
      ) : (
        <Card withBorder padding={0} radius="md">
          <Table.ScrollContainer minWidth={1100}>
            <Table data-testid="stock-table" verticalSpacing="sm" highlightOnHover stickyHeader>
              <Table.Thead>
                <Table.Tr>
                  <Table.Th rowSpan={2} miw={240}>{t('colProduct')}</Table.Th>
                  <Table.Th rowSpan={2} ta="right" style={{ whiteSpace: 'nowrap' }}>
                    <Tooltip label={t('colTotalHint')} withArrow>
                      <span>{t('colTotal')}</span>
                    </Tooltip>
                  </Table.Th>
                  {locations.length > 0 && (
                    <Table.Th colSpan={locations.length} ta="center" fz="xs" c="dimmed" fw={500} style={{ borderLeft: '1px solid var(--mantine-color-gray-3)' }}>
                      {t('groupLocations')}
                    </Table.Th>
                  )}
                  {channels.length > 0 && (
                    <Table.Th colSpan={channels.length} ta="center" fz="xs" c="dimmed" fw={500} style={{ borderLeft: '1px solid var(--mantine-color-gray-3)' }}>
                      {t('groupChannels')}
                    </Table.Th>
                  )}
                  <Table.Th rowSpan={2} />
                </Table.Tr>
                <Table.Tr>
                  {locations.map((l, i) => (
                    <Table.Th key={l.id} ta="right" fz="xs" style={i === 0 ? { borderLeft: '1px solid var(--mantine-color-gray-3)' } : undefined}>
                      {l.name}
                    </Table.Th>
                  ))}
                  {channels.map((c, i) => (
                    <Table.Th key={c.id} ta="right" fz="xs" style={i === 0 ? { borderLeft: '1px solid var(--mantine-color-gray-3)' } : undefined}>
                      <Tooltip label={allocationText(c.allocation)} withArrow>
                        <Group gap={4} justify="flex-end" wrap="nowrap">
                          <ChannelIcon type={channelKey(c)} size={18} label={c.name} />
                          <span>{c.name}</span>
                        </Group>
                      </Tooltip>
                    </Table.Th>
                  ))}
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {rows.map((r) => {
                  const rowTone = r.isLowStock ? (r.available <= 0 ? 'red' : 'orange') : undefined;
                  return (
                    <Table.Tr key={r.variantId} data-testid="stock-row" data-sku={r.sku} data-low={r.isLowStock ? 'true' : 'false'} bg={rowTone ? `var(--mantine-color-${rowTone}-light)` : undefined}>
                      <Table.Td>
                        <Text size="sm" fw={500} lineClamp={2}>
                          {r.productTitle}
                        </Text>
                        <Group gap={6} wrap="wrap">
                          {r.title && (
                            <Text size="xs" c="dimmed">
                              {r.title}
                            </Text>
                          )}
                          <Text size="xs" c="dimmed" ff="monospace" style={{ whiteSpace: 'nowrap' }}>
                            {r.sku}
                          </Text>
                          {r.isLowStock && (
                            <Badge size="xs" color={r.available <= 0 ? 'red' : 'orange'} variant="filled" style={{ flexShrink: 0 }}>
                              {r.available <= 0 ? t('outBadge') : t('lowBadge')}
                            </Badge>
                          )}
                        </Group>
                      </Table.Td>
                      <Table.Td ta="right">
                        <Text size="sm" fw={600} c={tone(r.available, r.isLowStock)}>
                          {f.number(r.available)}
                        </Text>
                        {r.reserved > 0 && (
                          <Text size="xs" c="dimmed">
                            {t('reservedN', { n: f.number(r.reserved) })}
                          </Text>
                        )}
                      </Table.Td>
                      {locations.map((l, i) => {
                        const lv = r.levels.find((x) => x.locationId === l.id);
                        return (
                          <Table.Td
                            key={l.id}
                            ta="right"
                            data-testid={`stock-location-${l.id}`}
                            data-value={lv?.available ?? 0}
                            style={i === 0 ? { borderLeft: '1px solid var(--mantine-color-gray-2)' } : undefined}
                          >
                            {lv ? (
                              <Tooltip label={t('currentAt', { onHand: f.number(lv.onHand), reserved: f.number(lv.reserved), available: f.number(lv.available) })} withArrow>
                                <Text size="sm" c={tone(lv.available, lv.isLowStock)} fw={lv.isLowStock ? 600 : 400} span>
                                  {f.number(lv.available)}
                                </Text>
                              </Tooltip>
                            ) : (
                              <Text size="xs" c="dimmed" span>
                                {t('notStocked')}
                              </Text>
                            )}
                          </Table.Td>
                        );
                      })}
                      {channels.map((c, i) => {
                        const n = r.channels.find((x) => x.channelId === c.id)?.sellable ?? 0;
                        return (
                          <Table.Td
                            key={c.id}
                            ta="right"
                            data-testid={`stock-sellable-${c.id}`}
                            data-channel-name={c.name}
                            data-value={n}
                            style={i === 0 ? { borderLeft: '1px solid var(--mantine-color-gray-2)' } : undefined}
                          >
                            <Text size="sm" c={n <= 0 ? 'red' : n <= DEFAULT_THRESHOLD ? 'orange' : undefined} span>
                              {f.number(n)}
                            </Text>
                          </Table.Td>
                        );
                      })}
                      <Table.Td>
                        <Group gap={4} justify="flex-end" wrap="nowrap">
                          <Tooltip label={t('history')} withArrow>
                            <ActionIcon variant="subtle" color="gray" onClick={() => setHistoryOf(r)} aria-label={t('history')}>
                              <IconHistory size={18} />
                            </ActionIcon>
                          </Tooltip>
                          <Tooltip label={can.settings ? t('adjust') : t('adjustAdminOnly')} withArrow>
                            <ActionIcon
                              data-testid="adjust-stock"
                              variant="light"
                              disabled={!can.settings}
                              onClick={() => setAdjusting({ sku: r.sku, locationId: locationId ?? r.levels[0]?.locationId })}
                              aria-label={t('adjust')}
                            >
                              <IconAdjustmentsHorizontal size={18} />
                            </ActionIcon>
                          </Tooltip>
                        </Group>
                      </Table.Td>
                    </Table.Tr>
                  );
                })}
              </Table.Tbody>
            </Table>
          </Table.ScrollContainer>
          <LoadMore query={list} label={t('loadMore')} />
        </Card>
      )}

      <AdjustStockModal
        target={adjusting}
        locations={first?.locations ?? []}
        threshold={DEFAULT_THRESHOLD}
        onClose={() => setAdjusting(null)}
      />
      <HistoryDrawer row={historyOf} locations={first?.locations ?? []} onClose={() => setHistoryOf(null)} onAdjust={can.settings ? (sku) => setAdjusting({ sku }) : undefined} />
    </Stack>
  );
}
