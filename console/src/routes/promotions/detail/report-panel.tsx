/** What a promotion did: uses, customers, discount given and revenue of its orders, by channel. */
import { useMemo } from 'react';
import { Card, Grid, Paper, SimpleGrid, Table, Text, Title } from '@mantine/core';
import { IconChartBar } from '@tabler/icons-react';
import { usePickerChannels, usePromotionReport, type Promotion } from '../../../hooks/api/promotions';
import { Chart, type ChartOption } from '../../../components/chart';
import { ChannelBadge } from '../../../components/channels';
import { EmptyState, ErrorBlock, Loading } from '../../../components/page';
import { useFormat } from '../../../lib/format';
import { useI18n, useT } from '../../../lib/i18n';
import { promotionsMessages } from '../../../i18n/promotions';

function Stat({ label, value, hint }: { label: string; value: string; hint?: string }) {
  return (
    <Paper withBorder radius="md" p="md">
      <Text size="xs" c="dimmed" tt="uppercase" fw={600}>
        {label}
      </Text>
      <Text size="xl" fw={700} mt={4} data-testid="report-stat">
        {value}
      </Text>
      {hint && (
        <Text size="xs" c="dimmed">
          {hint}
        </Text>
      )}
    </Paper>
  );
}

export function ReportPanel({ p }: { p: Promotion }) {
  const t = useT(promotionsMessages);
  const f = useFormat();
  const { lang } = useI18n();
  const report = usePromotionReport(p.id);
  const channels = usePickerChannels();
  const channelById = useMemo(() => new Map((channels.data ?? []).map((c) => [c.id, c])), [channels.data]);

  const option = useMemo((): ChartOption | null => {
    const rows = report.data?.byChannel ?? [];
    if (rows.length === 0) return null;
    const names = rows.map((r) => channelById.get(r.channelId)?.name ?? r.channelId);
    return {
      grid: { left: 8, right: 16, top: 36, bottom: 8, containLabel: true },
      legend: { top: 0 },
      tooltip: { trigger: 'axis', valueFormatter: (v) => f.money(Number(v)) },
      xAxis: { type: 'category', data: names },
      yAxis: { type: 'value', axisLabel: { formatter: (v: number) => f.moneyCompact(v) } },
      series: [
        { name: t('revenue'), type: 'bar', data: rows.map((r) => r.revenue), itemStyle: { color: '#228be6' }, barMaxWidth: 40 },
        { name: t('discountGiven'), type: 'bar', data: rows.map((r) => r.discountGiven), itemStyle: { color: '#fa5252' }, barMaxWidth: 40 },
      ],
    };
  }, [report.data, channelById, f, t]);

  if (report.isPending) return <Loading />;
  if (report.isError) return <ErrorBlock error={report.error} />;
  const r = report.data;
  const roi = r.discountGiven > 0 ? r.revenue / r.discountGiven : null;
  return (
    <Grid gap="lg" data-testid="promotion-report">
      <Grid.Col span={12}>
        <SimpleGrid cols={{ base: 2, md: 4 }}>
          <Stat label={t('uses')} value={f.number(r.uses)} hint={p.usageLimit !== null ? t('ofLimit', { n: f.number(p.usageLimit) }) : undefined} />
          <Stat label={t('customers')} value={f.number(r.customers)} />
          <Stat label={t('discountGiven')} value={f.money(r.discountGiven)} hint={p.budget !== null ? t('ofBudget', { amount: f.money(p.budget) }) : undefined} />
          <Stat label={t('revenue')} value={f.money(r.revenue)} hint={roi !== null ? t('revenuePerDong', { x: f.number(Math.round(roi * 10) / 10) }) : undefined} />
        </SimpleGrid>
      </Grid.Col>
      {r.byChannel.length === 0 ? (
        <Grid.Col span={12}>
          <EmptyState icon={<IconChartBar size={26} />} title={t('noUsesTitle')} description={p.status === 'active' ? t('noUsesActive') : t('noUsesInactive')} />
        </Grid.Col>
      ) : (
        <>
          <Grid.Col span={12}>
            <Card withBorder radius="md" padding="lg">
              <Title order={5} mb="sm">
                {t('byChannel')}
              </Title>
              {option && <Chart option={option} height={280} ariaLabel={t('byChannel')} />}
            </Card>
          </Grid.Col>
          <Grid.Col span={12}>
            <Card withBorder radius="md" padding="lg">
              <Title order={5} mb="sm">
                {t('byChannelTable')}
              </Title>
              <Table verticalSpacing="xs" data-testid="report-channels">
                <Table.Thead>
                  <Table.Tr>
                    <Table.Th>{t('channel')}</Table.Th>
                    <Table.Th ta="right">{t('uses')}</Table.Th>
                    <Table.Th ta="right">{t('customers')}</Table.Th>
                    <Table.Th ta="right">{t('discountGiven')}</Table.Th>
                    <Table.Th ta="right">{t('revenue')}</Table.Th>
                  </Table.Tr>
                </Table.Thead>
                <Table.Tbody>
                  {r.byChannel.map((row) => {
                    const ch = channelById.get(row.channelId);
                    return (
                      <Table.Tr key={row.channelId}>
                        <Table.Td>
                          <ChannelBadge type={ch?.type} name={ch?.name ?? row.channelId} lang={lang} />
                        </Table.Td>
                        <Table.Td ta="right">{f.number(row.uses)}</Table.Td>
                        <Table.Td ta="right">{f.number(row.customers)}</Table.Td>
                        <Table.Td ta="right">{f.money(row.discountGiven)}</Table.Td>
                        <Table.Td ta="right">{f.money(row.revenue)}</Table.Td>
                      </Table.Tr>
                    );
                  })}
                </Table.Tbody>
              </Table>
            </Card>
          </Grid.Col>
        </>
      )}
    </Grid>
  );
}
