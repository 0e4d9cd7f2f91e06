/**
 * Dashboard: which channels customers use, which channels sell, how many customers use more
 * than one, and the channel paths that lead to a first order — over a date range, against the
 * period of the same length before it.
 */
import { useMemo, useState, type ReactNode } from 'react';
import {
  Badge,
  Box,
  Button,
  Center,
  Grid,
  Group,
  Loader,
  Paper,
  Progress,
  SegmentedControl,
  SimpleGrid,
  Skeleton,
  Stack,
  Text,
  ThemeIcon,
  Tooltip,
  useMantineTheme,
} from '@mantine/core';
import { DatePickerInput, type DatesRangeValue } from '@mantine/dates';
import {
  IconArrowDownRight,
  IconArrowRight,
  IconArrowUpRight,
  IconCalendar,
  IconCash,
  IconChartDonut3,
  IconInfoCircle,
  IconReceipt,
  IconRoute,
  IconUserPlus,
  IconUsers,
} from '@tabler/icons-react';
import { Link, useSearchParams } from 'react-router-dom';
import { Chart } from '../../components/chart';
import { ChannelIcon, channelLook } from '../../components/channels';
import { CodeSnippet, EmptyState, ErrorBlock, PageHeader } from '../../components/page';
import { useDashboard, type ChannelPath, type Dashboard, type DashboardTotals } from '../../hooks/api/dashboard';
import { useCan, useWorkspace } from '../../hooks/api/session';
import { dashboardMessages } from '../../i18n/dashboard';
import { useFormat, type Formatters } from '../../lib/format';
import { useI18n, useT } from '../../lib/i18n';
import { channelName, customersOption, eventsOption, multichannelOption, revenueOption, revenueShareOption, salesSeries } from './dashboard-charts';

type T = ReturnType<typeof useT<keyof (typeof dashboardMessages)['vi']>>;
type Preset = '7' | '30' | '90';
const PRESETS: Preset[] = ['7', '30', '90'];
const DAY_MS = 86_400_000;

/** Today in a time zone, YYYY-MM-DD (the calendar day the workspace is living). */
function todayIn(timeZone: string): string {
  return new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' }).format(new Date());
}

const shiftDay = (day: string, days: number) => new Date(Date.parse(`${day}T00:00:00Z`) + days * DAY_MS).toISOString().slice(0, 10);

/** The range in the address (?range=7 or ?from=&to=), so a view can be shared; default: 30 days. */
function useRange(timeZone: string) {
  const [params, setParams] = useSearchParams();
  const from = params.get('from');
  const to = params.get('to');
  const today = todayIn(timeZone);
  if (from && to) return { preset: 'custom' as const, from, to, setParams };
  const preset = PRESETS.find((p) => p === params.get('range')) ?? '30';
  return { preset, from: shiftDay(today, -(Number(preset) - 1)), to: today, setParams };
}

export function DashboardPage() {
  const t = useT(dashboardMessages);
  const f = useFormat();
  const ws = useWorkspace();
  const timeZone = ws.data?.timeZone ?? f.timeZone;
  const range = useRange(timeZone);
  const query = useDashboard({ from: range.from, to: range.to });
  const data = query.data;

  return (
    <>
      <PageHeader
        title={t('title')}
        description={data ? <RangeSummary data={data} t={t} f={f} /> : t('description')}
        actions={<RangePicker range={range} fetching={query.isFetching} t={t} timeZone={timeZone} />}
      />
      {query.isError && <ErrorBlock error={query.error} />}
      {!data && query.isPending && <DashboardSkeleton />}
      {data && !data.hasEvents && <FirstEvent t={t} />}
      {data && data.hasEvents && <DashboardBody data={data} t={t} f={f} />}
    </>
  );
}

function RangeSummary({ data, t, f }: { data: Dashboard; t: T; f: Formatters }) {
  const fmt = new Intl.DateTimeFormat(f.locale, { day: '2-digit', month: '2-digit', year: 'numeric', timeZone: 'UTC' });
  const d = (day: string) => fmt.format(new Date(`${day}T00:00:00Z`));
  return <>{t('rangeSummary', { from: d(data.from), to: d(data.to), pfrom: d(data.previous.from), pto: d(data.previous.to) })}</>;
}

function RangePicker({ range, fetching, t, timeZone }: { range: ReturnType<typeof useRange>; fetching: boolean; t: T; timeZone: string }) {
  const { lang } = useI18n();
  const [picking, setPicking] = useState<DatesRangeValue<string> | null>(null);
  const value: DatesRangeValue<string> = picking ?? [range.from, range.to];
  return (
    <Group gap="sm" data-testid="dashboard-range" wrap="wrap">
      {fetching && <Loader size="xs" />}
      <SegmentedControl
        aria-label={t('rangeLabel')}
        value={range.preset}
        onChange={(v) => {
          setPicking(null);
          if (v !== 'custom') range.setParams(v === '30' ? {} : { range: v });
        }}
        data={[
          { value: '7', label: t('last7') },
          { value: '30', label: t('last30') },
          { value: '90', label: t('last90') },
          { value: 'custom', label: t('custom'), disabled: range.preset !== 'custom' },
        ]}
      />
      <DatePickerInput
        type="range"
        aria-label={t('pickRange')}
        placeholder={t('pickRange')}
        locale={lang}
        valueFormat={lang === 'vi' ? 'DD/MM/YYYY' : 'MM/DD/YYYY'}
        leftSection={<IconCalendar size={16} />}
        maxDate={todayIn(timeZone)}
        value={value}
        onChange={(v) => {
          if (v[0] && v[1]) {
            setPicking(null);
            range.setParams({ from: v[0], to: v[1] });
          } else setPicking(v);
        }}
        onDropdownClose={() => setPicking(null)}
        w={250}
        allowSingleDateInRange
      />
    </Group>
  );
}

// ---------------------------------------------------------------------------------------------

function DashboardBody({ data, t, f }: { data: Dashboard; t: T; f: Formatters }) {
  const theme = useMantineTheme();
  const { lang } = useI18n();
  const ctx = useMemo(() => ({ theme, f, lang }), [theme, f, lang]);
  const customers = useMemo(() => customersOption(data, ctx), [data, ctx]);
  const events = useMemo(() => eventsOption(data, ctx), [data, ctx]);
  const revenue = useMemo(() => revenueOption(data, ctx, { orders: t('orders') }), [data, ctx, t]);
  const share = useMemo(() => revenueShareOption(data, ctx), [data, ctx]);
  const gauge = useMemo(() => multichannelOption(data.totals.multiChannelShare, ctx), [data, ctx]);
  const hasActivity = data.activity.length > 0;
  const hasSales = data.sales.length > 0;

  return (
    <Stack gap="lg">
      <StatCards data={data} t={t} f={f} />

      <Grid gap="lg">
        <Grid.Col span={{ base: 12, lg: 8 }}>
          <ChartCard testId="chart-customers-by-channel" title={t('customersByChannel')} hint={t('customersByChannelHint')} icon={<IconUsers size={16} />}>
            {hasActivity ? <Chart option={customers} height={330} ariaLabel={t('customersByChannel')} /> : <NoData height={330} text={t('noDataInRange')} />}
          </ChartCard>
        </Grid.Col>
        <Grid.Col span={{ base: 12, lg: 4 }}>
          <ChartCard testId="chart-multichannel" title={t('multichannel')} hint={t('multichannelHint')} icon={<IconChartDonut3 size={16} />}>
            {hasActivity ? (
              <Stack gap="xs">
                <Chart option={gauge} height={150} ariaLabel={t('multichannel')} />
                <Text size="sm" ta="center" c="dimmed">
                  {t('multichannelOf', { n: f.number(data.totals.multiChannelCustomers), total: f.number(data.totals.customers) })}
                </Text>
                <ChannelReach data={data} t={t} f={f} />
              </Stack>
            ) : (
              <NoData height={300} text={t('noDataInRange')} />
            )}
          </ChartCard>
        </Grid.Col>

        <Grid.Col span={{ base: 12, lg: 8 }}>
          <ChartCard testId="chart-revenue-by-channel" title={t('revenueByChannel')} hint={t('revenueByChannelHint')} icon={<IconCash size={16} />}>
            {hasSales ? <Chart option={revenue} height={340} ariaLabel={t('revenueByChannel')} /> : <NoData height={340} text={t('noSalesInRange')} />}
          </ChartCard>
        </Grid.Col>
        <Grid.Col span={{ base: 12, lg: 4 }}>
          <ChartCard testId="chart-revenue-share" title={t('revenueShare')} icon={<IconChartDonut3 size={16} />}>
            {hasSales ? (
              <Stack gap="sm">
                <Box pos="relative">
                  <Chart option={share} height={190} ariaLabel={t('revenueShare')} />
                  <Stack gap={0} align="center" pos="absolute" top="50%" left="50%" style={{ transform: 'translate(-50%, -50%)', pointerEvents: 'none' }}>
                    <Text fw={700} fz="lg" lh={1.2} style={{ fontVariantNumeric: 'tabular-nums' }}>
                      {f.moneyCompact(data.totals.revenue)}
                    </Text>
                    <Text size="xs" c="dimmed">
                      {t('ordersCount', { n: f.number(data.totals.orders) })}
                    </Text>
                  </Stack>
                </Box>
                <SalesChannelList data={data} t={t} f={f} />
              </Stack>
            ) : (
              <NoData height={300} text={t('noSalesInRange')} />
            )}
          </ChartCard>
        </Grid.Col>

        <Grid.Col span={{ base: 12, lg: 7 }}>
          <ChartCard testId="chart-top-paths" title={t('topPaths')} hint={t('topPathsHint')} icon={<IconRoute size={16} />}>
            <TopPaths data={data} t={t} f={f} lang={lang} />
          </ChartCard>
        </Grid.Col>
        <Grid.Col span={{ base: 12, lg: 5 }}>
          <ChartCard testId="chart-events-by-channel" title={t('eventsByChannel')} hint={t('eventsByChannelHint')} icon={<IconReceipt size={16} />}>
            {hasActivity ? <Chart option={events} height={300} ariaLabel={t('eventsByChannel')} /> : <NoData height={300} text={t('noDataInRange')} />}
          </ChartCard>
        </Grid.Col>
      </Grid>
    </Stack>
  );
}

function ChartCard({ title, hint, icon, testId, children }: { title: string; hint?: string; icon: ReactNode; testId: string; children: ReactNode }) {
  return (
    <Paper withBorder radius="md" p="md" h="100%" data-testid={testId}>
      <Group gap="xs" mb="md" wrap="nowrap">
        <ThemeIcon variant="light" color="gray" size={28} radius="md">
          {icon}
        </ThemeIcon>
        <div>
          <Text fw={600} size="sm" lh={1.3}>
            {title}
          </Text>
          {hint && (
            <Text size="xs" c="dimmed" lh={1.3}>
              {hint}
            </Text>
          )}
        </div>
      </Group>
      {children}
    </Paper>
  );
}

function NoData({ height, text }: { height: number; text: string }) {
  return (
    <Center h={height}>
      <Text size="sm" c="dimmed">
        {text}
      </Text>
    </Center>
  );
}

// ---------------------------------------------------------------------------------------------
// Headline numbers

interface StatSpec {
  key: keyof DashboardTotals;
  testId?: string;
  label: string;
  hint: string;
  icon: ReactNode;
  color: string;
  format: (v: number) => string;
  /** Share: the change is in percentage points. */
  ratio?: boolean;
}

function StatCards({ data, t, f }: { data: Dashboard; t: T; f: Formatters }) {
  const stats: StatSpec[] = [
    { key: 'customers', testId: 'stat-customers', label: t('statCustomers'), hint: t('statCustomersHint'), icon: <IconUsers size={18} />, color: 'blue', format: f.number },
    { key: 'newCustomers', label: t('statNewCustomers'), hint: t('statNewCustomersHint'), icon: <IconUserPlus size={18} />, color: 'cyan', format: f.number },
    { key: 'orders', testId: 'stat-orders', label: t('statOrders'), hint: t('statOrdersHint'), icon: <IconReceipt size={18} />, color: 'violet', format: f.number },
    { key: 'revenue', testId: 'stat-revenue', label: t('statRevenue'), hint: t('statRevenueHint'), icon: <IconCash size={18} />, color: 'green', format: (v) => f.money(v) },
    {
      key: 'multiChannelShare',
      testId: 'stat-multichannel',
      label: t('statMultichannel'),
      hint: t('statMultichannelHint'),
      icon: <IconChartDonut3 size={18} />,
      color: 'teal',
      format: f.percent,
      ratio: true,
    },
  ];
  return (
    <SimpleGrid cols={{ base: 1, xs: 2, md: 3, xl: 5 }} spacing="lg">
      {stats.map((s) => (
        <StatCard key={s.key} spec={s} value={data.totals[s.key]} previous={data.previousTotals[s.key]} t={t} f={f} />
      ))}
    </SimpleGrid>
  );
}

function StatCard({ spec, value, previous, t, f }: { spec: StatSpec; value: number; previous: number; t: T; f: Formatters }) {
  return (
    <Paper withBorder radius="md" p="md" data-testid={spec.testId}>
      <Group justify="space-between" align="flex-start" wrap="nowrap">
        <Group gap={4} wrap="nowrap">
          <Text size="sm" c="dimmed" fw={500} lh={1.2}>
            {spec.label}
          </Text>
          <Tooltip label={spec.hint} withArrow multiline w={220}>
            <IconInfoCircle size={14} color="var(--mantine-color-gray-5)" aria-label={spec.hint} />
          </Tooltip>
        </Group>
        <ThemeIcon variant="light" color={spec.color} size={32} radius="md">
          {spec.icon}
        </ThemeIcon>
      </Group>
      <Text fz={26} fw={700} lh={1.2} mt={4} data-testid={spec.testId ? `${spec.testId}-value` : undefined} style={{ fontVariantNumeric: 'tabular-nums' }}>
        {spec.format(value)}
      </Text>
      <Group gap={6} mt={8} wrap="nowrap">
        <Delta value={value} previous={previous} ratio={spec.ratio} t={t} f={f} />
        <Text size="xs" c="dimmed">
          {t('vsPrevious')}
        </Text>
      </Group>
      <Text size="xs" c="dimmed" mt={4} style={{ fontVariantNumeric: 'tabular-nums' }}>
        {t('previousValue', { value: spec.format(previous) })}
      </Text>
    </Paper>
  );
}

function Delta({ value, previous, ratio, t, f }: { value: number; previous: number; ratio?: boolean; t: T; f: Formatters }) {
  if (value === previous) {
    return (
      <Badge variant="light" color="gray" size="sm" radius="sm">
        {ratio ? t('points', { value: '±0' }) : f.percent(0)}
      </Badge>
    );
  }
  const up = value > previous;
  const color = up ? 'teal' : 'red';
  const Arrow = up ? IconArrowUpRight : IconArrowDownRight;
  let label: string;
  if (ratio) {
    const pts = new Intl.NumberFormat(f.locale, { maximumFractionDigits: 1, signDisplay: 'always' }).format((value - previous) * 100);
    label = t('points', { value: pts });
  } else if (previous === 0) label = t('newVsZero');
  else label = f.percent(Math.abs(value - previous) / previous);
  return (
    <Badge variant="light" color={color} size="sm" radius="sm" leftSection={<Arrow size={12} />} style={{ flexShrink: 0 }}>
      {label}
    </Badge>
  );
}

// ---------------------------------------------------------------------------------------------
// Channel lists beside the donut and the gauge

function ChannelReach({ data, t, f }: { data: Dashboard; t: T; f: Formatters }) {
  const theme = useMantineTheme();
  const { lang } = useI18n();
  const total = Math.max(data.totals.customers, 1);
  return (
    <Stack gap={8} mt="xs">
      <Text size="xs" c="dimmed" fw={600} tt="uppercase">
        {t('customersPerChannel')}
      </Text>
      {data.activityChannels.slice(0, 6).map((c) => (
        <Group key={c.channel} gap="xs" wrap="nowrap">
          <ChannelIcon type={c.channel} size={22} label={channelName(c.channel, lang)} />
          <Box style={{ flex: 1, minWidth: 0 }}>
            <Group justify="space-between" gap={4} wrap="nowrap">
              <Text size="xs" truncate>
                {channelName(c.channel, lang)}
              </Text>
              <Text size="xs" fw={600} style={{ fontVariantNumeric: 'tabular-nums' }}>
                {f.number(c.customers)} · {f.percent(c.customers / total)}
              </Text>
            </Group>
            <Progress value={(c.customers / total) * 100} size={4} color={theme.colors[channelLook(c.channel).color]?.[6]} mt={3} />
          </Box>
        </Group>
      ))}
    </Stack>
  );
}

function SalesChannelList({ data, t, f }: { data: Dashboard; t: T; f: Formatters }) {
  const theme = useMantineTheme();
  const total = Math.max(data.totals.revenue, 1);
  const colours = useMemo(() => salesSeries(data, theme), [data, theme]);
  return (
    <Stack gap={6}>
      {data.salesChannels.map((c, i) => (
        <Group key={c.id} gap="xs" wrap="nowrap">
          <Box w={10} h={10} style={{ borderRadius: 10, background: colours[i]?.color, flexShrink: 0 }} />
          <Text size="xs" truncate style={{ flex: 1 }}>
            {c.name}
          </Text>
          <Text size="xs" c="dimmed" style={{ fontVariantNumeric: 'tabular-nums', whiteSpace: 'nowrap' }}>
            {t('ordersCount', { n: f.number(c.orders) })}
          </Text>
          <Text size="xs" fw={600} ta="right" w={96} style={{ fontVariantNumeric: 'tabular-nums' }}>
            {f.money(c.revenue)}
          </Text>
          <Text size="xs" c="dimmed" ta="right" w={44} style={{ fontVariantNumeric: 'tabular-nums' }}>
            {f.percent(c.revenue / total)}
          </Text>
        </Group>
      ))}
    </Stack>
  );
}

// ---------------------------------------------------------------------------------------------
// Paths to a first order: channel icons per step, a bar for how many customers took the path

function TopPaths({ data, t, f, lang }: { data: Dashboard; t: T; f: Formatters; lang: 'vi' | 'en' }) {
  const paths = data.topPaths.paths;
  if (paths.length === 0) return <NoData height={300} text={t('noPathsInRange')} />;
  const max = Math.max(...paths.map((p) => p.customers));
  return (
    <Stack gap="sm">
      <Text size="xs" c="dimmed">
        {t('topPathsBuyers', { n: f.number(data.topPaths.buyers) })}
      </Text>
      {paths.map((p, i) => (
        <PathRow key={p.steps.join('>')} path={p} rank={i + 1} share={p.customers / Math.max(data.topPaths.buyers, 1)} width={p.customers / max} t={t} f={f} lang={lang} />
      ))}
    </Stack>
  );
}

function PathRow({ path, rank, share, width, t, f, lang }: { path: ChannelPath; rank: number; share: number; width: number; t: T; f: Formatters; lang: 'vi' | 'en' }) {
  const theme = useMantineTheme();
  const last = path.steps[path.steps.length - 1] ?? '';
  const days = path.medianDays < 1 ? t('pathSameDay') : t('pathMedian', { days: new Intl.NumberFormat(f.locale, { maximumFractionDigits: 1 }).format(path.medianDays) });
  return (
    <Box>
      <Group justify="space-between" wrap="nowrap" gap="sm">
        <Group gap={6} wrap="nowrap" style={{ minWidth: 0 }}>
          <Text size="xs" c="dimmed" w={16} ta="right" fw={600}>
            {rank}
          </Text>
          {path.steps.map((s, i) => (
            <Group key={i} gap={6} wrap="nowrap">
              {i > 0 && <IconArrowRight size={12} color="var(--mantine-color-gray-5)" />}
              <Group gap={4} wrap="nowrap">
                <ChannelIcon type={s} size={22} label={channelName(s, lang)} />
                <Text size="xs" visibleFrom="md">
                  {channelName(s, lang)}
                </Text>
              </Group>
            </Group>
          ))}
        </Group>
        <Group gap={6} wrap="nowrap" style={{ flexShrink: 0 }}>
          <Text size="xs" fw={600} style={{ fontVariantNumeric: 'tabular-nums' }}>
            {t(path.customers === 1 ? 'pathCustomer' : 'pathCustomers', { n: f.number(path.customers) })}
          </Text>
          <Text size="xs" c="dimmed">
            · {f.percent(share)} · {days}
          </Text>
        </Group>
      </Group>
      <Box ml={22} mt={4} h={6} style={{ background: 'var(--mantine-color-gray-1)', borderRadius: 6 }}>
        <Box h={6} w={`${Math.max(width * 100, 2)}%`} style={{ background: theme.colors[channelLook(last).color]?.[5], borderRadius: 6 }} />
      </Box>
    </Box>
  );
}

// ---------------------------------------------------------------------------------------------

function FirstEvent({ t }: { t: T }) {
  const can = useCan();
  const origin = typeof window === 'undefined' ? 'https://omni.example' : window.location.origin;
  const snippet = `curl ${origin}/v1/track \\
  -u '<WRITE_KEY>:' \\
  -H 'content-type: application/json' \\
  -d '{
    "userId": "khach-001",
    "event": "Product Viewed",
    "properties": { "sku": "AO-THUN-M" }
  }'`;
  return (
    <EmptyState
      icon={<IconChartDonut3 size={26} />}
      title={t('emptyTitle')}
      description={t('emptyDescription')}
      action={
        <Stack gap="md" w="100%" align="center">
          <CodeSnippet code={snippet} copyLabel={t('copy')} copiedLabel={t('copied')} />
          {can.settings && (
            <Button component={Link} to="/settings" variant="light">
              {t('emptyAction')}
            </Button>
          )}
        </Stack>
      }
    />
  );
}

function DashboardSkeleton() {
  return (
    <Stack gap="lg">
      <SimpleGrid cols={{ base: 1, xs: 2, md: 3, xl: 5 }} spacing="lg">
        {Array.from({ length: 5 }, (_, i) => (
          <Skeleton key={i} h={112} radius="md" />
        ))}
      </SimpleGrid>
      <Grid gap="lg">
        <Grid.Col span={{ base: 12, lg: 8 }}>
          <Skeleton h={360} radius="md" />
        </Grid.Col>
        <Grid.Col span={{ base: 12, lg: 4 }}>
          <Skeleton h={360} radius="md" />
        </Grid.Col>
      </Grid>
    </Stack>
  );
}
